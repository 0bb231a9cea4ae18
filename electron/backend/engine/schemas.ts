// The input schemas `models:get` handed the composer, remembered per backend so `predictions:create`
// can store the one the form was built from with the prediction (issue 5: the history keeps the
// input schema snapshot; a later look, or a remix after the model changed, can still explain the
// input). Keyed by the services object (a WeakMap: one cache per backend, gone with it) and bounded:
// the composer only ever looks at a handful of models, so the oldest entries simply fall out.

type Schema = Record<string, unknown>;

const MAX_ENTRIES = 50;
const caches = new WeakMap<object, Map<string, Schema>>();

const key = (model: string, version: string | null) => `${model}@${version ?? 'latest'}`;

function put(cache: Map<string, Schema>, k: string, schema: Schema) {
  cache.delete(k); // re-insert: Map order is the eviction order (least recently stored first)
  cache.set(k, schema);
  while (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value!);
}

/** Called by models:get. `isLatest`: this version is the model's latest (a create without a version runs it). */
export function rememberInputSchema(owner: object, model: string, versionId: string | null, isLatest: boolean, schema: Schema | null): void {
  if (!schema) return;
  let cache = caches.get(owner);
  if (!cache) caches.set(owner, (cache = new Map()));
  if (versionId) put(cache, key(model, versionId), schema);
  if (isLatest || !versionId) put(cache, key(model, null), schema);
}

/** The schema for this model and version (null version: the model's latest), if models:get saw it. */
export function inputSchemaFor(owner: object, model: string, version: string | null): Schema | null {
  return caches.get(owner)?.get(key(model, version)) ?? null;
}

export const INPUT_SCHEMA_CACHE_MAX = MAX_ENTRIES;
