// Exponential back-off with full jitter (the AWS architecture blog's "full jitter"): spreading
// retries uniformly over [0, cap) stops a thousand followed predictions from hammering a recovering
// server in lockstep. The official JS client's back-off never actually waits (see
// shared/reference/replicate-api.md §7); this one always does.

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1000, maxMs: 30_000 };

/** Delay before attempt `failures` + 1 (failures ≥ 1). `random` is injectable for tests. */
export function backoffDelay(failures: number, opts: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const n = Math.max(1, failures);
  const cap = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.min(n - 1, 30));
  // Never below half the cap: "full jitter" alone can retry instantly, which is what we are avoiding.
  return Math.round(cap / 2 + random() * (cap / 2));
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
