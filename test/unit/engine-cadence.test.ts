import { describe, expect, it } from 'vitest';
import { DEFAULT_CADENCE, nextLookDelay, stepSeenAt, typicalRunMs, type LookContext } from '../../electron/backend/engine/cadence.ts';

// When Kiln looks next, timed by what it knows (cadence.ts): the queue position and the model's own
// past run times, as tables. No timers.

const ctx = (over: Partial<LookContext>): LookContext => ({
  status: 'starting',
  sinceCreate: 60_000,
  inStatus: 60_000,
  queuePosition: null,
  typicalRunMs: null,
  ...over,
});

describe('nextLookDelay', () => {
  // Each row: what Kiln knows → when it looks, and why (docs/DECISIONS.md, "Cadence, round two").
  const D = DEFAULT_CADENCE;
  const rows: { name: string; ctx: Partial<LookContext>; ms: number }[] = [
    { name: 'nothing known, long wait: the status-only pace (a cold boot is not polled twice a second)', ctx: {}, ms: D.startingMaxMs },
    {
      name: 'next in the queue after a long wait: the front pace, not the long-start pace (a position is news: the start is near)',
      ctx: { queuePosition: 0 },
      ms: D.queueFrontMs,
    },
    {
      name: 'next in the queue just after submit: the initial pace (a short model may be done already)',
      ctx: { sinceCreate: 100, inStatus: 100, queuePosition: 0 },
      ms: D.initialMs,
    },
    {
      name: "3 ahead: a small step per run ahead (an account's runners take several at once)",
      ctx: { queuePosition: 3 },
      ms: D.queueFrontMs + 3 * D.queueStepMs,
    },
    {
      name: '14 ahead: the small step for the first queueFarAfter, the large one beyond (far back, waiting is cheap)',
      ctx: { queuePosition: 14 },
      ms: D.queueFrontMs + D.queueFarAfter * D.queueStepMs + (14 - D.queueFarAfter) * D.queueFarStepMs,
    },
    { name: '40 ahead: capped', ctx: { queuePosition: 40 }, ms: D.queueMaxMs },
    {
      name: 'just submitted with 9 ahead (a batch of ten): small steps from the initial pace, the batch starts together',
      ctx: { sinceCreate: 100, inStatus: 100, queuePosition: 9 },
      ms: D.initialMs + 9 * D.queueStepMs,
    },
    {
      name: '14 ahead, the queue seen moving 2 positions a second: half the time it takes to reach this run',
      ctx: { queuePosition: 14, queueMoved: { positions: 20, ms: 10_000 } },
      ms: 3500,
    },
    {
      name: '14 ahead, the queue seen moving slowly: never later than the step rule',
      ctx: { queuePosition: 14, queueMoved: { positions: 1, ms: 60_000 } },
      ms: D.queueFrontMs + D.queueFarAfter * D.queueStepMs + 4 * D.queueFarStepMs,
    },
    {
      name: '2 ahead, the queue moving very fast: no quicker than the front pace',
      ctx: { queuePosition: 2, queueMoved: { positions: 30, ms: 3000 } },
      ms: D.queueFrontMs,
    },
    {
      name: '5 ahead, the queue not moved since first seen: the step rule',
      ctx: { queuePosition: 5, queueMoved: { positions: 0, ms: 20_000 } },
      ms: D.queueFrontMs + 5 * D.queueStepMs,
    },
    {
      name: 'running, typical 40 s, 4 s in: one look well before the end, capped',
      ctx: { status: 'processing', inStatus: 4000, typicalRunMs: 40_000 },
      ms: D.predictedMaxMs,
    },
    {
      name: 'running, typical 40 s, 26 s in: straight to the predicted end minus its margin (10%)',
      ctx: { status: 'processing', inStatus: 26_000, typicalRunMs: 40_000 },
      ms: 40_000 - 26_000 - 4000,
    },
    {
      name: 'running, typical 12 s, 2 s in: to the end minus the margin (at least two quick looks)',
      ctx: { status: 'processing', inStatus: 2000, typicalRunMs: 12_000 },
      ms: 12_000 - 2000 - 1200,
    },
    {
      name: 'running, inside the margin before the predicted end: the endgame pace (the end is what detection waits for)',
      ctx: { status: 'processing', inStatus: 11_000, typicalRunMs: 12_000 },
      ms: D.endgameMs,
    },
    {
      name: 'running just past the predicted end: still the endgame pace (within a tenth of the run)',
      ctx: { status: 'processing', inStatus: 13_000, typicalRunMs: 12_000 },
      ms: D.endgameMs,
    },
    {
      name: 'running long past the predicted end: still the quick pace, not the eased one (the end is overdue)',
      ctx: { status: 'processing', inStatus: 60_000, typicalRunMs: 12_000 },
      ms: D.processingMs,
    },
    {
      name: 'running, a short model (typical 1.5 s): one look at the end minus two processing looks (a start is seen late, so a prediction from history runs late)',
      ctx: { status: 'processing', inStatus: 0, typicalRunMs: 1500 },
      ms: 1500 - 2 * D.processingMs,
    },
    {
      name: 'running, step 1 of 4 reached 0.75 s in: the end is predicted at 3 s from its own progress, not the history',
      ctx: { status: 'processing', inStatus: 1000, typicalRunMs: 40_000, progress: { current: 1, total: 4, atInStatus: 750 } },
      ms: 3000 - 1000 - D.endgameMs, // the margin: one endgame look (5 % of the run is less)
    },
    {
      name: 'running, step 20 of 50 reached 16 s in, now 30 s in: to the predicted end (40 s) minus 5 % (steps predict early)',
      ctx: { status: 'processing', inStatus: 30_000, progress: { current: 20, total: 50, atInStatus: 16_000 } },
      ms: 40_000 - 30_000 - 2000,
    },
    {
      name: 'running, every step done (the outputs are being uploaded): the endgame pace at once',
      ctx: { status: 'processing', inStatus: 3200, progress: { current: 4, total: 4, atInStatus: 3000 } },
      ms: D.endgameMs,
    },
    {
      name: 'running, no step done yet: no prediction from the logs (loading weights is not a step)',
      ctx: { status: 'processing', inStatus: 2000, progress: { current: 0, total: 4, atInStatus: 2000 } },
      ms: D.processingMs,
    },
    {
      name: 'running, all steps done long ago (a long encode after the steps): back to the processing pace',
      ctx: { status: 'processing', inStatus: 9000, progress: { current: 4, total: 4, atInStatus: 3000 } },
      ms: D.processingMs,
    },
    { name: 'running, no history, early: the quick pace', ctx: { status: 'processing', inStatus: 2000 }, ms: D.processingMs },
    { name: 'running, no history, long: eased off (no prediction to aim at)', ctx: { status: 'processing', inStatus: 120_000 }, ms: D.processingMaxMs },
    {
      name: 'running, nothing predicts its end, early, swept with a few others: the endgame pace (a look is a share of one sweep)',
      ctx: { status: 'processing', inStatus: 2000, fewSwept: true },
      ms: D.endgameMs,
    },
    {
      name: 'the same past the processing ramp: eased off as when polled alone (a long run with no steps is not swept four times a second)',
      ctx: { status: 'processing', inStatus: 30_000, fewSwept: true },
      ms: nextLookDelay(ctx({ status: 'processing', inStatus: 30_000 })),
    },
    {
      name: 'swept with a few, but its end predicted far off: the prediction decides',
      ctx: { status: 'processing', inStatus: 1000, typicalRunMs: 40_000, fewSwept: true },
      ms: nextLookDelay(ctx({ status: 'processing', inStatus: 1000, typicalRunMs: 40_000 })),
    },
    {
      name: 'swept with a few, still starting: the status pace',
      ctx: { status: 'starting', sinceCreate: 5000, inStatus: 5000, fewSwept: true },
      ms: nextLookDelay(ctx({ status: 'starting', sinceCreate: 5000, inStatus: 5000 })),
    },
    { name: 'a queue position on a running run is ignored', ctx: { status: 'processing', inStatus: 2000, queuePosition: 5 }, ms: D.processingMs },
  ];
  for (const row of rows) it(row.name, () => expect(nextLookDelay(ctx(row.ctx))).toBe(row.ms));
});

describe('stepSeenAt', () => {
  // When a run reached the step a look first shows: between the previous look and this one, and no
  // earlier than one step's time before this look; the middle of that.
  const rows: [string, number, number, number | null, number][] = [
    ['1 of 4 at 1 s, previous look at 0.5 s: between them', 1, 1000, 500, 750],
    ['37 of 50 at 30 s, previous look at 27 s: within the last step (0.81 s), not 1.5 s ago', 37, 30_000, 27_000, 29_595],
    ['the first look in the status already shows 2 steps at 1 s: within the last step', 2, 1000, null, 750],
    ['no step yet', 0, 400, null, 200],
  ];
  for (const [name, current, inStatus, prev, at] of rows) it(name, () => expect(stepSeenAt(current, inStatus, prev)).toBe(at));
});

describe('typicalRunMs', () => {
  const rows: [number[], number | null][] = [
    [[], null],
    [[1000, 2000], null],
    [[3000, 1000, 2000], 2000],
    [[1000, 2000, 3000, 10_000], 2500],
    [[0, -5, NaN, 4000], null],
    [[4000, 4000, 0, 5000], 4000],
  ];
  for (const [d, ms] of rows) it(`${JSON.stringify(d)} → ${ms}`, () => expect(typicalRunMs(d)).toBe(ms));
});
