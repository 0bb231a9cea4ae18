import { ProviderError, malformedError, messageOf } from './errors.ts';
import { parseEndpointId, requestUrls } from './endpoint.ts';
import { cancelSchema, logEntrySchema, statusSchema, submitSchema, type FalLogEntry } from './schemas.ts';
import type { FalTransport, RawResponse } from './transport.ts';
import { decideResult, unreadResult, type FalResult } from './result.ts';

export type { FalResult } from './result.ts';

// fal's queue API (reference §3–§7). The trap this file exists to avoid: a fal job never says
// FAILED. Every job ends COMPLETED, and only the result fetch tells success from failure, so
// `result()` is what decides a run's end — and it must tell fal's answer *about this request*
// (final) from a proxy's or the platform's own trouble (transient, fetch again).

export interface FalRequestRef {
  endpointId: string;
  requestId: string;
  /** The URLs submit returned; used when they are under the configured queue URL, else rebuilt. */
  statusUrl?: string | null;
  responseUrl?: string | null;
  cancelUrl?: string | null;
}

export interface SubmitRequest {
  endpointId: string;
  input: Record<string, unknown>;
  /** Give up if not started by then (epoch ms): sent as `x-fal-request-timeout`, the seconds left. */
  startDeadlineAt?: number | null;
  /** Lifetime of generated media (seconds; null = keep): `x-fal-object-lifecycle-preference`. */
  objectLifecycle?: { expirationSeconds: number | null } | null;
  priority?: 'normal' | 'low';
  signal?: AbortSignal;
}

export interface FalSubmitted extends Required<Pick<FalRequestRef, 'endpointId' | 'requestId'>> {
  statusUrl: string;
  responseUrl: string;
  cancelUrl: string;
  queuePosition: number | null;
}

export interface FalStatus {
  /** IN_QUEUE | IN_PROGRESS | COMPLETED, or a status never seen before (not terminal). */
  status: string;
  queuePosition: number | null;
  /** Cumulative when polled with logs; only the new entries on a stream event; null when not asked. */
  logs: FalLogEntry[] | null;
  inferenceTimeS: number | null;
  /** Present on some failed COMPLETED statuses only; the result fetch is the authority. */
  error: string | null;
  errorType: string | null;
}

export type CancelOutcome = 'requested' | 'already-completed' | 'not-found' | 'refused';

/** Seconds left before the deadline, as fal wants it; fal's clients refuse ≤ 1 s. */
export function requestTimeoutHeader(deadlineAt: number, now: number): string {
  const secs = Math.floor((deadlineAt - now) / 100) / 10;
  if (!(secs > 1)) throw new ProviderError({ code: 'bad_request', message: "The run's start deadline has already passed: nothing was sent to fal." });
  return secs.toFixed(1);
}

export function parseStatus(value: unknown, isSubmit = false): FalStatus {
  const parsed = statusSchema.safeParse(value);
  if (!parsed.success) throw malformedError(isSubmit, 'status without a status field');
  const s = parsed.data;
  const logs = s.logs
    ? s.logs.flatMap((e) => {
        const r = logEntrySchema.safeParse(e);
        return r.success ? [r.data] : [];
      })
    : null;
  const error = typeof s.error === 'string' ? s.error : s.error != null ? (messageOf(s.error) ?? JSON.stringify(s.error).slice(0, 300)) : null;
  return {
    status: s.status,
    queuePosition: s.queue_position ?? null,
    logs,
    inferenceTimeS: s.metrics?.inference_time ?? null,
    error,
    errorType: s.error_type ?? null,
  };
}

/** `owner/app[/…]`: two or more segments, none starting with a dot (no `..`), nothing but letters, digits, `_`, `.`, `-`. */
const APP_PATH = /^[A-Za-z0-9][\w.-]*(\/[A-Za-z0-9][\w.-]*)+$/;

export function createQueueApi(t: FalTransport, now: () => number) {
  /**
   * The request's URLs: those fal gave (reference §2, "prefer the *_url fields"), when each is this
   * request's URL of its kind on the configured queue — `…/<app path>/requests/<id>[/status|/cancel]`,
   * no query, no dot segments; else built from the endpoint id.
   */
  const urls = (ref: FalRequestRef) => {
    const built = requestUrls(t.bases.queueUrl, ref.endpointId, ref.requestId);
    const pick = (given: string | null | undefined, fallback: string, suffix: string) => {
      const url = given?.replace(/\/+$/, '') ?? '';
      const tail = `/requests/${encodeURIComponent(ref.requestId)}${suffix}`;
      const app = url.startsWith(`${t.bases.queueUrl}/`) && url.endsWith(tail) ? url.slice(t.bases.queueUrl.length + 1, -tail.length) : '';
      return APP_PATH.test(app) ? url : fallback;
    };
    return {
      statusUrl: pick(ref.statusUrl, built.statusUrl, '/status'),
      responseUrl: pick(ref.responseUrl, built.responseUrl, ''),
      cancelUrl: pick(ref.cancelUrl, built.cancelUrl, '/cancel'),
    };
  };

  return {
    urls,

    async submit(req: SubmitRequest): Promise<FalSubmitted> {
      const headers: Record<string, string> = { 'x-fal-queue-priority': req.priority ?? 'normal' };
      if (req.startDeadlineAt != null) headers['x-fal-request-timeout'] = requestTimeoutHeader(req.startDeadlineAt, now());
      if (req.objectLifecycle)
        headers['x-fal-object-lifecycle-preference'] = JSON.stringify({ expiration_duration_seconds: req.objectLifecycle.expirationSeconds });
      const url = `${t.bases.queueUrl}/${parseEndpointId(req.endpointId).id}`;
      const r = await t.call('POST', url, { kind: 'create', json: req.input, headers, isSubmit: true, signal: req.signal });
      if (!r.ok) throw t.failure(r, { kind: 'create', isSubmit: true });
      const parsed = submitSchema.safeParse(r.json);
      // A 2xx without a request id may still have created a job: ambiguous, reconcile first.
      if (!parsed.success) throw malformedError(true, 'submit answer without a request_id');
      const s = parsed.data;
      const u = urls({ endpointId: req.endpointId, requestId: s.request_id, statusUrl: s.status_url, responseUrl: s.response_url, cancelUrl: s.cancel_url });
      return { endpointId: req.endpointId, requestId: s.request_id, ...u, queuePosition: s.queue_position ?? null };
    },

    async status(ref: FalRequestRef, opts: { logs?: boolean; signal?: AbortSignal } = {}): Promise<FalStatus> {
      const r = await t.call('GET', `${urls(ref).statusUrl}?logs=${opts.logs ? 1 : 0}`, { signal: opts.signal });
      if (!r.ok) throw t.failure(r);
      return parseStatus(t.jsonObject(r, false));
    },

    /** GET the result of a COMPLETED request: the only place a fal job's success or failure is told (result.ts). */
    async result(ref: FalRequestRef, opts: { signal?: AbortSignal } = {}): Promise<FalResult> {
      let r: RawResponse;
      try {
        r = await t.call('GET', urls(ref).responseUrl, { signal: opts.signal });
      } catch (err) {
        if (err instanceof ProviderError && err.code === 'too_large') return unreadResult(err.message);
        throw err;
      }
      return decideResult(r, ref.requestId, t.failure);
    },

    async cancel(ref: FalRequestRef, opts: { signal?: AbortSignal } = {}): Promise<CancelOutcome> {
      const r = await t.call('PUT', urls(ref).cancelUrl, { signal: opts.signal });
      const said = cancelSchema.safeParse(r.json);
      const status = said.success ? said.data.status : null;
      // The body decides before the code: the documented values (`OK`, `NOT_FOUND`) come with
      // unverified codes, and the per-model OpenAPI still documents an older `200 {success}` body,
      // whose `false` is a cancel that did not happen (reference §7).
      if (status === 'ALREADY_COMPLETED') return 'already-completed';
      if (status === 'NOT_FOUND' || r.status === 404) return 'not-found';
      if (r.ok) return said.success && said.data.success === false ? 'refused' : 'requested';
      throw t.failure(r);
    },
  };
}

export type FalQueueApi = ReturnType<typeof createQueueApi>;
