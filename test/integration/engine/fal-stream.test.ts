import { afterEach, describe, expect, it } from 'vitest';
import { call, until } from './harness.ts';
import { setupFal, type FalHarness } from './fal-harness.ts';

// fal's status stream through Provider.stream (issue 12: "the status stream where it helps"): the
// engine opens it for a few runs at once (maxStreams) and looks the moment it says COMPLETED, so
// detection does not wait for the next poll; when the stream fails, polling carries the run (a
// stream has a fallback: engine/health.ts), and the provider is not called unreachable.

let h: FalHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const FLUX = 'fal-ai/flux/schnell';
const rec = (id: string) => h!.backend.services.history.get(id)!;
/** Looks so rare that a run can only end in time if something else than a poll tells the engine. */
const RARE_LOOKS = {
  initialMs: 120_000,
  processingMs: 120_000,
  processingMaxMs: 120_000,
  startingMaxMs: 120_000,
  queueStepMs: 120_000,
  queueMaxMs: 120_000,
  predictedMaxMs: 120_000,
};

describe('engine on fal: the status stream', () => {
  it('the stream says COMPLETED and the run ends without waiting for the next poll', async () => {
    h = await setupFal({ scenario: { endpoints: { [FLUX]: { startupMs: 100, runMs: 300 } } }, engine: { cadence: RARE_LOOKS } });
    const { ids } = await call(h.backend, 'predictions:create', { model: `fal:${FLUX}`, input: { prompt: 'streamed' } });
    const done = await until(() => (rec(ids[0]).saveState === 'saved' ? rec(ids[0]) : null), 30_000, `saved (now ${rec(ids[0]).status})`);
    expect(done.status).toBe('succeeded');
    const byEndpoint = h.sim.control.counters().byEndpoint;
    expect(byEndpoint['queue.stream']).toBe(1);
    expect(byEndpoint['queue.status'] ?? 0).toBe(1); // the one look the stream's COMPLETED asked for
  });

  it('a failing stream falls back to polling: the run ends, the provider stays reachable', async () => {
    h = await setupFal({ scenario: { endpoints: { [FLUX]: { startupMs: 200, runMs: 600 } }, faults: [{ endpoint: 'stream', kind: '503', count: 100 }] } });
    const { ids } = await call(h.backend, 'predictions:create', { model: `fal:${FLUX}`, input: { prompt: 'stream down' } });
    let wentOffline = false;
    await until(
      () => {
        if (!h!.backend.services.engine.isOnline()) wentOffline = true;
        return rec(ids[0]).status === 'succeeded';
      },
      30_000,
      'succeeded',
    );
    expect(wentOffline).toBe(false);
    expect(rec(ids[0]).note).toBeNull();
    const counters = h.sim.control.counters();
    expect(counters.byEndpoint['queue.stream']).toBeGreaterThanOrEqual(1); // tried, failed
    expect(counters.byEndpoint['queue.status']).toBeGreaterThan(1); // then polled
  });
});
