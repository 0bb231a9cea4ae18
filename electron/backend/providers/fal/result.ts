import { ProviderError, bodySnippet, fieldErrors, malformedError, messageOf } from './errors.ts';
import type { RawResponse } from './transport.ts';
import { RESULT_UNREAD } from '../../../../shared/domain/cost.ts';

// The decision at fal's result fetch (reference §6), the only place a fal job's success or failure
// is told: every answer is either final about this request (succeeded, failed, aborted, canceled,
// expired) or thrown as transient trouble, fetched again. The trap in both directions: a final
// answer read as trouble is fetched until fal deletes the result (the run never ends), and trouble
// read as final ends a run that may have succeeded.

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

/**
 * A 200 too large to read (bytes or JSON shape; most likely files inline, sync_mode): the same
 * every time it is asked, so the run ends saying what to do rather than being fetched again until
 * fal forgets it. fal ran it and bills it (hence the 200); what it made is not known.
 */
export function unreadResult(why: string): FalResult {
  return {
    outcome: 'failed',
    message: `${why.replace(/\.$/, '')}. If the run asked for sync_mode (files inside the answer), run it again without it to have them as links.`,
    httpStatus: 200,
    errorType: RESULT_UNREAD,
    invalidInput: false,
    retryable: null,
  };
}

/**
 * A 404's detail that says the request itself is unknown (fal's "Request … not found", or a bare
 * "not found", or nothing at all): the result is gone. Any other detail is the model's own answer
 * ("Image at … could not be downloaded") and that run's failure.
 */
function requestGone(detail: string | null): boolean {
  if (!detail) return true;
  return /^(not found|(the )?(request|result)\b.*\b(not found|expired|does not exist|no longer (exists|available)))\.?$/i.test(detail.trim());
}

/** The end told by the result answer `r` for request `requestId`, or a thrown ProviderError (transient unless it is about the key or the budget). */
export function decideResult(r: RawResponse, requestId: string, failure: (r: RawResponse) => ProviderError): FalResult {
  if (r.status === 200) {
    if (r.tooComplex) return unreadResult(`fal's answer was not read: ${r.tooComplex}, over Kiln's limit for one API response`);
    if (!r.json || typeof r.json !== 'object' || Array.isArray(r.json)) throw malformedError(false, 'result is not a JSON object');
    return { outcome: 'succeeded', output: r.json as Record<string, unknown>, requestId: r.requestId ?? requestId };
  }
  // Only 200 carries the result (§6); another 2xx (a 202 "still running") is not it: look again.
  if (r.ok)
    throw new ProviderError({
      code: 'provider',
      status: r.status,
      transient: true,
      message: `fal's result address answered HTTP ${r.status}, not the result: trying again.`,
    });
  const body = r.json;
  const isObject = body !== undefined && body !== null && typeof body === 'object';
  const message = messageOf(body) ?? `HTTP ${r.status}`;
  const typeInBody = isObject ? (body as { error_type?: unknown }).error_type : undefined;
  const errorType = r.headers.get('x-fal-error-type') || (typeof typeInBody === 'string' && typeInBody ? typeInBody.slice(0, 100) : null);
  const failed = (msg: string): FalResult & { outcome: 'failed' } => ({
    outcome: 'failed',
    message: msg,
    httpStatus: r.status,
    errorType,
    invalidInput: false,
    retryable: null,
  });
  if (r.status === 504 && r.headers.get('x-fal-request-timeout-type') === 'user')
    return { outcome: 'aborted', message: `Not started before the deadline: ${message}` };
  if (r.status === 401 || r.status === 403 || r.status === 429) throw failure(r);
  // Only fal's own answer (JSON) speaks of the request; a proxy's page or an empty 404 says
  // nothing about the job, and reading it as "expired" would lose a finished run's outputs.
  if (r.status === 404) {
    if (!isObject)
      throw new ProviderError({
        code: 'provider',
        status: 404,
        transient: true,
        message: "fal's result address answered 404 without fal's answer: trying again.",
      });
    // The app's own 404 ("Path /x not found", fal-ai/fal `fal/api/api.py`) or a model's ("Image at …
    // could not be downloaded"): an answer about this run, not a result that has expired.
    if (!requestGone(messageOf(body))) return failed(message);
    return { outcome: 'expired', message: `fal no longer has this result: ${message}` };
  }
  if (r.status === 400 && /still in progress|not (yet )?completed/i.test(message)) {
    throw new ProviderError({ code: 'provider', status: 400, transient: true, message: 'fal says the request is still in progress.' });
  }
  // Any other 4xx but 408 is an answer, JSON or not: it is the same each time it is asked, so
  // fetching it again would follow the run forever. What the body says goes with it, bounded.
  if (!isObject && r.status >= 400 && r.status < 500 && r.status !== 408) {
    const said = bodySnippet(r.text);
    return failed(`fal answered HTTP ${r.status}${said ? `: ${said}` : ''}`);
  }
  // A proxy's or the platform's own error (no JSON, or not about this request) says nothing
  // about the job: fetch again later. fal tags its answers about a request with its id, and its
  // request errors with their type (reference §6) — the type is enough where the id is missing
  // or another (a platform retry has its own id).
  const aboutThis = isObject && (r.requestId === requestId || errorType !== null || r.status < 500);
  if (!aboutThis) throw failure(r);
  if (r.status === 499 || errorType === 'client_cancelled') return { outcome: 'canceled', message };
  const retryHeader = r.headers.get('x-fal-retryable') ?? r.headers.get('x-fal-needs-retry');
  const invalidInput = r.status === 422;
  return {
    ...failed(message),
    invalidInput,
    ...(invalidInput ? { fields: fieldErrors(body) } : {}),
    retryable: retryHeader === null ? null : retryHeader === 'true',
  };
}
