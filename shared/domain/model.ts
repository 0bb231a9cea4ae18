import { z } from 'zod';
import { PROVIDER_IDS } from './provider.ts';

// A model as the composer needs it. `inputSchema` is the OpenAPI `Input` object schema as the
// provider sent it (properties with x-order, defaults, min/max, enums, format uri); shared/schema-form.ts
// turns it into form fields.
export const ModelSummary = z.object({
  /** `owner/name` for Replicate, `fal:ENDPOINT_ID` for fal (ARCHITECTURE.md, "Fixed interfaces"): what models:get and predictions:create take. */
  ref: z.string(),
  /** Which provider runs it. Defaults to Replicate so schemas kept before there were two still parse. */
  provider: z.enum(PROVIDER_IDS).default('replicate'),
  owner: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  coverImageUrl: z.string().nullable(),
  runCount: z.number().nullable(),
});
export type ModelSummary = z.infer<typeof ModelSummary>;

export const ModelDetail = ModelSummary.extend({
  latestVersionId: z.string().nullable(),
  /** Official models run through the model endpoint without a version; others need one. */
  official: z.boolean().default(false),
  inputSchema: z.record(z.string(), z.unknown()).nullable(),
  outputSchema: z.record(z.string(), z.unknown()).nullable(),
  /** Served from the copy kept in the data folder because the provider could not be reached. */
  offline: z.boolean().optional(),
  /** When this schema was fetched from the provider (epoch ms); set on the kept copy. */
  fetchedAt: z.number().optional(),
});
export type ModelDetail = z.infer<typeof ModelDetail>;

export const ModelVersion = z.object({ id: z.string(), createdAt: z.string().nullable() });

/** How the studio names a provider (badges, key sections, messages). */
export { PROVIDER_LABELS } from './provider.ts';
