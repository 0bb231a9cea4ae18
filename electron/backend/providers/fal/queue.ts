import { ProviderError, fieldErrors, malformedError, messageOf } from './errors.ts';
import { parseEndpointId, requestUrls } from './endpoint.ts';
import { cancelSchema, logEntrySchema, statusSchema, submitSchema, type FalLogEntry } from './schemas.ts';
import type { FalTransport, RawResponse } from './transport.ts';
import { RESULT_UNREAD } from '../../../../shared/domain/cost.ts';

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

export type FalResult =
  | { outcome: 'succeeded'; output: Record<string, unknown>; requestId: string }
  | {
      outcome: 'failed';
      message: string;
      httpStatus: number;
      errorType: string | null;
      invalidInput: boolean;
      fields?: Record<string, string>;
      retryable: boolean | null;
    }
  /** The start deadline (`x-fal-request-timeout`) passed before a runner took it: not billed. */
  | { outcome: 'aborted'; message: string }
  | { outcome: 'canceled'; message: string }
  /** The result is no longer kept (1 h after completion, 6 min for results ≥ 10 KB). */
  | { outcome: 'expired'; message: string };

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

export function createQueueApi(t: FalTransport, now: () => number) {
  const urls = (ref: FalRequestRef) => {
    const built = requestUrls(t.bases.queueUrl, ref.endpointId, ref.requestId);
    const pick = (given: string | null | undefined, fallback: string) => (given && t.trustedForKey(given) ? given.replace(/\/+$/, '') : fallback);
    return {
      statusUrl: pick(ref.statusUrl, built.statusUrl),
      responseUrl: pick(ref.responseUrl, built.responseUrl),
      cancelUrl: pick(ref.cancelUrl, built.cancelUrl),
    };
  };

  /** The decision at the result fetch: final answers about this request, or a thrown transient error. */
  function decideResult(r: RawResponse, ref: FalRequestRef): FalResult {
    if (r.ok) {
      if (!r.json || typeof r.json !== 'object' || Array.isArray(r.json)) throw malformedError(false, 'result is not a JSON object');
      return { outcome: 'succeeded', output: r.json as Record<string, unknown>, requestId: r.requestId ?? ref.requestId };
    }
    const body = r.json;
    const message = messageOf(body) ?? `HTTP ${r.status}`;
    const typeInBody = body && typeof body === 'object' ? (body as { error_type?: unknown }).error_type : undefined;
    const errorType = r.headers.get('x-fal-error-type') || (typeof typeInBody === 'string' && typeInBody ? typeInBody.slice(0, 100) : null);
    if (r.status === 504 && r.headers.get('x-fal-request-timeout-type') === 'user')
      return { outcome: 'aborted', message: `Not started before the deadline: ${message}` };
    if (r.status === 401 || r.status === 403 || r.status === 429) throw t.failure(r);
    // Only fal's own answer (JSON) says the result is gone; a proxy's page or an empty 404 says
    // nothing about the job, and reading it as "expired" would lose a finished run's outputs.
    if (r.status === 404) {
      // The app's own 404 ("Path /x not found", fal-ai/fal `fal/api/api.py`): the request was sent to
      // a path the app does not serve. An answer about this run, not a result that has expired.
      if (body && typeof body === 'object' && /^Path \S* not found$/.test(message))
        return { outcome: 'failed', message, httpStatus: 404, errorType, invalidInput: false, retryable: null };
      if (body && typeof body === 'object') return { outcome: 'expired', message: `fal no longer has this result: ${message}` };
      throw new ProviderError({
        code: 'provider',
        status: 404,
        transient: true,
        message: "fal's result address answered 404 without fal's answer: trying again.",
      });
    }
    if (r.status === 400 && /still in progress|not (yet )?completed/i.test(message)) {
      throw new ProviderError({ code: 'provider', status: 400, transient: true, message: 'fal says the request is still in progress.' });
    }
    // A proxy's or the platform's own error (no JSON, or not about this request) says nothing
    // about the job: fetch again later. fal tags its answers about a request with its id, and its
    // request errors with their type (reference §6) — the type is enough where the id is missing
    // or another (a platform retry has its own id).
    const aboutThis =
      body !== undefined && body !== null && typeof body === 'object' && (r.requestId === ref.requestId || errorType !== null || r.status < 500);
    if (!aboutThis) throw t.failure(r);
    if (r.status === 499 || errorType === 'client_cancelled') return { outcome: 'canceled', message };
    const retryHeader = r.headers.get('x-fal-retryable') ?? r.headers.get('x-fal-needs-retry');
    const invalidInput = r.status === 422;
    return {
      outcome: 'failed',
      message,
      httpStatus: r.status,
      errorType,
      invalidInput,
      ...(invalidInput ? { fields: fieldErrors(body) } : {}),
      retryable: retryHeader === null ? null : retryHeader === 'true',
    };
  }

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

    /** GET the result of a COMPLETED request: the only place a fal job's success or failure is told. */
    async result(ref: FalRequestRef, opts: { signal?: AbortSignal } = {}): Promise<FalResult> {
      let r: RawResponse;
      try {
        r = await t.call('GET', urls(ref).responseUrl, { signal: opts.signal });
      } catch (err) {
        // Over the bound for one answer (most likely files inline, sync_mode): the same every time
        // it is asked, so the run ends saying what to do rather than being fetched again until fal
        // forgets it. fal ran it and bills it (hence the 200); what it made is not known.
        if (err instanceof ProviderError && err.code === 'too_large')
          return {
            outcome: 'failed',
            message: `${err.message.replace(/\.$/, '')}. If the run asked for sync_mode (files inside the answer), run it again without it to have them as links.`,
            httpStatus: 200,
            errorType: RESULT_UNREAD,
            invalidInput: false,
            retryable: null,
          };
        throw err;
      }
      return decideResult(r, ref);
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
