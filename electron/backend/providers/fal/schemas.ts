import { z } from 'zod';

// fal's wire shapes (shared/reference/fal-api.md), read as loosely as the reference demands:
// unknown keys are kept, every field the platform may omit is optional, `status` is an open string
// (ARCHITECTURE.md, "Runs and their lifecycle": a status never seen before is followed, not raised on), and of a log entry only
// `message` is required (the legacy stream sends `{timestamp, message, labels}`).
// Of a submit answer only `request_id` is required, of a status only `status` (reference §3, §4):
// any other field of the wrong type (`queue_position: "0"`, `metrics: []`) reads as absent, since
// refusing the whole answer for it would lose a submit or stall a run on a detail it does not need.

const str = z.string();
const optStr = z.string().nullish();
/** A string, else absent: for fields nothing depends on. */
const looseStr = z.string().nullish().catch(undefined);
/** Requests ahead in fal's queue: a whole number ≥ 0, else unknown. */
const position = z.number().int().min(0).nullish().catch(undefined);

export const submitSchema = z.looseObject({
  request_id: str.min(1),
  status: looseStr,
  response_url: looseStr,
  status_url: looseStr,
  cancel_url: looseStr,
  queue_position: position,
});

export const logEntrySchema = z.looseObject({
  message: z.string(),
  level: looseStr,
  source: looseStr,
  timestamp: looseStr,
});

export const statusSchema = z.looseObject({
  status: str.min(1),
  request_id: looseStr,
  response_url: looseStr,
  status_url: looseStr,
  cancel_url: looseStr,
  queue_position: position,
  // A malformed entry is dropped, not fatal: the status itself is what the engine needs.
  logs: z.array(z.unknown()).nullish().catch(undefined),
  metrics: z
    .looseObject({ inference_time: z.number().nullish().catch(undefined) })
    .nullish()
    .catch(undefined),
  error: z.unknown().optional(),
  error_type: looseStr,
});

export const cancelSchema = z.looseObject({ status: optStr, success: z.boolean().optional().catch(undefined) });

/** 422 detail items (pydantic style); `detail` may also be a plain string (reference §6). */
export const detailItemSchema = z.looseObject({
  loc: z.array(z.union([z.string(), z.number()])).optional(),
  msg: z.string().optional(),
  type: z.string().optional(),
  url: z.string().optional(),
  ctx: z.unknown().optional(),
});

export const modelSchema = z.looseObject({
  endpoint_id: str.min(1),
  metadata: z
    .looseObject({
      display_name: optStr,
      category: optStr,
      description: optStr,
      status: optStr,
      tags: z.array(z.string()).nullish(),
      thumbnail_url: optStr,
      model_url: optStr,
      duration_estimate: z.number().nullish(),
    })
    .nullish(),
  openapi: z.unknown().optional(),
});

export const modelsPageSchema = z.looseObject({
  models: z.array(z.unknown()),
  next_cursor: optStr,
  has_more: z.boolean().nullish(),
});

export const priceSchema = z.looseObject({
  endpoint_id: str,
  unit_price: z.number(),
  unit: str,
  currency: str,
});

export const pricesPageSchema = z.looseObject({ prices: z.array(z.unknown()), next_cursor: optStr, has_more: z.boolean().nullish() });

export const historyItemSchema = z.looseObject({
  request_id: str.min(1),
  endpoint_id: optStr,
  sent_at: optStr,
  started_at: optStr,
  ended_at: optStr,
  status_code: z.number().int().nullish(),
  duration: z.number().nullish(),
  // An object when fal keeps the payload; anything else is as good as none (never a refusal of the item).
  json_input: z.record(z.string(), z.unknown()).optional().catch(undefined),
  json_output: z.unknown().optional(),
});

export const historyPageSchema = z.looseObject({ items: z.array(z.unknown()), next_cursor: optStr, has_more: z.boolean().nullish() });

export const billingEventSchema = z.looseObject({
  request_id: str.min(1),
  endpoint_id: optStr,
  timestamp: optStr,
  output_units: z.number().nullish(),
  unit_price: z.number().nullish(),
  cost_total: z.number(),
});

export const billingPageSchema = z.looseObject({ billing_events: z.array(z.unknown()), next_cursor: optStr, has_more: z.boolean().nullish() });

export const initiateSchema = z.looseObject({ upload_url: str.min(1), file_url: str.min(1) });
export const partSchema = z.looseObject({ partNumber: z.number().int(), etag: str.min(1) });

export type FalLogEntry = z.infer<typeof logEntrySchema>;
export type FalHistoryItem = z.infer<typeof historyItemSchema>;
