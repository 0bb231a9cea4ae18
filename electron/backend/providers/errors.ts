import { KilnError, type KilnErrorData } from '../../../shared/ipc.ts';

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
    super({ code: data.code, message: data.message, ...(data.fields ? { fields: data.fields } : {}) });
    this.name = 'ProviderError';
    this.status = data.status ?? null;
    this.transient = data.transient ?? false;
    this.retryAfterMs = data.retryAfterMs ?? null;
    this.ambiguous = data.ambiguous ?? false;
  }
}

export function isTransient(err: unknown): boolean {
  return err instanceof ProviderError ? err.transient : !(err instanceof KilnError);
}

/**
 * How long the server asked us to wait: the `Retry-After` header (seconds or an HTTP date), else
 * the DRF throttle body "Expected available in N seconds". null when neither says.
 */
export function retryAfterMs(headers: Headers | null, body: unknown, now: number = Date.now()): number | null {
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
