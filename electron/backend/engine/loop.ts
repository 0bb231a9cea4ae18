import type { Clock, SettingsAdapter } from '../types.ts';
import type { Track } from './core.ts';

// The one scheduler over every provider (ARCHITECTURE.md, "The engine"; docs/ARCHITECTURE.md, "The engine"): a single
// timer wakes at the earliest moment any lane is due. Each lane (one per provider: its budget,
// network health, key pause, list and probe state) decides what of its own goes out — status
// checks, list sweeps, cancels, reconciliation, the outage probe — and offers its ready creates.
// The creates are started here, oldest click first across all providers, under ONE bound: the
// user's `createConcurrency` counts every create out, whichever provider it went to.

/** What the loop needs of one lane (scheduler.ts implements it over the lane's state). */
export interface LaneTick {
  /** Everything but creates; returns the lane's next due moment (Infinity: nothing due). */
  tickLane(now: number): number;
  /**
   * Queued runs whose time has come, oldest first, and the lane's next due moment for the rest.
   * None while the lane is paused (key rejected) or unreachable.
   */
  readyCreates(now: number): { ready: Track[]; nextAt: number };
  /** ms until this lane's create budget has a token (0: now). */
  createWait(): number;
  startCreate(t: Track): void;
}

export interface Loop {
  readonly running: boolean;
  /** Creates out now, all providers together (the concurrency setting bounds it). */
  creating: number;
  add(lane: LaneTick): void;
  start(): void;
  schedule(delay: number): void;
  /** No more ticks (stop and kill). */
  halt(): void;
}

export function createLoop(deps: { clock: Clock; settings: SettingsAdapter }): Loop {
  const lanes: LaneTick[] = [];
  let timer: unknown = null;
  let timerAt = Infinity;
  let running = false;

  function schedule(delay: number) {
    if (!running) return;
    const at = deps.clock.now() + Math.max(0, delay);
    if (timer !== null && at >= timerAt) return;
    if (timer !== null) deps.clock.clearTimeout(timer);
    timerAt = at;
    timer = deps.clock.setTimeout(
      () => {
        timer = null;
        timerAt = Infinity;
        tick();
      },
      Math.max(0, delay),
    );
  }

  function tick() {
    if (!running) return;
    const now = deps.clock.now();
    let nextAt = Infinity;
    const offers: { lane: LaneTick; t: Track }[] = [];
    for (const lane of lanes) {
      nextAt = Math.min(nextAt, lane.tickLane(now));
      const { ready, nextAt: later } = lane.readyCreates(now);
      nextAt = Math.min(nextAt, later);
      for (const t of ready) offers.push({ lane, t });
    }
    // Creates, oldest click first over all providers, within the one concurrency bound. A lane
    // out of create budget is skipped (its runs wait for its tokens), never blocking the others.
    offers.sort((a, b) => a.t.dueAt - b.t.dueAt);
    const concurrency = deps.settings.get().createConcurrency;
    const starved = new Set<LaneTick>();
    for (const { lane, t } of offers) {
      if (loop.creating >= concurrency) break;
      if (starved.has(lane)) continue;
      const wait = lane.createWait();
      if (wait > 0) {
        starved.add(lane);
        nextAt = Math.min(nextAt, now + wait);
        continue;
      }
      lane.startCreate(t);
    }
    if (nextAt !== Infinity) schedule(Math.max(5, nextAt - now));
  }

  const loop: Loop = {
    get running() {
      return running;
    },
    creating: 0,
    add: (lane) => void lanes.push(lane),
    start() {
      running = true;
      schedule(0);
    },
    schedule,
    halt() {
      running = false;
      if (timer !== null) deps.clock.clearTimeout(timer);
      timer = null;
      timerAt = Infinity;
    },
  };
  return loop;
}
