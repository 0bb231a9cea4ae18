import { describe, expect, it } from 'vitest';
import { createLoop, type LaneTick } from '../../electron/backend/engine/loop.ts';
import type { Clock } from '../../electron/backend/types.ts';
import type { Track } from '../../electron/backend/engine/core.ts';
import { DEFAULT_SETTINGS } from '../../shared/domain/settings.ts';

// The one scheduler over all lanes (loop.ts) with a hand-driven clock and lanes that only offer
// queued runs: which creates start, in what order, under the one concurrency bound.

function manualClock() {
  let now = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  let seq = 0;
  const clock: Clock = {
    now: () => now,
    setTimeout: (fn, ms) => (timers.set(++seq, { at: now + ms, fn }), seq),
    clearTimeout: (h) => void timers.delete(h as number),
  };
  /** Runs every timer due within `ms`, in time order. */
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      const next = [...timers.entries()].sort((a, b) => a[1].at - b[1].at)[0];
      if (!next || next[1].at > end) break;
      timers.delete(next[0]);
      now = next[1].at;
      next[1].fn();
    }
    now = end;
  };
  return { clock, advance };
}

const queued = (id: string, dueAt: number): Track => ({
  id,
  phase: { kind: 'queued' },
  dueAt,
  busy: false,
  failures: 0,
  cancelWanted: false,
  intent: { model: 'm', version: null, input: {}, since: 0 },
  endedLocally: false,
  forgotten: false,
});

/** A lane offering its queued runs; `wait` is its create budget's wait; started creates stay out until `finish`. */
function fakeLane(name: string, runs: Track[], log: string[], o: { wait?: () => number; loop: { creating: number } }): LaneTick & { finish(id: string): void } {
  return {
    tickLane: () => Infinity,
    readyCreates: (now) => ({
      ready: runs.filter((t) => t.phase.kind === 'queued' && !t.busy && t.dueAt <= now).sort((a, b) => a.dueAt - b.dueAt),
      nextAt: Infinity,
    }),
    createWait: () => o.wait?.() ?? 0,
    startCreate(t) {
      t.busy = true;
      t.phase = { kind: 'submitting' };
      o.loop.creating++;
      log.push(`${name}:${t.id}`);
    },
    finish(id) {
      const t = runs.find((r) => r.id === id)!;
      t.busy = false;
      t.phase = {
        kind: 'follow',
        providerId: id,
        providerCreatedAt: null,
        since: 0,
        seenStatus: null,
        statusSeenAt: null,
        needsFull: false,
        lastFullAt: 0,
        uncovered: false,
        stream: null,
        listEnd: null,
        cancelSent: false,
        cancelDueAt: 0,
        cancelFailures: 0,
        stickyNote: null,
        queueFirstSeen: null,
        progressSeen: null,
        stepsLookedAt: null,
      };
      o.loop.creating--;
    },
  };
}

describe('the one loop over all lanes (loop.ts)', () => {
  const setup = (concurrency: number) => {
    const { clock, advance } = manualClock();
    const settings = { get: () => ({ ...DEFAULT_SETTINGS, createConcurrency: concurrency }), set: () => DEFAULT_SETTINGS };
    const loop = createLoop({ clock, settings });
    return { loop, advance, loopClock: { clock } };
  };

  it('createConcurrency bounds the creates out over every lane together, oldest click first across lanes', () => {
    const { loop, advance } = setup(2);
    const log: string[] = [];
    const a = fakeLane('replicate', [queued('r1', -10), queued('r2', -7)], log, { loop });
    const b = fakeLane('fal', [queued('f1', -9), queued('f2', -8)], log, { loop });
    loop.add(a);
    loop.add(b);
    loop.start();
    advance(10);
    expect(log).toEqual(['replicate:r1', 'fal:f1']);
    expect(loop.creating).toBe(2);
    a.finish('r1');
    loop.schedule(0);
    advance(10);
    expect(log).toEqual(['replicate:r1', 'fal:f1', 'fal:f2']);
    b.finish('f1');
    b.finish('f2');
    loop.schedule(0);
    advance(10);
    expect(log).toEqual(['replicate:r1', 'fal:f1', 'fal:f2', 'replicate:r2']);
  });

  it('a lane out of create budget waits for its tokens without blocking the other lane', () => {
    const { loop, advance, loopClock } = setup(4);
    const log: string[] = [];
    const { clock } = loopClock;
    const a = fakeLane('replicate', [queued('r1', -2), queued('r2', -1)], log, { loop, wait: () => Math.max(0, 500 - clock.now()) });
    const b = fakeLane('fal', [queued('f1', 0)], log, { loop });
    loop.add(a);
    loop.add(b);
    loop.start();
    advance(10);
    expect(log).toEqual(['fal:f1']);
    advance(600); // the loop woke itself when replicate's budget said so
    expect(log).toEqual(['fal:f1', 'replicate:r1', 'replicate:r2']);
  });

  it('after halt nothing starts', () => {
    const { loop, advance } = setup(4);
    const log: string[] = [];
    loop.add(fakeLane('fal', [queued('f1', 0)], log, { loop }));
    loop.start();
    loop.halt();
    loop.schedule(0);
    advance(100);
    expect(log).toEqual([]);
  });
});
