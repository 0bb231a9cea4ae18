import type { Clock } from '../types.ts';

// One request budget for everything Kiln sends to Replicate (ARCHITECTURE.md, "The engine"): polls, lists, creates,
// cancels, uploads and model look-ups all draw from the same two token buckets, shaped like
// Replicate's own limits (600 creates/min, 3000 other requests/min) but with headroom so Kiln never
// causes a 429 itself. A 429 that still arrives (another client on the same key, a stricter server)
// pauses the bucket for as long as the server asked.

import type { RequestKind } from '../providers/types.ts';

export type { RequestKind } from '../providers/types.ts';

export interface BucketOptions {
  /** Sustained rate, requests per minute. */
  perMinute: number;
  /** Bucket size: how many may go out back to back. */
  burst: number;
}

export interface BudgetOptions {
  create?: Partial<BucketOptions>;
  other?: Partial<BucketOptions>;
}

// 80% of Replicate's published limits: headroom for clock skew between us and their window.
export const DEFAULT_BUDGET: Record<RequestKind, BucketOptions> = {
  create: { perMinute: 480, burst: 20 },
  other: { perMinute: 2400, burst: 40 },
};

interface Bucket {
  opts: BucketOptions;
  tokens: number;
  at: number;
  pausedUntil: number;
  taken: number;
}

export function createBudget(clock: Clock, options: BudgetOptions = {}) {
  const mk = (kind: RequestKind): Bucket => {
    const opts = { ...DEFAULT_BUDGET[kind], ...options[kind] };
    return { opts, tokens: opts.burst, at: clock.now(), pausedUntil: 0, taken: 0 };
  };
  const buckets: Record<RequestKind, Bucket> = { create: mk('create'), other: mk('other') };

  function refill(b: Bucket, now: number) {
    const elapsed = Math.max(0, now - b.at);
    b.tokens = Math.min(b.opts.burst, b.tokens + (elapsed * b.opts.perMinute) / 60_000);
    b.at = now;
  }

  /** ms until one token of `kind` is free (0 = now). Takes nothing. */
  function waitFor(kind: RequestKind): number {
    const b = buckets[kind];
    const now = clock.now();
    refill(b, now);
    const pause = Math.max(0, b.pausedUntil - now);
    const tokenWait = b.tokens >= 1 ? 0 : Math.ceil(((1 - b.tokens) * 60_000) / b.opts.perMinute);
    return Math.max(pause, tokenWait);
  }

  /** Takes a token if one is free now. */
  function tryTake(kind: RequestKind): boolean {
    if (waitFor(kind) > 0) return false;
    buckets[kind].tokens -= 1;
    buckets[kind].taken++;
    return true;
  }

  /** How many of `kind` may go out right now. */
  function available(kind: RequestKind): number {
    const b = buckets[kind];
    const now = clock.now();
    refill(b, now);
    if (b.pausedUntil > now) return 0;
    return Math.floor(b.tokens);
  }

  function acquire(kind: RequestKind, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const attempt = () => {
        if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
        if (tryTake(kind)) return resolve();
        clock.setTimeout(attempt, Math.max(5, waitFor(kind)));
      };
      attempt();
    });
  }

  /** The server throttled us: nothing of this kind goes out for `ms`. */
  function pause(kind: RequestKind, ms: number) {
    const b = buckets[kind];
    b.pausedUntil = Math.max(b.pausedUntil, clock.now() + ms);
    b.tokens = Math.min(b.tokens, 0);
  }

  return {
    waitFor,
    tryTake,
    available,
    acquire,
    pause,
    pausedFor: (kind: RequestKind) => Math.max(0, buckets[kind].pausedUntil - clock.now()),
    stats: () => ({ create: buckets.create.taken, other: buckets.other.taken }),
  };
}
export type RequestBudget = ReturnType<typeof createBudget>;
