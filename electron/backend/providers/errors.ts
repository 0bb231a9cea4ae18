import { KilnError, type KilnErrorData } from '../../../shared/ipc.ts';
import { LIMITS } from '../../../shared/limits.ts';

// The provider-neutral error every provider throws (ARCHITECTURE.md, "Runs and their lifecycle", §4), and the one parser of a
// server's "wait this long" that providers need. Providers import nothing of the engine: the engine
// reads these four facts and decides — is it worth trying again (`transient`), could the server have
// acted on it anyway (`ambiguous`: a submit whose answer we never got may exist), how long the
// server asked us to wait (`retryAfterMs`), and the HTTP status when there was one. The `code`
// (auth, rate_limited, network, …) is the IPC error code the renderer and the CLI act on.

export class ProviderError extends KilnError {
  readonly status: number | null;
  readonly transient: boolean;
  readonly retryAfterMs: number | null;
  /** The request may have reached the server and been acted on (never re-send a create blindly). */
  readonly ambiguous: boolean;
  constructor(data: KilnErrorData & { status?: number | null; transient?: boolean; retryAfterMs?: number | null; ambiguous?: boolean }) {
    // Bounded here, whatever a provider's parser read: the message and the field errors come from a
    // server's body and end up on a card, in the history and in the logs.
    const fields = data.fields ? boundFields(data.fields) : undefined;
    super({ code: data.code, message: clip(data.message, LIMITS.errorTextChars), ...(fields ? { fields } : {}) });
    this.name = 'ProviderError';
    this.status = data.status ?? null;
    this.transient = data.transient ?? false;
    this.retryAfterMs = data.retryAfterMs ?? null;
    this.ambiguous = data.ambiguous ?? false;
  }
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

/** Field errors shown beside the composer's fields: a form's worth, each a line or two. */
const MAX_FIELD_ERRORS = 50;
const MAX_FIELD_ERROR_CHARS = 1_000;

function boundFields(fields: Record<string, string>): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const [name, message] of Object.entries(fields).slice(0, MAX_FIELD_ERRORS)) out[clip(name, 200)] = clip(String(message), MAX_FIELD_ERROR_CHARS);
  return Object.keys(out).length ? out : undefined;
}

export function isTransient(err: unknown): boolean {
  return err instanceof ProviderError ? err.transient : !(err instanceof KilnError);
}

/**
 * The longest wait a server's word buys: a longer one is read as this. Rate-limit windows are a
 * minute; one request every two minutes costs nothing, while a `Retry-After: 86400` (a bug, a
 * proxy's maintenance page, a hostile server) taken at its word would stop every run for a day.
 */
export const RETRY_AFTER_MAX_MS = 120_000;

/**
 * How long the server asked us to wait: the `Retry-After` header (seconds or an HTTP date), else
 * the DRF throttle body "Expected available in N seconds"; at most RETRY_AFTER_MAX_MS. null when
 * neither says.
 */
export function retryAfterMs(headers: Headers | null, body: unknown, now: number = Date.now()): number | null {
  const asked = askedWaitMs(headers, body, now);
  return asked === null ? null : Math.min(asked, RETRY_AFTER_MAX_MS);
}

function askedWaitMs(headers: Headers | null, body: unknown, now: number): number | null {
  const h = headers?.get('retry-after');
  if (h) {
    const secs = Number(h);
    if (Number.isFinite(secs) && secs >= 0) return Math.round(secs * 1000);
    const date = Date.parse(h);
    if (Number.isFinite(date)) return Math.max(0, date - now);
  }
  // Some throttles (no title, no header) put the wait in the body as a number: `"retry_after": 5`.
  const inBody = typeof body === 'object' && body !== null ? (body as { retry_after?: unknown }).retry_after : undefined;
  if (typeof inBody === 'number' && Number.isFinite(inBody) && inBody >= 0) return Math.round(inBody * 1000);
  if (typeof inBody === 'string' && /^\d+(\.\d+)?$/.test(inBody.trim())) return Math.round(Number(inBody) * 1000);
  const detail = typeof body === 'object' && body !== null ? (body as { detail?: unknown }).detail : typeof body === 'string' ? body : null;
  if (typeof detail === 'string') {
    const m = /expected available in (\d+(?:\.\d+)?) seconds?/i.exec(detail);
    if (m) return Math.round(Number(m[1]) * 1000);
  }
  return null;
}

/**
 * Provider API calls never follow a redirect (ARCHITECTURE.md, "Security"): fetch is told not to
 * (`redirect: 'manual'`), since a followed hop would take the request — a create's input, a user's
 * file — to a host nobody judged, and its answer would be read as the provider's. Neither
 * Replicate's nor fal's API redirects, so a 3xx is the server misbehaving: an error tried again
 * like a 5xx, ambiguous for a submit (the server may have acted before it answered).
 */
export const NO_REDIRECT = { redirect: 'manual' } as const satisfies RequestInit;

/** The error for a 3xx answer to an API call (see NO_REDIRECT); null for any other status. */
export function redirectRefused(provider: string, status: number, headers: Headers, o: { submit?: boolean } = {}): ProviderError | null {
  if (status < 300 || status > 399) return null;
  let where = 'elsewhere';
  try {
    const loc = headers.get('location');
    if (loc) where = `to ${new URL(loc, 'http://invalid.invalid').origin}`;
  } catch {
    // an unparsable Location says nothing more
  }
  return new ProviderError({
    code: 'provider',
    status,
    transient: true,
    ambiguous: o.submit ?? false,
    message: `${provider} answered with a redirect (HTTP ${status}) ${where}; Kiln does not follow redirects from the API. Trying again.`,
  });
}

/**
 * FastAPI's (pydantic's) 422, `{"detail": [{"loc": [...], "msg": …, "type": …}]}`, as input field →
 * message for the composer. The field is the first name in `loc` after `prefix` — the top-level
 * input a person edits, even when the error is about a part of it (`image_size.width` is shown on
 * `image_size`): fal's input is the request body (`["body"]`); a cog model behind Replicate nests it
 * (`["body", "input"]`). None is "(input)". Not every server sends `msg`; the `type`
 * (`value_error.missing`) still says what is wrong.
 */
export function pydanticFieldErrors(body: unknown, prefix: readonly string[]): Record<string, string> | undefined {
  const list = body && typeof body === 'object' ? (body as { detail?: unknown }).detail : undefined;
  if (!Array.isArray(list)) return undefined;
  const out: Record<string, string> = {};
  for (const item of list) {
    if (!item || typeof item !== 'object') continue;
    const { loc, msg, type } = item as { loc?: unknown; msg?: unknown; type?: unknown };
    const path: unknown[] = Array.isArray(loc) ? [...loc] : [];
    for (const p of prefix) if (path[0] === p) path.shift();
    const name = path.find((x): x is string => typeof x === 'string') ?? '(input)';
    out[name] = typeof msg === 'string' && msg ? msg : typeof type === 'string' && type ? type : 'invalid';
  }
  return Object.keys(out).length ? out : undefined;
}
