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

// models:* — what the composer needs to pick a model and render its input form.

/** The collection the model picker opens with. */
const FEATURED_COLLECTION = 'text-to-image';

function summary(m: RemoteModel): ModelSummary {
  return {
    ref: `${m.owner}/${m.name}`,
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
  path.join(schemaDir(s), `${createHash('sha256').update(`${ref}@${version ?? 'latest'}`).digest('hex').slice(0, 32)}.json`);

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

export const modelsHandlers: HandlerMap = {
  'models:featured': async (_req, s) => {
    try {
      return (await s.provider.getCollection(FEATURED_COLLECTION)).models.map(summary);
    } catch (err) {
      // A provider without that collection is not an error worth a red banner: the picker still searches.
      if (err instanceof ProviderError && err.code === 'not_found') return [];
      throw err;
    }
  },
  'models:search': async (req, s) => {
    const q = req.query.trim();
    if (!q) return [];
    return (await s.provider.searchModels(q)).map(summary);
  },
  'models:get': async (req, s) => {
    // fal endpoints (`fal:ENDPOINT_ID`): metadata and input schema from fal's platform API. Minimal
    // (no offline copy yet), added for compare across providers; the fal model picker may replace it.
    if (req.ref.startsWith('fal:')) {
      const { model, schema } = await s.fal.getModel(req.ref.slice(4));
      const inputSchema = { ...schema.input, components: { schemas: schema.components } };
      rememberInputSchema(s, model.endpointId, null, true, inputSchema);
      const [owner = '', ...rest] = model.endpointId.split('/');
      return { ref: req.ref, owner, name: rest.join('/'), description: model.description, coverImageUrl: model.thumbnailUrl, runCount: null, latestVersionId: null, official: true, inputSchema, outputSchema: schema.output };
    }
    let m: RemoteModel;
    let latest: boolean;
    let version: RemoteVersion | null;
    try {
      m = await s.provider.getModel(req.ref);
      latest = !req.version || req.version === m.latest_version?.id;
      version = latest ? (m.latest_version ?? null) : await s.provider.getVersion(req.ref, req.version!);
    } catch (err) {
      const kept = unreachable(err) ? keptSchema(s, req.ref, req.version ?? null) : null;
      if (!kept) throw err;
      // The same snapshot a create stores with the prediction, so an offline run is queued with it.
      rememberInputSchema(s, kept.ref, req.version ?? null, !req.version, kept.inputSchema);
      return { ...kept, offline: true };
    }
    const d = detail(m, version);
    // predictions:create stores this snapshot with the prediction (the form was built from it).
    rememberInputSchema(s, d.ref, version?.id ?? null, latest, d.inputSchema);
    keepSchema(s, d, version?.id ?? null, latest);
    return d;
  },
  'models:versions': async (req, s) => (await s.provider.listVersions(req.ref)).map((v) => ({ id: v.id, createdAt: v.created_at ?? null })),
};
