// The one back-off formula (docs/ARCHITECTURE.md, "Where each rule lives"): exponential, capped, with
// jitter so a thousand followed runs (or every open tab) do not retry a recovering server in
// lockstep. Pure and in shared/ so the backend (engine, vault) and the page (reconnects) use the same.

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

/** The engine's retries (network errors, 5xx, refused cancels): 1 s doubling up to 30 s. */
export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1000, maxMs: 30_000 };

/** Delay before attempt `failures` + 1 (failures ≥ 1), in [cap/2, cap] with cap = min(maxMs, baseMs·2^(failures−1)). */
export function backoffDelay(failures: number, opts: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const n = Math.max(1, failures);
  const cap = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.min(n - 1, 30));
  // Never below half the cap: "full jitter" alone can retry instantly, which is what we are avoiding.
  return Math.round(cap / 2 + random() * (cap / 2));
}
