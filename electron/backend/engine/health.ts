// Network health per kind of request (ARCHITECTURE.md, "Runs and their lifecycle": "a partial outage is not an outage"; the map is in
// docs/ARCHITECTURE.md under the engine). Each kind keeps its own count of consecutive failures, so
// the scheduler can degrade one way of following (the list endpoint, a stream) to the next (per-run
// GETs) while the rest works. The provider is called unreachable only when the requests that have
// no fallback keep failing with no success of any kind in between — a list endpoint answering 5xx
// alone never takes every card offline.

/**
 * What a request was for, not which endpoint it hit: the list endpoint used to detect changes has
 * per-run GETs to fall back on, but the same endpoint used to reconcile a lost create
 * ('reconcile') has nothing else — an outage that fails it and the create is an outage.
 */
export type RequestClass = 'create' | 'get' | 'list' | 'reconcile' | 'cancel' | 'stream' | 'upload' | 'probe';

/** Kinds with a fallback: their failures degrade the way of following, never the provider. */
const HAS_FALLBACK: ReadonlySet<RequestClass> = new Set(['list', 'stream']);

export interface Health {
  /** A request of this kind got an answer. Returns true when this brought the provider back. */
  success(kind: RequestClass): boolean;
  /** A network-level failure (network error, 5xx, unreadable body). Returns true when the provider just became unreachable. */
  failure(kind: RequestClass): boolean;
  /** Consecutive failures of this kind (0 after its last success). */
  failures(kind: RequestClass): number;
  /** Consecutive failures of the kinds without a fallback since any success: drives the outage back-off. */
  readonly streak: number;
  readonly online: boolean;
}

export function createHealth(opts: { offlineAfterFailures: number }): Health {
  const byKind = new Map<RequestClass, number>();
  let streak = 0;
  let online = true;
  return {
    success(kind) {
      byKind.set(kind, 0);
      streak = 0;
      if (online) return false;
      online = true;
      return true;
    },
    failure(kind) {
      byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
      if (HAS_FALLBACK.has(kind)) return false;
      streak++;
      if (!online || streak < opts.offlineAfterFailures) return false;
      online = false;
      return true;
    },
    failures: (kind) => byKind.get(kind) ?? 0,
    get streak() {
      return streak;
    },
    get online() {
      return online;
    },
  };
}
