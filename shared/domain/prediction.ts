import { z } from 'zod';
import { SAVE_STATES } from './status.ts';
import { PROVIDER_IDS } from './provider.ts';

// The renderer's view of one prediction. The backend owns the truth (SQLite); this is what crosses IPC.

export const OutputKind = z.enum(['image', 'video', 'audio', 'text', 'json', 'file']);
export type OutputKind = z.infer<typeof OutputKind>;

export const OutputState = z.enum(['pending', 'saving', 'saved', 'failed', 'expired', 'missing']);

export const OutputView = z.object({
  index: z.number().int(),
  kind: OutputKind,
  state: OutputState,
  mime: z.string().nullable(),
  size: z.number().nullable(),
  width: z.number().nullable(),
  height: z.number().nullable(),
  /** Path relative to the media vault; the renderer turns it into a URL with `window.kiln.mediaUrl`. */
  path: z.string().nullable(),
  thumbPath: z.string().nullable(),
  remoteUrl: z.string().nullable(),
});
export type OutputView = z.infer<typeof OutputView>;

export const Progress = z.object({
  percent: z.number().min(0).max(100),
  current: z.number().nullable(),
  total: z.number().nullable(),
});
export type Progress = z.infer<typeof Progress>;

export const PredictionError = z.object({
  /** Replicate's E#### code when there is one, or a Kiln code like `auth`, `billing`, `invalid_input`. */
  code: z.string().nullable(),
  message: z.string(),
});

/** How a group of runs came to be (ARCHITECTURE.md, "Workflows"): a batch of prompts, a compare of models, retries stacked. */
export const GroupKind = z.enum(['batch', 'compare', 'retry']);
export type GroupKind = z.infer<typeof GroupKind>;

export const PredictionView = z.object({
  id: z.string(), // Kiln's own id, stable from the click on (before the provider assigns one)
  provider: z.enum(PROVIDER_IDS),
  providerId: z.string().nullable(),
  model: z.string(), // owner/name
  version: z.string().nullable(),
  input: z.record(z.string(), z.unknown()),
  prompt: z.string().nullable(),
  /** `queued` | `submitting` | the provider's status, which may be one never seen before. */
  status: z.string(),
  saveState: z.enum(SAVE_STATES),
  createdAt: z.number(), // epoch ms
  startedAt: z.number().nullable(),
  completedAt: z.number().nullable(),
  /** When the current status was entered: drives "cold boot — starting 2:14". */
  statusSince: z.number(),
  timeline: z.array(z.object({ status: z.string(), at: z.number() })),
  progress: Progress.nullable(),
  logsTail: z.string(),
  /** Text output (streamed token by token, then final). */
  text: z.string().nullable(),
  error: PredictionError.nullable(),
  outputs: z.array(OutputView),
  /** Transient engine note the user should see, e.g. "Rate limited — retrying in 8 s". */
  note: z.string().nullable(),
  retryOf: z.string().nullable(),
  /** How many predictions share this one's original (itself included). */
  variantCount: z.number().int(),
  favourite: z.boolean(),
  webUrl: z.string().nullable(),
  /** Token counts where the provider reports them (language models), for per-token prices. */
  metrics: z
    .object({ predictTime: z.number().nullable(), totalTime: z.number().nullable(), inputTokens: z.number().optional(), outputTokens: z.number().optional() })
    .nullable(),
  /** When the provider deletes the outputs (created + retention), while not yet saved. */
  expiresAt: z.number().nullable(),
  /** The batch or compare this run is a member of (null: it ran alone). Optional: older backends do not send it. */
  groupId: z.string().nullable().optional(),
  groupKind: GroupKind.nullable().optional(),
  /** The member's place in its group (a compare's models in the order they were added). Optional: older backends and groups. */
  groupIndex: z.number().int().nullable().optional(),
  /** The seed it ran with (from its input, else as the model reported it); null when unknown. Optional: older backends. */
  seed: z.number().int().nullable().optional(),
  /**
   * Chain: the run whose output this run's input was made from (null: none). When that run was
   * deleted, `deleted` is true and its model and prompt are no longer known. Optional: older backends.
   */
  source: z.object({ id: z.string(), model: z.string().nullable(), prompt: z.string().nullable(), deleted: z.boolean().optional() }).nullable().optional(),
});
export type PredictionView = z.infer<typeof PredictionView>;

export const PredictionChanges = PredictionView.partial();
export type PredictionChanges = z.infer<typeof PredictionChanges>;

export const PredictionFilter = z.object({
  query: z.string().max(500).optional(),
  status: z.array(z.string()).optional(),
  model: z.string().optional(),
  /** Only this provider's runs (the gallery's provider filter). */
  provider: z.enum(PROVIDER_IDS).optional(),
  kind: OutputKind.optional(),
  favourite: z.boolean().optional(),
  from: z.number().optional(),
  to: z.number().optional(),
  /** Only the members of one group (a batch or compare). */
  groupId: z.string().max(100).optional(),
});
export type PredictionFilter = z.infer<typeof PredictionFilter>;
