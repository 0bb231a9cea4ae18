import { afterEach, describe, expect, it } from 'vitest';
import { setup, until, type Harness } from './harness.ts';

// Conformance 8: the backend is killed (no graceful stop, nothing written afterwards) at each step
// of a prediction's life, and a new backend on the same data dir must finish every prediction —
// none lost, none created twice at the provider.

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const MODEL = 'black-forest-labs/flux-schnell';

function kill(h: Harness) {
  h.backend.services.engine.kill();
}

async function finishAfterRestart(h: Harness, id: string) {
  const b = await h.restart();
  const history = b.services.history;
  return until(
    () => {
      const r = history.get(id)!;
      // Only a saved run is finished: save-failed means the outputs were lost, which is what this suite guards against.
      return r.status === 'succeeded' && r.saveState === 'saved' ? r : null;
    },
    20_000,
    `finished after restart (${JSON.stringify(history.get(id)?.status)}/${JSON.stringify(history.get(id)?.saveState)})`,
  );
}

function expectExactlyOnce(h: Harness) {
  const creates = Object.values(h.sim.control.counters().createsByInputHash);
  expect(creates).toEqual([1]);
}

describe('8. killed at each step, restarted on the same data dir', () => {
  it('after the intent was written (before the create went out)', async () => {
    h = await setup({ scenario: { models: { [MODEL]: { coldBootMs: 200, runMs: 400 } } } });
    const rec = h.backend.services.engine.submit({ model: MODEL, input: { prompt: 'after intent' } });
    kill(h); // the create was only scheduled
    expect(h.sim.control.predictions()).toHaveLength(0);
    const done = await finishAfterRestart(h, rec.id);
    expect(done.providerId).not.toBeNull();
    expectExactlyOnce(h);
  });

  it('after the create reached the provider but before its answer was recorded', async () => {
    h = await setup({
      engine: { reconcileDelayMs: 60_000 },
      scenario: { models: { [MODEL]: { coldBootMs: 200, runMs: 400 } }, faults: [{ endpoint: 'create', kind: 'drop-response-after-create' }] },
    });
    const rec = h.backend.services.engine.submit({ model: MODEL, input: { prompt: 'after create' } });
    const history = h.backend.services.history;
    await until(
      () => h!.sim.control.predictions().length === 1 && history.get(rec.id)!.status === 'submitting' && history.get(rec.id)!.note,
      5000,
      'create sent, answer lost',
    );
    kill(h);
    expect(history.get(rec.id)!.providerId).toBeNull();
    const done = await finishAfterRestart(h, rec.id);
    expect(done.providerId).toBe(h.sim.control.predictions()[0]!.id);
    expect(done.submitAttempts).toBe(1);
    expectExactlyOnce(h);
  });

  it('mid-poll (during a cold boot)', async () => {
    h = await setup({ scenario: { models: { [MODEL]: { coldBootMs: 60_000, runMs: 400 } } } });
    const rec = h.backend.services.engine.submit({ model: MODEL, input: { prompt: 'mid poll' } });
    const history = h.backend.services.history;
    await until(() => history.get(rec.id)!.status === 'starting', 5000, 'starting');
    kill(h);
    h.sim.control.advance(61_000);
    const done = await finishAfterRestart(h, rec.id);
    expect(done.timeline.map((t) => t.status)).toContain('starting');
    expectExactlyOnce(h);
  });

  it('mid-download (succeeded, outputs not yet saved)', async () => {
    h = await setup({
      scenario: { models: { [MODEL]: { coldBootMs: 100, runMs: 300 } }, faults: [{ endpoint: 'delivery', kind: 'slow', delayMs: 3000, count: 10 }] },
    });
    const rec = h.backend.services.engine.submit({ model: MODEL, input: { prompt: 'mid download' } });
    const history = h.backend.services.history;
    await until(() => history.get(rec.id)!.status === 'succeeded', 5000, 'succeeded');
    expect(history.get(rec.id)!.saveState).not.toBe('saved');
    kill(h);
    void h.backend.services.vault.close(); // the crashed process's downloads die with it
    h.sim.control.loadScenario({ models: { [MODEL]: { coldBootMs: 100, runMs: 300 } } });
    const done = await finishAfterRestart(h, rec.id);
    expect(done.saveState).toBe('saved');
    expectExactlyOnce(h);
  });
});
