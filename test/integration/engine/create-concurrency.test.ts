import { afterEach, describe, expect, it } from 'vitest';
import { call, setup, until, type Harness } from './harness.ts';
import { countingFetch, replicateCreate } from './counting-fetch.ts';

// The create-concurrency setting (settings.createConcurrency): however many are clicked at once, at
// most that many create requests are out together. Counted at the fetch the backend uses, over real
// HTTP, with creates held open by the simulator's `slow` fault so they overlap if allowed to.
// Creates held open for their run's end (engine/hold.ts) have their own bound, tested in
// held-create.test.ts: off here, or the runs after the third (the model's run time then known)
// would be held.

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const MODEL = 'black-forest-labs/flux-schnell';

describe('create concurrency', () => {
  for (const n of [1, 3]) {
    it(`createConcurrency ${n}: at most ${n} creates in flight, all eight sent`, async () => {
      const { fetch: f, inFlight: stats } = countingFetch(replicateCreate);
      h = await setup({
        fetch: f,
        settings: { createConcurrency: n },
        engine: { maxHeldCreates: 0 },
        scenario: { models: { [MODEL]: { coldBootMs: 100, runMs: 200 } }, faults: [{ endpoint: 'create', kind: 'slow', delayMs: 250, count: 8 }] },
      });
      const { ids } = await call(h.backend, 'predictions:create', { model: MODEL, input: { prompt: 'many at once' }, count: 8 });
      const history = h.backend.services.history;
      await until(() => ids.every((id: string) => history.get(id)!.status === 'succeeded'), 20_000, 'all succeeded');
      expect(stats.total).toBe(8);
      expect(stats.max).toBe(n); // reached (they do overlap when allowed) and never exceeded
      expect(h.sim.control.predictions()).toHaveLength(8);
    });
  }
});
