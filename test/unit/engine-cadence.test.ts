import { describe, expect, it } from 'vitest';
import { DEFAULT_CADENCE, nextLookDelay, nextPollDelay, typicalRunMs, type LookContext } from '../../electron/backend/engine/cadence.ts';

// When Kiln looks next, timed by what it knows (cadence.ts): the queue position and the model's own
// past run times, as tables. No timers.

const ctx = (over: Partial<LookContext>): LookContext => ({ status: 'starting', sinceCreate: 60_000, inStatus: 60_000, queuePosition: null, typicalRunMs: null, ...over });

describe('nextLookDelay', () => {
  const rows: { name: string; ctx: Partial<LookContext>; ms: number }[] = [
    { name: 'nothing known, long wait: the status-only pace', ctx: {}, ms: DEFAULT_CADENCE.startingMaxMs },
    { name: 'next in the queue: no slower than without a position', ctx: { queuePosition: 0 }, ms: DEFAULT_CADENCE.startingMaxMs },
    { name: '3 ahead: a step per run ahead', ctx: { queuePosition: 3 }, ms: 5000 + 3 * 1000 },
    { name: '40 ahead: capped', ctx: { queuePosition: 40 }, ms: DEFAULT_CADENCE.queueMaxMs },
    { name: 'just created, 2 ahead: still patient (waiting is cheap)', ctx: { sinceCreate: 100, inStatus: 100, queuePosition: 2 }, ms: 7000 },
    { name: 'running, typical 40 s, 4 s in: half the time left, capped', ctx: { status: 'processing', inStatus: 4000, typicalRunMs: 40_000 }, ms: DEFAULT_CADENCE.predictedMaxMs },
    { name: 'running, typical 12 s, 2 s in: half the time left', ctx: { status: 'processing', inStatus: 2000, typicalRunMs: 12_000 }, ms: 5000 },
    { name: 'running, near the predicted end: the normal pace', ctx: { status: 'processing', inStatus: 11_000, typicalRunMs: 12_000 }, ms: DEFAULT_CADENCE.processingMs },
    { name: 'running past the predicted end: the normal pace', ctx: { status: 'processing', inStatus: 30_000, typicalRunMs: 12_000 }, ms: nextPollDelay('processing', 60_000, 30_000) },
    { name: 'running, no history: the normal pace', ctx: { status: 'processing', inStatus: 2000 }, ms: DEFAULT_CADENCE.processingMs },
    { name: 'a queue position on a running run is ignored', ctx: { status: 'processing', inStatus: 2000, queuePosition: 5 }, ms: DEFAULT_CADENCE.processingMs },
  ];
  for (const row of rows) it(row.name, () => expect(nextLookDelay(ctx(row.ctx))).toBe(row.ms));
});

describe('typicalRunMs', () => {
  const rows: [number[], number | null][] = [
    [[], null], [[1000, 2000], null], [[3000, 1000, 2000], 2000], [[1000, 2000, 3000, 10_000], 2500], [[0, -5, NaN, 4000], null], [[4000, 4000, 0, 5000], 4000],
  ];
  for (const [d, ms] of rows) it(`${JSON.stringify(d)} → ${ms}`, () => expect(typicalRunMs(d)).toBe(ms));
});
