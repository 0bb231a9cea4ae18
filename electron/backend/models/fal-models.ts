import type { ModelDetail, ModelSummary } from '../../../shared/domain/model.ts';
import { runRef } from '../../../shared/domain/provider.ts';
import type { FalClient, FalModel } from '../providers/fal/client.ts';

// fal's platform models as the composer's ModelSummary/ModelDetail (ARCHITECTURE.md, "Fixed interfaces": refs are
// `fal:ENDPOINT_ID`). fal has no versions: an endpoint always runs its current code, so a fal
// model is "official" in Kiln's sense (run without a version) and has no latest version id.

/** fal endpoints the picker opens with beside Replicate's featured collection: images, upscaling, video. */
export const FAL_FEATURED = ['fal-ai/flux/schnell', 'fal-ai/flux/dev', 'fal-ai/esrgan', 'fal-ai/kling-video/v2.1/master/text-to-video'];

export const falRef = (endpointId: string) => runRef({ provider: 'fal', model: endpointId });

export function falSummary(m: FalModel): ModelSummary {
  return {
    ref: falRef(m.endpointId),
    provider: 'fal',
    owner: m.endpointId.split('/')[0] ?? m.endpointId,
    // fal's display names ("FLUX.1 [dev]") are what people know these endpoints by.
    name: m.displayName || m.endpointId,
    description: m.description,
    // Only an https thumbnail is shown (the page's CSP allows no other remote images).
    coverImageUrl: m.thumbnailUrl && /^https:\/\//i.test(m.thumbnailUrl) ? m.thumbnailUrl : null,
    runCount: null,
  };
}

/** One endpoint with its OpenAPI input schema, in the shape shared/schema-form.ts renders. */
export async function falDetail(fal: FalClient, endpointId: string): Promise<ModelDetail> {
  const { model, schema } = await fal.getModel(endpointId);
  return {
    ...falSummary(model),
    latestVersionId: null,
    official: true,
    // The Input object with every component beside it, so its `$ref`s (ImageSize, enums) resolve
    // the same way as Replicate's (shared/schema-form.ts reads `components.schemas`).
    inputSchema: { ...schema.input, components: { schemas: schema.components } },
    outputSchema: schema.output,
  };
}

/** fal's search; the empty query lists the featured endpoints (one request: endpoint_id repeated). */
export async function falSearch(fal: FalClient, query: string, signal?: AbortSignal): Promise<ModelSummary[]> {
  const { models } = await fal.searchModels(query, { limit: 24, signal, ...(query ? {} : { endpointIds: FAL_FEATURED }) });
  const list = models.filter((m) => m.status !== 'deprecated').map(falSummary);
  if (query) return list;
  // Featured: in the order chosen above, whatever order the platform answered in.
  return FAL_FEATURED.map((id) => list.find((m) => m.ref === falRef(id))).filter((m): m is ModelSummary => !!m);
}
