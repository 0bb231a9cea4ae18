import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { HandlerMap } from './types.ts';
import type { Services } from '../../services.ts';
import { ModelDetail, type ModelSummary } from '../../../../shared/domain/model.ts';
import { LIMITS } from '../../../../shared/limits.ts';
import type { RemoteModel, RemoteVersion } from '../../providers/replicate/types.ts';
import { ProviderError } from '../../providers/replicate/errors.ts';
import { rememberInputSchema } from '../../engine/schemas.ts';
import { runRef, splitModelRef, type ProviderId } from '../../../../shared/domain/provider.ts';
import { falDetail, falSearch } from '../../models/fal-models.ts';

// models:* — what the composer needs to pick a model and render its input form.

/** The collection the model picker opens with. */
const FEATURED_COLLECTION = 'text-to-image';

function summary(m: RemoteModel): ModelSummary {
  return {
    ref: `${m.owner}/${m.name}`,
    provider: 'replicate',
    owner: m.owner,
    name: m.name,
    description: m.description ?? null,
    coverImageUrl: m.cover_image_url ?? null,
    runCount: m.run_count ?? null,
  };
}

function detail(m: RemoteModel, version: RemoteVersion | null): ModelDetail {
  const schemas = version?.openapi_schema?.components?.schemas;
  return {
    ...summary(m),
    latestVersionId: m.latest_version?.id ?? null,
    official: m.is_official ?? false,
    // Replicate publishes enums as $refs into components.schemas: keep them beside the Input
    // object so the form can resolve them (shared/schema-form.ts reads `components`).
    inputSchema: schemas?.Input ? { ...(schemas.Input as Record<string, unknown>), components: { schemas } } : null,
    outputSchema: (schemas?.Output as Record<string, unknown> | undefined) ?? null,
  };
}

// Every model version's schema the composer has loaded is kept in the data folder
// (<dataDir>/models/<hash>.json), so a model used before can be composed, remixed and queued
// offline: when the provider cannot be reached, models:get answers from this copy, marked
// `offline`, and the composer asks again by itself until the network is back.

const schemaDir = (s: Services) => path.join(s.dataDir, 'models');
const schemaFile = (s: Services, ref: string, version: string | null) =>
  path.join(
    schemaDir(s),
    `${createHash('sha256')
      .update(`${ref}@${version ?? 'latest'}`)
      .digest('hex')
      .slice(0, 32)}.json`,
  );

function keepSchema(s: Services, d: ModelDetail, versionId: string | null, latest: boolean): void {
  const body = JSON.stringify({ ...d, fetchedAt: s.clock.now() });
  if (body.length > LIMITS.modelSchemaBytes) return; // a schema this large is simply not kept
  try {
    fs.mkdirSync(schemaDir(s), { recursive: true, mode: 0o700 });
    const targets = [...(versionId ? [schemaFile(s, d.ref, versionId)] : []), ...(latest || !versionId ? [schemaFile(s, d.ref, null)] : [])];
    for (const file of targets) {
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, body, { mode: 0o600 });
      fs.renameSync(tmp, file);
    }
    const names = fs.readdirSync(schemaDir(s)).filter((n) => n.endsWith('.json'));
    if (names.length > LIMITS.modelSchemasKept) {
      const byAge = names.map((n) => ({ n, t: fs.statSync(path.join(schemaDir(s), n)).mtimeMs })).sort((a, b) => a.t - b.t);
      for (const { n } of byAge.slice(0, names.length - LIMITS.modelSchemasKept)) fs.rmSync(path.join(schemaDir(s), n), { force: true });
    }
  } catch (err) {
    s.log.warn('could not keep a model schema', { ref: d.ref, err: String(err) });
  }
}

function keptSchema(s: Services, ref: string, version: string | null): ModelDetail | null {
  try {
    const file = schemaFile(s, ref, version);
    if (fs.statSync(file).size > LIMITS.modelSchemaBytes) return null;
    const parsed = ModelDetail.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    return parsed.success && parsed.data.ref === ref ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Failures that say nothing about the model itself: the kept copy is as good as it was. */
const unreachable = (err: unknown) => err instanceof ProviderError && (err.code === 'network' || err.code === 'provider' || err.code === 'rate_limited');

/**
 * How long a search or the featured list waits for a provider before answering with what the
 * others sent: one slow or unreachable provider must not hold the picker's results back.
 */
const SEARCH_WAIT_MS = 8_000;

function within<T>(p: Promise<T>, ms: number, provider: ProviderId): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProviderError({ code: 'network', transient: true, message: `${provider} did not answer within ${ms / 1000} s.` })), ms);
    timer.unref?.();
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/**
 * Every provider asked at once; the answer holds what each could give, interleaved so both show
 * near the top. A provider without a key, unreachable or slow only leaves its own results out;
 * when none answers, the first provider's error is the answer (what to fix: usually its key).
 */
async function fromEvery(s: Services, ask: Record<ProviderId, () => Promise<ModelSummary[]>>, label: string): Promise<ModelSummary[]> {
  const entries = Object.entries(ask) as [ProviderId, () => Promise<ModelSummary[]>][];
  const settled = await Promise.allSettled(entries.map(([p, f]) => within(f(), SEARCH_WAIT_MS, p)));
  const lists: ModelSummary[][] = [];
  settled.forEach((r, i) => {
    if (r.status === 'fulfilled') lists.push(r.value);
    else s.log.info(`models: ${label} without ${entries[i]![0]}`, { err: String((r.reason as Error)?.message ?? r.reason) });
  });
  if (!lists.length) throw (settled[0] as PromiseRejectedResult).reason;
  const out: ModelSummary[] = [];
  const seen = new Set<string>();
  for (let i = 0; lists.some((l) => i < l.length); i++) {
    for (const l of lists) {
      const m = l[i];
      if (m && !seen.has(m.ref)) {
        seen.add(m.ref);
        out.push(m);
      }
    }
  }
  return out;
}

async function replicateFeatured(s: Services): Promise<ModelSummary[]> {
  try {
    return (await s.provider.getCollection(FEATURED_COLLECTION)).models.map(summary);
  } catch (err) {
    // A provider without that collection is not an error worth a red banner: the picker still searches.
    if (err instanceof ProviderError && err.code === 'not_found') return [];
    throw err;
  }
}

/** models:get for one provider: the detail and the version it describes (null: the latest / fal). */
async function fetchDetail(
  s: Services,
  provider: ProviderId,
  ref: string,
  wanted: string | undefined,
): Promise<{ d: ModelDetail; versionId: string | null; latest: boolean }> {
  if (provider === 'fal') return { d: await falDetail(s.fal, ref), versionId: null, latest: true };
  const m = await s.provider.getModel(ref);
  const latest = !wanted || wanted === m.latest_version?.id;
  const version = latest ? (m.latest_version ?? null) : await s.provider.getVersion(ref, wanted!);
  return { d: detail(m, version), versionId: version?.id ?? null, latest };
}

export const modelsHandlers: HandlerMap = {
  'models:featured': async (_req, s) => {
    // Replicate's featured collection first (the order the picker always had), then fal's.
    const [r, f] = await Promise.allSettled([within(replicateFeatured(s), SEARCH_WAIT_MS, 'replicate'), within(falSearch(s.fal, ''), SEARCH_WAIT_MS, 'fal')]);
    if (r.status === 'rejected' && f.status === 'rejected') throw r.reason;
    if (f.status === 'rejected') s.log.info('models: featured without fal', { err: String((f.reason as Error)?.message ?? f.reason) });
    if (r.status === 'rejected') s.log.info('models: featured without replicate', { err: String((r.reason as Error)?.message ?? r.reason) });
    return [...(r.status === 'fulfilled' ? r.value : []), ...(f.status === 'fulfilled' ? f.value : [])];
  },
  'models:search': async (req, s) => {
    const q = req.query.trim();
    if (!q) return [];
    return fromEvery(
      s,
      {
        replicate: async () => (await s.provider.searchModels(q)).map(summary),
        fal: () => falSearch(s.fal, q),
      },
      'search',
    );
  },
  'models:get': async (req, s) => {
    // `fal:ENDPOINT_ID` or a (possibly `replicate:`-prefixed) Replicate ref (ARCHITECTURE.md, "Fixed interfaces"). The kept
    // copy and the schema snapshot are keyed by the ref the composer uses; the engine's snapshot
    // by the provider's own model id, which is what predictions:create looks it up by.
    const { provider, ref } = splitModelRef(req.ref);
    const keptRef = runRef({ provider, model: ref });
    const version = provider === 'fal' ? null : (req.version ?? null);
    let got: Awaited<ReturnType<typeof fetchDetail>>;
    try {
      got = await fetchDetail(s, provider, ref, version ?? undefined);
    } catch (err) {
      const kept = unreachable(err) ? keptSchema(s, keptRef, version) : null;
      if (!kept) throw err;
      // The same snapshot a create stores with the prediction, so an offline run is queued with it.
      rememberInputSchema(s, ref, version, !version, kept.inputSchema);
      return { ...kept, offline: true };
    }
    const { d, versionId, latest } = got;
    // predictions:create stores this snapshot with the prediction (the form was built from it).
    rememberInputSchema(s, ref, versionId, latest, d.inputSchema);
    keepSchema(s, d, versionId, latest);
    return d;
  },
  'models:versions': async (req, s) => {
    const { provider, ref } = splitModelRef(req.ref);
    // fal endpoints have no versions: each always runs its current code.
    if (provider === 'fal') return [];
    return (await s.provider.listVersions(ref)).map((v) => ({ id: v.id, createdAt: v.created_at ?? null }));
  },
};
