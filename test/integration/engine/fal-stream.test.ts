import { afterEach, describe, expect, it } from 'vitest';
import { call, until } from './harness.ts';
import { setupFal, type FalHarness } from './fal-harness.ts';
import { systemClock, type Clock } from '../../../electron/backend/types.ts';

// fal's status stream through Provider.stream (issue 12: "the status stream where it helps";
// engine/streams.ts): the engine follows a run by its stream instead of polling it (the statuses it
// reports reach the card, a look only at the end or after a silence), looks the moment it says
// COMPLETED, hands a freed stream slot (maxStatusStreams) to a waiting run at once, and when a
// stream fails, polling carries the run at once (a stream has a fallback: engine/health.ts) until
// another stream can be opened; the provider is not called unreachable.

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

  it('while the stream reports, the run is not polled: queue position, running status and progress reach the card from the stream', async () => {
    h = await setupFal({ scenario: { endpoints: { [FLUX]: { startupMs: 300, runMs: 1_500 } }, concurrency: 1 } });
    const seen = new Map<string, { notes: Set<string>; progressWhileRunning: boolean }>();
    h.backend.services.engine.onRecord((r) => {
      const s = seen.get(r.id) ?? { notes: new Set<string>(), progressWhileRunning: false };
      if (r.note) s.notes.add(r.note);
      if (r.status === 'processing' && r.progress && r.progress.percent > 0) s.progressWhileRunning = true;
      seen.set(r.id, s);
    });
    const { ids } = (await call(h.backend, 'predictions:create', { model: `fal:${FLUX}`, input: { prompt: 'queued behind two' }, count: 3 })) as {
      ids: string[];
    };
    for (const id of ids) await until(() => (rec(id).saveState === 'saved' ? rec(id) : null), 30_000, `saved (now ${rec(id).status})`);
    for (const id of ids) expect(rec(id).status).toBe('succeeded');
    // The last one waited behind the others: the stream told it when it moved up and when it ran.
    const last = ids.map((id) => seen.get(id)!).find((s) => s.notes.has('In queue — next'));
    expect(last, 'a run saw its queue position reach the front').toBeDefined();
    for (const id of ids) expect(seen.get(id)!.progressWhileRunning, `${id} showed progress while running`).toBe(true);
    const byEndpoint = h.sim.control.counters().byEndpoint;
    expect(byEndpoint['queue.stream']).toBe(3);
    // The look at the end, and at most one more made before the stream's first event arrived —
    // not the poll every 80 ms (FAST_ENGINE) that a run without a stream gets.
    expect(byEndpoint['queue.status'] ?? 0).toBeLessThanOrEqual(6);
  });

  it('more runs than stream slots: a freed slot goes at once to a run waiting for one, not at its next poll', async () => {
    h = await setupFal({
      scenario: { endpoints: { [FLUX]: { startupMs: 100, runMs: 300 } }, concurrency: 1 },
      engine: { cadence: RARE_LOOKS, maxStreams: 1, maxStatusStreams: 1 },
    });
    const { ids } = await call(h.backend, 'predictions:create', { model: `fal:${FLUX}`, input: { prompt: 'one slot' }, count: 3 });
    for (const id of ids) await until(() => (rec(id).status === 'succeeded' ? rec(id) : null), 30_000, `succeeded (now ${rec(id).status})`);
    const byEndpoint = h.sim.control.counters().byEndpoint;
    expect(byEndpoint['queue.stream']).toBe(3);
    expect(byEndpoint['queue.status'] ?? 0).toBe(3); // only the looks each stream's COMPLETED asked for
  });

  it('a stream cut mid-way: the run is looked at at once, and a new stream follows it after a back-off', async () => {
    h = await setupFal({
      scenario: { endpoints: { [FLUX]: { startupMs: 300, runMs: 1_500 } }, faults: [{ endpoint: 'stream', kind: 'stream-drop', count: 1 }] },
      engine: { cadence: RARE_LOOKS },
    });
    const { ids } = await call(h.backend, 'predictions:create', { model: `fal:${FLUX}`, input: { prompt: 'dropped stream' } });
    await until(() => (rec(ids[0]).status === 'succeeded' ? rec(ids[0]) : null), 30_000, `succeeded (now ${rec(ids[0]).status})`);
    expect(h.backend.services.engine.isOnline()).toBe(true);
    expect(rec(ids[0]).note).toBeNull();
    const byEndpoint = h.sim.control.counters().byEndpoint;
    expect(byEndpoint['queue.stream']).toBe(2); // the cut one, and the one that saw the end
    expect(byEndpoint['queue.status']).toBe(2); // the look when the first broke, and the end
  });

  it('a back-off timer that fires a little before the clock says it is due still gives the waiting run its stream', async () => {
    // Node times a setTimeout from the event loop's cached time, which lags on a busy loop, so the
    // timer can fire before Date.now() reaches the back-off's end. Seen on CI: the run waited for a
    // stream slot that nothing would ever offer it again. Here every engine timer fires 15 ms early.
    const early: Clock = { ...systemClock, setTimeout: (fn, ms) => systemClock.setTimeout(fn, Math.max(0, ms - 15)) };
    h = await setupFal({
      scenario: { endpoints: { [FLUX]: { startupMs: 300, runMs: 1_500 } }, faults: [{ endpoint: 'stream', kind: 'stream-drop', count: 1 }] },
      engine: { cadence: RARE_LOOKS, backoff: { baseMs: 200, maxMs: 200 } },
      clock: early,
    });
    const { ids } = await call(h.backend, 'predictions:create', { model: `fal:${FLUX}`, input: { prompt: 'early timer' } });
    await until(() => (rec(ids[0]).status === 'succeeded' ? rec(ids[0]) : null), 15_000, `succeeded (now ${rec(ids[0]).status})`);
    expect(h.sim.control.counters().byEndpoint['queue.stream']).toBe(2);
  });

  it('a stream that keeps pinging but stops reporting: the safety look still finds the end', async () => {
    h = await setupFal({
      scenario: { endpoints: { [FLUX]: { startupMs: 100, runMs: 300 } }, faults: [{ endpoint: 'stream', kind: 'stream-silent', count: 1 }], streamPingMs: 50 },
      engine: { streamSafetyMs: 1_000 },
    });
    const { ids } = await call(h.backend, 'predictions:create', { model: `fal:${FLUX}`, input: { prompt: 'silent stream' } });
    await until(() => (rec(ids[0]).status === 'succeeded' ? rec(ids[0]) : null), 30_000, `succeeded (now ${rec(ids[0]).status})`);
    const byEndpoint = h.sim.control.counters().byEndpoint;
    expect(byEndpoint['queue.stream']).toBe(1); // still open (pings) when the look found the end
    // The safety look (and at most one made before the stream's first event), not FAST_ENGINE's poll every 80 ms.
    expect(byEndpoint['queue.status']).toBeLessThanOrEqual(2);
  });
});
