import { objectOrNull, textOrNull } from './normalize.ts';
import type { RemoteAccount, RemoteFile, RemoteModel, RemoteVersion } from './types.ts';

// Replicate's model, version, account and file answers brought to the types in types.ts, the way
// normalize.ts does it for predictions (ARCHITECTURE.md, "Security"): a field of the wrong type
// reads as "not said", so the handlers build views (ModelSummary, ModelDetail) that always pass
// the IPC contract, and one odd model in a search cannot fail the whole answer.

const nonEmpty = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
const countOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null);

/** The input and output schemas as plain objects; anything else gives no form rather than one built from a string's characters. */
function schemasOf(v: unknown): RemoteVersion['openapi_schema'] {
  const schemas = objectOrNull(objectOrNull(objectOrNull(v)?.components)?.schemas);
  if (!schemas) return null;
  const { Input, Output, ...rest } = schemas;
  const input = objectOrNull(Input);
  const output = objectOrNull(Output);
  return { components: { schemas: { ...rest, ...(input ? { Input: input } : {}), ...(output ? { Output: output } : {}) } } };
}

/** A version, or null without a usable id. */
export function versionOf(v: unknown): RemoteVersion | null {
  const o = objectOrNull(v);
  const id = nonEmpty(o?.id);
  if (!o || !id) return null;
  return { id, created_at: textOrNull(o.created_at), openapi_schema: schemasOf(o.openapi_schema) };
}

/**
 * A model, or null when it has no owner/name (nothing could refer to it). `asked` is the
 * reference a GET was for: it names the model when the answer's own owner/name are unusable.
 */
export function modelOf(v: unknown, asked?: { owner: string; name: string }): RemoteModel | null {
  const o = objectOrNull(v);
  if (!o) return null;
  const owner = nonEmpty(o.owner) ?? asked?.owner;
  const name = nonEmpty(o.name) ?? asked?.name;
  if (!owner || !name) return null;
  const url = textOrNull(o.url);
  const visibility = textOrNull(o.visibility);
  return {
    ...(url !== null ? { url } : {}),
    owner,
    name,
    description: textOrNull(o.description),
    ...(visibility !== null ? { visibility } : {}),
    run_count: countOrNull(o.run_count),
    cover_image_url: textOrNull(o.cover_image_url),
    is_official: o.is_official === true,
    latest_version: versionOf(o.latest_version),
  };
}

/** The models of a list answer (search wraps each as `{model, metadata}`), those without owner/name left out. */
export function modelsOf(list: unknown): RemoteModel[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((item) => {
    const wrapped = objectOrNull(objectOrNull(item)?.model);
    const m = modelOf(wrapped ?? item);
    return m ? [m] : [];
  });
}

export function versionsOf(list: unknown): RemoteVersion[] {
  return Array.isArray(list) ? list.flatMap((v) => versionOf(v) ?? []) : [];
}

export function accountOf(v: unknown): RemoteAccount {
  const o = objectOrNull(v);
  return { type: textOrNull(o?.type) ?? '', username: textOrNull(o?.username) ?? '', name: textOrNull(o?.name) };
}

/** An uploaded file: its URL only when it is a string (it becomes a run's input). */
export function fileOf(v: unknown): RemoteFile {
  const o = objectOrNull(v);
  const get = textOrNull(objectOrNull(o?.urls)?.get);
  return { id: textOrNull(o?.id) ?? '', ...(get !== null ? { urls: { get } } : {}) };
}
