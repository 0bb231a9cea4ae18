// Simulated time = real time (unless frozen) + an advanced offset. Every status, retention and
// rate-limit decision reads this clock, so tests can jump over a three-minute cold boot instantly.

export class SimClock {
  private offset = 0;
  private frozenAt: number | null = null;
  private listeners = new Set<() => void>();

  now(): number {
    return (this.frozenAt ?? Date.now()) + this.offset;
  }

  advance(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`advance(ms) needs a finite ms >= 0, got ${ms}`);
    this.offset += ms;
    this.notify();
    return this.now();
  }

  freeze(): number {
    if (this.frozenAt === null) this.frozenAt = Date.now();
    return this.now();
  }

  unfreeze(): number {
    if (this.frozenAt !== null) {
      // Keep simulated time continuous across the thaw.
      this.offset += this.frozenAt - Date.now();
      this.frozenAt = null;
    }
    this.notify();
    return this.now();
  }

  reset(): void {
    this.offset = 0;
    this.frozenAt = null;
    this.notify();
  }

  /** Wakes long-held requests (Prefer: wait, SSE) when time jumps. */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private notify(): void {
    for (const fn of this.listeners) fn();
  }
}
