import { afterEach, describe, expect, it } from 'vitest';
import { setup, until, type Harness } from './harness.ts';

// Conformance 10: 1,000 predictions in flight at once finish with zero 429s. To run in seconds
// rather than minutes, time is scaled ×10 on both sides alike: the simulator allows 10× Replicate's
// limits per simulated minute and the engine's budget is 10× its production default. The ratio
// between Kiln's budget and the server's limit — what this test is about — is the production one.

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const SCALE = 10;

describe('10. scale', () => {
  it('1,000 concurrent predictions finish with zero 429s caused by Kiln', { timeout: 180_000 }, async () => {
    h = await setup({
      settings: { createConcurrency: 32 },
      engine: {
        listIntervalMs: 300,
        budget: { create: { perMinute: 480 * SCALE, burst: 20 }, other: { perMinute: 2400 * SCALE, burst: 40 } },
      },
      scenario: {
        rateLimits: { createPerMin: 600 * SCALE, otherPerMin: 3000 * SCALE },
        models: {
          'black-forest-labs/flux-schnell': { coldBootMs: 1000, runMs: 2000 },
          'black-forest-labs/flux-dev': { coldBootMs: 4000, runMs: 3000 },
        },
      },
    });
    const engine = h.backend.services.engine;
    const ids: string[] = [];
    for (let i = 0; i < 1000; i++)
      ids.push(engine.submit({ model: i % 3 ? 'black-forest-labs/flux-schnell' : 'black-forest-labs/flux-dev', input: { prompt: `scale ${i}` } }).id);
    const history = h.backend.services.history;
    let maxInFlight = 0;
    await until(
      () => {
        maxInFlight = Math.max(maxInFlight, h!.sim.control.predictions().filter((p) => p.status === 'starting' || p.status === 'processing').length);
        return ids.every((id) => history.get(id)!.status === 'succeeded');
      },
      170_000,
      'all 1,000 succeeded',
    );
    const c = h.sim.control.counters();
    expect(c.throttled).toBe(0);
    expect(Object.keys(c.createsByInputHash)).toHaveLength(1000);
    expect(Math.max(...Object.values(c.createsByInputHash))).toBe(1);
    expect(c.maxPerMinute.other).toBeLessThanOrEqual(3000 * SCALE);
    // List-based change detection: far fewer status requests than one per prediction per poll.
    const gets = c.byEndpoint['predictions.get'] ?? 0;
    expect(gets).toBeLessThan(1000 * 3);
    expect(maxInFlight).toBeGreaterThan(100);
  });
});
