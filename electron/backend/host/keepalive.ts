// "A host is waiting for this run to end" as a first-class thing (docs/DECISIONS.md, "hosts hold").
//
// The backend's own timers are unref'd on purpose: a backend inside a long-lived host (the app,
// browser mode) must never be the reason a process cannot exit. But a short-lived host — the `kiln`
// command — awaits a run whose next step may be nothing but such a timer (a back-off after a 429,
// the wait before reconciling a lost create, a download retry). With only unref'd timers left, Node
// ends the process mid-await ("Detected unsettled top-level await", exit 13) and the run is dropped.
// A hold keeps exactly one ref'd handle alive while any host says it is waiting, whatever the
// backend happens to be waiting on underneath.

export interface KeepAlive {
  /** Keeps the process alive until the returned release is called (idempotent). */
  hold(reason: string): () => void;
  /** What the process is being kept alive for (diagnostics, tests). */
  reasons(): string[];
  /** Drops every hold (the backend is stopping: nothing is left to wait for). */
  releaseAll(): void;
}

/** Long enough never to fire in practice; the interval exists only to be a ref'd handle. */
const IDLE_MS = 2 ** 30;

export function createKeepAlive(): KeepAlive {
  const holds = new Map<number, string>();
  let next = 1;
  let handle: ReturnType<typeof setInterval> | null = null;

  const sync = () => {
    if (holds.size > 0 && handle === null) handle = setInterval(() => {}, IDLE_MS);
    else if (holds.size === 0 && handle !== null) {
      clearInterval(handle);
      handle = null;
    }
  };

  return {
    hold(reason) {
      const id = next++;
      holds.set(id, reason);
      sync();
      return () => {
        holds.delete(id);
        sync();
      };
    },
    reasons: () => [...holds.values()],
    releaseAll() {
      holds.clear();
      sync();
    },
  };
}
