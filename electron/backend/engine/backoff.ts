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

// The server's own "wait this long" is read where the answer is parsed, in the providers.
export { retryAfterMs } from '../providers/errors.ts';
