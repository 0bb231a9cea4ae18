import { afterEach, describe, expect, it } from 'vitest';
import { setup, until, type Harness } from './harness.ts';

// The end predicted from the run's own progress (cadence.ts, predictedRunMs): a run whose logs show
// tqdm steps is not polled at the processing pace all through its middle — Kiln looks when the
// steps say the end is near, then quickly until it shows. Counted through the simulator.

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

describe('cadence from progress', () => {
  it('a 4 s run of 40 steps is looked at a handful of times, not every 80 ms, and its end is still seen', async () => {
    h = await setup({ scenario: { models: { 'black-forest-labs/flux-dev': { coldBootMs: 100, runMs: 4000 } } } });
    const { engine, history } = h.backend.services;
    const id = engine.submit({ model: 'black-forest-labs/flux-dev', input: { prompt: 'forty steps', num_inference_steps: 40 } }).id;
    await until(() => history.get(id)!.status === 'processing', 10_000, 'processing');
    const before = h.sim.control.counters().byEndpoint['predictions.get'] ?? 0;
    await until(() => history.get(id)!.status === 'succeeded', 20_000, 'succeeded');
    const during = (h.sim.control.counters().byEndpoint['predictions.get'] ?? 0) - before;
    // At the processing pace (80 ms here) a 4 s run takes ~50 looks; predicted from its steps, the
    // first ones until a step shows, one to near the end, and the endgame looks (250 ms) around it.
    expect(during).toBeGreaterThan(1);
    expect(during).toBeLessThan(20);
    expect(history.get(id)!.progress?.percent).toBe(100);
  });
});
