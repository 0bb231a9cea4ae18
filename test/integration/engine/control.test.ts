import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../../replicate-sim/index.ts';
import { call, setup, until, sleep, type Harness } from './harness.ts';

// Conformance 9 and 12, and the offline queue: cancel, retry, clear typed errors, and submissions
// made while Replicate is unreachable.

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const MODEL = 'black-forest-labs/flux-dev';
const rec = (id: string) => h!.backend.services.history.get(id)!;
const simStatus = (providerId: string) => h!.sim.control.predictions().find((p) => p.id === providerId)?.status;

describe('cancel and retry', () => {
  it('9a. cancel while starting calls the provider and ends canceled', async () => {
    h = await setup({ scenario: { models: { [MODEL]: { coldBootMs: 120_000, runMs: 5000 } } } });
    const { ids } = await call(h.backend, 'predictions:create', { model: MODEL, input: { prompt: 'cancel me early' } });
    await until(() => rec(ids[0]).status === 'starting', 5000, 'starting');
    await call(h.backend, 'predictions:cancel', { id: ids[0] });
    const done = await until(() => (rec(ids[0]).status === 'canceled' ? rec(ids[0]) : null), 5000, 'canceled');
    expect(simStatus(done.providerId!)).toBe('canceled');
    expect(h.sim.control.counters().byEndpoint['predictions.cancel']).toBe(1);
  });

  it('9b. cancel while processing', async () => {
    h = await setup({ scenario: { models: { [MODEL]: { coldBootMs: 100, runMs: 120_000 } } } });
    const { ids } = await call(h.backend, 'predictions:create', { model: MODEL, input: { prompt: 'cancel me mid-run' } });
    await until(() => rec(ids[0]).status === 'processing', 5000, 'processing');
    await call(h.backend, 'predictions:cancel', { id: ids[0] });
    await until(() => rec(ids[0]).status === 'canceled', 5000, 'canceled');
    expect(simStatus(rec(ids[0]).providerId!)).toBe('canceled');
  });

  it('a queued prediction is canceled locally, never sent', async () => {
    h = await setup({
      settings: { createConcurrency: 1 },
      scenario: { models: { [MODEL]: { coldBootMs: 100, runMs: 500 } }, faults: [{ endpoint: 'create', kind: 'slow', delayMs: 800 }] },
    });
    const { ids } = await call(h.backend, 'predictions:create', { model: MODEL, input: { prompt: 'q' }, count: 2 });
    expect(rec(ids[1]).status).toBe('queued');
    await call(h.backend, 'predictions:cancel', { id: ids[1] });
    expect(rec(ids[1]).status).toBe('canceled');
    await until(() => rec(ids[0]).status === 'succeeded', 10_000, 'first succeeded');
    expect(h.sim.control.predictions()).toHaveLength(1);
  });

  it('9c. retry of a failed prediction creates a new linked one from the same input', async () => {
    h = await setup({ scenario: { models: { [MODEL]: { coldBootMs: 100, runMs: 300, outcome: 'failed', error: 'E1001 CUDA out of memory' } } } });
    const { ids } = await call(h.backend, 'predictions:create', { model: MODEL, input: { prompt: 'flaky', seed: 7 } });
    const failed = await until(() => (rec(ids[0]).status === 'failed' ? rec(ids[0]) : null), 5000, 'failed');
    expect(failed.error).toEqual({ code: 'E1001', message: 'E1001 CUDA out of memory' });
    h.sim.control.loadScenario({ models: { [MODEL]: { coldBootMs: 100, runMs: 300 } } });
    const { id } = await call(h.backend, 'predictions:retry', { id: ids[0] });
    expect(id).not.toBe(ids[0]);
    const ok = await until(() => (rec(id).status === 'succeeded' ? rec(id) : null), 5000, 'retry succeeded');
    expect(ok.retryOf).toBe(ids[0]);
    expect(ok.input).toEqual({ prompt: 'flaky', seed: 7 });
    expect(rec(ids[0]).status).toBe('failed'); // every variant kept
    const view = await call(h.backend, 'predictions:get', { id }).catch(() => h!.backend.services.history.view(id));
    expect(view.variantCount).toBe(2);
    expect(h.sim.control.predictions()).toHaveLength(2);
  });
});

describe('12. bad input: clear typed errors, nothing half-written', () => {
  async function expectRejected(o: Parameters<typeof setup>[0], req: Record<string, unknown>, code: string) {
    h = await setup(o);
    const err = await call(h.backend, 'predictions:create', req).catch((e) => e);
    expect(err.code).toBe(code);
    // The card that was clicked ends failed with the same reason; nothing stays in flight.
    const { items } = h.backend.services.history.list({}, null, 10);
    expect(items).toHaveLength(1);
    expect(items[0]!.status).toBe('failed');
    expect(items[0]!.providerId).toBeNull();
    expect(items[0]!.error?.code).toBe(code);
    expect(h.backend.services.engine.inFlight()).toBe(0);
    expect(h.sim.control.predictions()).toHaveLength(0);
    await h.close();
    h = null;
    return err;
  }

  it('invalid key → auth', async () => {
    const err = await expectRejected({ token: 'r8_wrong_key_0000' }, { model: MODEL, input: { prompt: 'x' } }, 'auth');
    expect(err.message).toMatch(/rejected the API key/);
  });
  it('missing credit → billing', async () => {
    const err = await expectRejected({ scenario: { credit: false } }, { model: MODEL, input: { prompt: 'x' } }, 'billing');
    expect(err.message).toMatch(/replicate\.com\/account\/billing/);
  });
  it('unknown model → not_found', async () => {
    const err = await expectRejected({}, { model: 'nobody/no-such-model', input: { prompt: 'x' } }, 'not_found');
    expect(err.message).toMatch(/model not found/);
  });
  it('invalid inputs → invalid_input with per-field messages', async () => {
    const err = await expectRejected({}, { model: 'black-forest-labs/flux-schnell', input: { prompt: 'x', num_inference_steps: 99 } }, 'invalid_input');
    expect(Object.keys(err.fields)).toContain('num_inference_steps');
  });
});

describe('offline queue', () => {
  it('submissions made while Replicate is unreachable stay queued and go out when it returns', async () => {
    // Learn a free port, then leave it closed: the backend starts "offline".
    const probe = await startSimulator();
    const port = Number(new URL(probe.origin).port);
    await probe.close();
    const dead = { ...probe, baseUrl: `http://127.0.0.1:${port}/v1` };
    h = await setup({ sim: dead as never, engine: { offlineAfterFailures: 1 } });
    const { ids } = await call(h.backend, 'predictions:create', { model: MODEL, input: { prompt: 'offline' } });
    await until(() => h!.events.some((e) => e.event === 'network:changed' && (e.payload as { online: boolean }).online === false), 5000, 'offline event');
    expect(rec(ids[0]).status).toBe('queued');
    expect(rec(ids[0]).note).toMatch(/unreachable/);
    await sleep(200);
    expect(rec(ids[0]).submitAttempts).toBeLessThanOrEqual(2);

    const sim = await startSimulator({ port, scenario: { models: { [MODEL]: { coldBootMs: 100, runMs: 300 } } } });
    try {
      await until(() => rec(ids[0]).status === 'succeeded', 10_000, 'succeeded after recovery');
      expect(h.events.some((e) => e.event === 'network:changed' && (e.payload as { online: boolean }).online === true)).toBe(true);
      expect(rec(ids[0]).note).toBeNull();
      expect(sim.control.predictions()).toHaveLength(1);
    } finally {
      await h.close();
      h = null;
      await sim.close();
    }
  });
});
