import type { FetchLike } from '../../types.ts';
import { createPlatformApi } from './platform.ts';
import { createQueueApi, type FalRequestRef } from './queue.ts';
import { createStorageApi } from './storage.ts';
import type { ResolveHost } from '../../net/trust.ts';
import { streamStatus, type StatusStreamOptions } from './stream.ts';
import { FAL_DEFAULT_BASES, createTransport, type FalBases } from './transport.ts';

// The fal HTTP client (shared/reference/fal-api.md): queue (submit, status, status stream, result,
// cancel), storage upload, and the platform API (models, schemas, prices, request history).
// Written against fetch rather than `@fal-ai/client`: that client retries submits on 5xx and
// transport errors (a lost answer can become two jobs), hides the response headers, and its
// `subscribe` polls every 500 ms. This one sends one request per call, never retries by itself
// (the engine owns retries and the request budget), sends the key only to fal's API hosts, and
// turns every failure into a typed ProviderError with transient/ambiguous flags.

export type { FalRequestRef, FalSubmitted, FalStatus, FalResult, CancelOutcome, SubmitRequest } from './queue.ts';
export type { FalModel, FalInputSchema, FalPrice, FalCharge } from './platform.ts';
export type { UploadOptions } from './storage.ts';
export type { StatusStreamOptions } from './stream.ts';
export type { FalBases, FalCounters, RequestGate, RequestKind } from './transport.ts';
export type { FalHistoryItem, FalLogEntry } from './schemas.ts';
export { ProviderError } from './errors.ts';
export { parseEndpointId } from './endpoint.ts';
export { FAL_DEFAULT_BASES } from './transport.ts';

export interface FalClientOptions {
  /** queue.fal.run, api.fal.ai/v1 and rest.fal.ai unless overridden (KILN_FAL_*_URL, simulator). */
  bases?: Partial<FalBases>;
  fetch: FetchLike;
  /** The FAL_KEY (`key_id:key_secret`), read per request so a newly saved key applies at once. */
  getKey: () => Promise<string | null>;
  userAgent: string;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
  /** Clock for the start deadline (default Date.now). */
  now?: () => number;
  /** Uploads larger than this go multipart (default 90 MiB, like fal's clients). */
  multipartThreshold?: number;
  /** Multipart part size (default 10 MiB). */
  partBytes?: number;
  /** Where an upload URL's host name leads (net/resolve.ts): one resolving to a private address is refused. */
  resolveHost?: ResolveHost;
}

export function createFalClient(opts: FalClientOptions) {
  const bases: FalBases = { ...FAL_DEFAULT_BASES, ...opts.bases };
  const t = createTransport({ bases, fetch: opts.fetch, getKey: opts.getKey, userAgent: opts.userAgent, timeoutMs: opts.timeoutMs });
  const queue = createQueueApi(t, opts.now ?? Date.now);
  const storage = createStorageApi(t, { multipartThreshold: opts.multipartThreshold, partBytes: opts.partBytes, resolveHost: opts.resolveHost });
  const platform = createPlatformApi(t);
  return {
    bases: t.bases,
    counters: t.counters,
    /** May this URL receive the key? Only under the configured queue/api/storage bases. */
    trustedForKey: t.trustedForKey,
    setGate: t.setGate,
    submit: queue.submit,
    status: queue.status,
    streamStatus: (ref: FalRequestRef, o: StatusStreamOptions) => streamStatus(t, queue, ref, o),
    result: queue.result,
    cancel: queue.cancel,
    upload: storage.upload,
    searchModels: platform.searchModels,
    getModel: platform.getModel,
    pricing: platform.pricing,
    requestHistory: platform.requestHistory,
    charges: platform.charges,
  };
}

export type FalClient = ReturnType<typeof createFalClient>;
