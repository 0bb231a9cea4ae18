import type { HandlerMap } from './types.ts';
import type { ModelDetail, ModelSummary } from '../../../../shared/domain/model.ts';
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
    const m = await s.provider.getModel(req.ref);
    const latest = !req.version || req.version === m.latest_version?.id;
    const version = latest ? (m.latest_version ?? null) : await s.provider.getVersion(req.ref, req.version!);
    const d = detail(m, version);
    // predictions:create stores this snapshot with the prediction (the form was built from it).
    rememberInputSchema(s, d.ref, version?.id ?? null, latest, d.inputSchema);
    return d;
  },
  'models:versions': async (req, s) => (await s.provider.listVersions(req.ref)).map((v) => ({ id: v.id, createdAt: v.created_at ?? null })),
};
