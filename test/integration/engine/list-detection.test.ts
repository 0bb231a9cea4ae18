import { afterEach, describe, expect, it } from 'vitest';
import { setup, until, type Harness } from './harness.ts';

// List-based change detection (ARCHITECTURE.md, "The engine"): the list endpoint notices the end of many runs per
// request, and each end then gets exactly one full GET, whatever the detection path, so every
// finished card has its logs, progress and seed (a list item has no logs). Asserted through the
// simulator's counters.

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

// listThreshold 1: list mode even for the last one left; no periodic progress GETs, so every GET counted is an end-of-life one.
const LIST_ONLY = { listThreshold: 1, processingRefreshMs: 3_600_000 };

describe('list-based detection', () => {
  it('an end seen in the list gets one final GET: logs with the seed, progress 100%, full output, metrics, saved', async () => {
    h = await setup({ engine: LIST_ONLY, scenario: { models: { 'black-forest-labs/flux-schnell': { coldBootMs: 300, runMs: 600 } } } });
    const { engine, history } = h.backend.services;
    const ids = Array.from({ length: 5 }, (_, i) => engine.submit({ model: 'black-forest-labs/flux-schnell', input: { prompt: `from the list ${i}` } }).id);
    await until(() => ids.every((id) => history.get(id)!.status === 'succeeded'), 20_000, 'all succeeded');
    const c = h.sim.control.counters();
    expect(c.byEndpoint['predictions.get']).toBe(ids.length); // one final look each, no more
    expect(c.byEndpoint['predictions.list']).toBeGreaterThan(0);
    for (const id of ids) {
      const rec = history.get(id)!;
      expect(rec.logs).toMatch(/Using seed: \d+/);
      expect(rec.progress?.percent).toBe(100);
      // The simulator's own view (control API, not counted as a Replicate request).
      const remote = (await (await fetch(`${h.sim.origin}/__sim/predictions/${rec.providerId}`)).json()) as { status: string; output: unknown };
      expect(remote.status).toBe('succeeded');
      expect(rec.output).toEqual(remote.output);
      expect(rec.metrics?.predictTime).not.toBeNull();
      expect(rec.completedAt).not.toBeNull();
      await engine.whenSaved(id);
      expect(history.get(id)!.saveState).toBe('saved');
    }
    expect(engine.inFlight()).toBe(0);
  });

  it('still fetches a failed prediction in full (its logs explain the failure), once', async () => {
    h = await setup({ engine: LIST_ONLY, scenario: { models: { 'black-forest-labs/flux-schnell': { coldBootMs: 300, runMs: 600, outcome: 'failed' } } } });
    const { engine, history } = h.backend.services;
    const ids = Array.from({ length: 3 }, (_, i) => engine.submit({ model: 'black-forest-labs/flux-schnell', input: { prompt: `fails ${i}` } }).id);
    await until(() => ids.every((id) => history.get(id)!.status === 'failed'), 20_000, 'all failed');
    expect(h.sim.control.counters().byEndpoint['predictions.get']).toBe(3);
    for (const id of ids) expect(history.get(id)!.error?.message).toBeTruthy();
  });
});
