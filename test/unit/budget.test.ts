import { describe, expect, it } from 'vitest';
import { createBudget } from '../../electron/backend/engine/budget.ts';
import type { Clock } from '../../electron/backend/types.ts';

function fakeClock() {
  let t = 1_000_000;
  const timers: { at: number; fn: () => void }[] = [];
  const clock: Clock = {
    now: () => t,
    setTimeout: (fn, ms) => {
      const h = { at: t + ms, fn };
      timers.push(h);
      return h;
    },
    clearTimeout: (h) => {
      const i = timers.indexOf(h as never);
      if (i >= 0) timers.splice(i, 1);
    },
  };
  const advance = (ms: number) => {
    const end = t + ms;
    for (;;) {
      timers.sort((a, b) => a.at - b.at);
      const next = timers[0];
      if (!next || next.at > end) break;
      timers.shift();
      t = next.at;
      next.fn();
    }
    t = end;
  };
  return { clock, advance };
}

describe('request budget', () => {
  it('allows a burst, then refills at the sustained rate', () => {
    const { clock, advance } = fakeClock();
    const b = createBudget(clock, { other: { perMinute: 600, burst: 5 } });
    let n = 0;
    while (b.tryTake('other')) n++;
    expect(n).toBe(5);
    expect(b.waitFor('other')).toBe(100);
    advance(100);
    expect(b.tryTake('other')).toBe(true);
    expect(b.tryTake('other')).toBe(false);
  });

  it('never exceeds the per-minute rate over a minute of greedy use', async () => {
    const { clock, advance } = fakeClock();
    const b = createBudget(clock, { create: { perMinute: 480, burst: 20 } });
    let granted = 0;
    for (let step = 0; step < 600; step++) {
      while (b.tryTake('create')) granted++;
      advance(100);
    }
    expect(granted).toBeLessThanOrEqual(480 + 20);
    expect(granted).toBeGreaterThan(470);
  });

  it('keeps create and other buckets separate, and a 429 pause stops only its kind', () => {
    const { clock, advance } = fakeClock();
    const b = createBudget(clock);
    b.pause('create', 2000);
    expect(b.tryTake('create')).toBe(false);
    expect(b.tryTake('other')).toBe(true);
    expect(b.waitFor('create')).toBe(2000);
    advance(2000);
    expect(b.tryTake('create')).toBe(true);
  });

  it('acquire() waits for a token through the clock', async () => {
    const { clock, advance } = fakeClock();
    const b = createBudget(clock, { other: { perMinute: 60, burst: 1 } });
    await b.acquire('other');
    let got = false;
    void b.acquire('other').then(() => (got = true));
    advance(500);
    await Promise.resolve();
    expect(got).toBe(false);
    advance(600);
    await Promise.resolve();
    expect(got).toBe(true);
  });
});
