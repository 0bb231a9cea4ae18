import { ProviderError, pydanticFieldErrors, retryAfterMs } from '../errors.ts';
import { LIMITS } from '../../../../shared/limits.ts';
import { parseJsonWithin } from '../../../../shared/json-shape.ts';

export { ProviderError };

// fal's HTTP failures as the same typed ProviderError the engine already understands (transient:
// worth trying again; ambiguous: the request may have been acted on, so a submit must be
// reconciled against request history before anything is re-sent). fal has two error dialects:
// queue/rest answer FastAPI's `{detail}` (a string or a pydantic list), the platform API
// `{error:{type, message}}` (reference §6, §12).

/** The human part of an error body, whatever the dialect; null when it has none. */
export function messageOf(body: unknown): string | null {
  if (typeof body === 'string') {
    // An ingress page (nginx HTML) says nothing useful beyond its status line.
    const text = body.trim();
    return text && !text.startsWith('<') ? text.slice(0, 300) : null;
  }
  if (!body || typeof body !== 'object') return null;
  const b = body as { detail?: unknown; error?: unknown; message?: unknown };
  if (typeof b.detail === 'string' && b.detail.trim()) return b.detail.trim();
  if (Array.isArray(b.detail)) {
    const parts = b.detail
      .map((d) => {
        const item = d as { loc?: unknown; msg?: unknown; type?: unknown };
        const loc = Array.isArray(item.loc) ? item.loc.filter((x) => x !== 'body').join('.') : '';
        // Not every endpoint sends `msg` (reference §6): its `type` (`image_too_large`) still says what is wrong.
        const msg = typeof item.msg === 'string' && item.msg ? item.msg : typeof item.type === 'string' && item.type ? item.type : null;
        return msg ? (loc ? `${loc}: ${msg}` : msg) : null;
      })
      .filter(Boolean);
    if (parts.length) return parts.join('; ');
  }
  if (b.error && typeof b.error === 'object' && typeof (b.error as { message?: unknown }).message === 'string') {
    return (b.error as { message: string }).message;
  }
  if (typeof b.message === 'string') return b.message;
  return null;
}

/**
 * What a body that is not JSON says, for a message: the text of an HTML page (its head, scripts and
 * tags left out), whitespace folded, at most 200 characters. Empty when it says nothing.
 */
export function bodySnippet(text: string): string {
  const plain = text
    .slice(0, 64 * 1024)
    .replace(/<(head|script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length > 200 ? `${plain.slice(0, 200)}…` : plain;
}

/** A 422's pydantic list → input field → message (fal's input is the request body). */
export const fieldErrors = (body: unknown) => pydanticFieldErrors(body, ['body']);

export interface ErrorContext {
  /** The request was a submit: a failure whose answer we never read may have created a job. */
  isSubmit: boolean;
  now?: number;
}

/** A non-2xx answer from a fal API host → ProviderError (for calls where any non-2xx is a failure of the call). */
export function errorFromResponse(status: number, headers: Headers | null, body: unknown, ctx: ErrorContext): ProviderError {
  const detail = messageOf(body);
  // fal's details often end in a period ("User is locked. Reason: TOP_UP."); the sentences below add their own.
  const said = detail ? `: ${detail.replace(/[\s.]+$/, '')}` : '';
  switch (true) {
    case status === 401:
      return new ProviderError({ code: 'auth', status, message: `fal rejected the API key${said}. Check it in Settings (or FAL_KEY).` });
    case status === 403:
      // fal answers 403 for a locked account (exhausted balance, admin lock), not for a bad key.
      return new ProviderError({ code: /balance|top up|lock/i.test(detail ?? '') ? 'billing' : 'auth', status, message: `fal refused the request${said}.` });
    case status === 404:
      return new ProviderError({ code: 'not_found', status, message: `Not found on fal${said}.` });
    case status === 413:
      return new ProviderError({ code: 'too_large', status, message: `Too large for fal${said}.` });
    case status === 422: {
      const fields = fieldErrors(body);
      return new ProviderError({ code: 'invalid_input', status, fields, message: `Invalid input${detail ? `: ${detail}` : ' (rejected by fal)'}` });
    }
    case status === 429: {
      // Rate limit or fal_max_queue_length: nothing was created, so even a submit is safe to re-send.
      const wait = retryAfterMs(headers, body, ctx.now);
      return new ProviderError({
        code: 'rate_limited',
        status,
        transient: true,
        retryAfterMs: wait,
        message: 'Rate limited by fal.', // the engine adds when it tries again
      });
    }
    case status === 408 || status >= 500:
      return new ProviderError({
        code: 'provider',
        status,
        transient: true,
        ambiguous: ctx.isSubmit,
        retryAfterMs: retryAfterMs(headers, body, ctx.now),
        message: `fal is having trouble (HTTP ${status})${said}.`,
      });
    default:
      return new ProviderError({ code: status >= 400 && status < 500 ? 'bad_request' : 'provider', status, message: `fal answered HTTP ${status}${said}.` });
  }
}

export function networkError(err: unknown, isSubmit: boolean): ProviderError {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  const cause = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
  const timedOut = e?.name === 'TimeoutError';
  // A refused connection or failed DNS means the request never left; anything else may have landed.
  const neverSent = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN/.test(cause);
  return new ProviderError({
    code: 'network',
    transient: true,
    ambiguous: isSubmit && !neverSent,
    message: `fal unreachable (${timedOut ? 'timed out' : cause}).`,
  });
}

export function malformedError(isSubmit: boolean, what: string): ProviderError {
  return new ProviderError({ code: 'provider', transient: true, ambiguous: isSubmit, message: `fal sent an unreadable response (${what}).` });
}

/**
 * The exception a fal app crashed with, from its logs. fal's runtime answers any unhandled
 * exception with a bare `{"detail":"Internal Server Error"}` and prints the traceback as one log
 * line, `{"traceback": …}`, its parts newest first (fal-ai/fal `fal/api/api.py`,
 * traceback_logging_exception_handler): the run's error can name the exception instead.
 */
export function crashOf(logs: readonly { message: string }[] | null): string | null {
  for (const entry of [...(logs ?? [])].reverse()) {
    const text = entry.message.trim();
    if (!text.startsWith('{') || !text.includes('"traceback"') || text.length > 256 * 1024) continue;
    let tb: unknown;
    try {
      tb = (parseJsonWithin(text, LIMITS.apiResponseShape) as { traceback?: unknown }).traceback;
    } catch {
      continue;
    }
    if (typeof tb !== 'string') continue;
    const lines = tb.split('\n').filter((l) => l.trim());
    // The exception lines: not indented (frames are), not the headers between chained exceptions.
    const raised = lines.filter((l) => !/^\s/.test(l) && !/^(Traceback \(most recent call last\):|During handling of|The above exception)/.test(l));
    // Newest first as fal prints it; a traceback in Python's own order has its last exception last.
    const line = /^Traceback/.test(lines[0] ?? '') ? raised.at(-1) : raised[0];
    if (line) return line.trim().slice(0, 300);
  }
  return null;
}
