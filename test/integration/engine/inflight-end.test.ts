import { afterEach, describe, expect, it } from 'vitest';
import { call, setup, sleep, until, type Harness } from './harness.ts';

// A card ended (canceled or deleted) while its create is out or being reconciled after a lost
// answer. Nothing may be created afterwards, and whatever did reach Replicate is canceled there —
// a prediction nobody follows must not keep running and billing.

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const MODEL = 'black-forest-labs/flux-dev';
const rec = (id: string) => h!.backend.services.history.get(id);
const remote = () => h!.sim.control.predictions();
/** Slow enough reconciliation that the test can act while it is pending. */
const SLOW_RECONCILE = { reconcileDelayMs: 1500 };

describe('cancel before any create is known to exist', () => {
  it('cancel during reconciliation of a create that never arrived: ends canceled, nothing is ever created', async () => {
    // The connection resets before the server acts: ambiguous for Kiln, nothing exists remotely.
    h = await setup({
      engine: SLOW_RECONCILE,
      scenario: { models: { [MODEL]: { coldBootMs: 60_000, runMs: 500 } }, faults: [{ endpoint: 'create', kind: 'reset' }] },
    });
    const id = h.backend.services.engine.submit({ model: MODEL, input: { prompt: 'cancel while reconciling' } }).id;
    await until(() => /checking with Replicate/.test(rec(id)!.note ?? ''), 5000, 'reconciling');
    await call(h.backend, 'predictions:cancel', { id });
    expect(rec(id)!.status).toBe('canceled');
    // Reconciliation finds nothing; before the fix the intent was re-queued and created anyway.
    await until(() => h!.backend.services.engine.inFlight() === 0, 10_000, 'reconciliation over');
    await sleep(300);
    expect(remote()).toHaveLength(0);
    expect(h.sim.control.counters().byEndpoint['predictions.cancel'] ?? 0).toBe(0);
    expect(rec(id)!.status).toBe('canceled');
  });

  it('cancel during reconciliation of a create that DID arrive: found, canceled remotely, card stays canceled', async () => {
    h = await setup({
      engine: SLOW_RECONCILE,
      scenario: { models: { [MODEL]: { coldBootMs: 60_000, runMs: 500 } }, faults: [{ endpoint: 'create', kind: 'drop-response-after-create' }] },
    });
    const id = h.backend.services.engine.submit({ model: MODEL, input: { prompt: 'cancel, but it exists' } }).id;
    await until(() => /checking with Replicate/.test(rec(id)!.note ?? ''), 5000, 'reconciling');
    expect(remote()).toHaveLength(1);
    await call(h.backend, 'predictions:cancel', { id });
    expect(rec(id)!.status).toBe('canceled');
    await until(() => remote()[0]!.status === 'canceled', 10_000, 'canceled remotely');
    await until(() => h!.backend.services.engine.inFlight() === 0, 5000, 'nothing followed');
    expect(remote()).toHaveLength(1);
    expect(rec(id)!.status).toBe('canceled');
    expect(rec(id)!.providerId).toBe(remote()[0]!.id);
  });

  it('cancel while the create request is out: the answer is canceled remotely, the card never shows it running', async () => {
    h = await setup({ scenario: { models: { [MODEL]: { coldBootMs: 60_000, runMs: 500 } }, faults: [{ endpoint: 'create', kind: 'slow', delayMs: 800 }] } });
    const id = h.backend.services.engine.submit({ model: MODEL, input: { prompt: 'cancel mid-create' } }).id;
    await until(() => rec(id)!.status === 'submitting', 5000, 'submitting');
    const seen: string[] = [];
    h.backend.services.engine.onRecord((r) => r.id === id && seen.push(r.status));
    await call(h.backend, 'predictions:cancel', { id });
    await until(() => remote()[0]?.status === 'canceled', 10_000, 'canceled remotely');
    expect(seen.every((s) => s === 'canceled')).toBe(true);
    expect(rec(id)!.status).toBe('canceled');
  });
});

describe('a cancel before the create answered, then a crash', () => {
  it('the restarted app finds the create that did reach Replicate and cancels it there', async () => {
    // Reconciliation is slow enough that the process dies before it runs.
    h = await setup({
      engine: { reconcileDelayMs: 60_000 },
      scenario: { models: { [MODEL]: { coldBootMs: 600_000, runMs: 500 } }, faults: [{ endpoint: 'create', kind: 'drop-response-after-create' }] },
    });
    const id = h.backend.services.engine.submit({ model: MODEL, input: { prompt: 'cancel, then crash' } }).id;
    await until(() => /checking with Replicate/.test(rec(id)!.note ?? ''), 5000, 'reconciling');
    await call(h.backend, 'predictions:cancel', { id });
    expect(rec(id)!.status).toBe('canceled');
    h.backend.services.engine.kill();
    expect(remote()[0]!.status).toBe('starting'); // it exists, and nobody is looking for it
    await h.restart();
    await until(() => remote()[0]!.status === 'canceled', 10_000, `canceled remotely after the restart (${remote()[0]!.status})`);
    expect(remote()).toHaveLength(1);
    expect(rec(id)!.status).toBe('canceled');
  });
});

describe('delete while the create is out or unreconciled', () => {
  it('deleted during an in-flight create: the prediction is canceled as soon as its id is known', async () => {
    h = await setup({ scenario: { models: { [MODEL]: { coldBootMs: 60_000, runMs: 500 } }, faults: [{ endpoint: 'create', kind: 'slow', delayMs: 800 }] } });
    const id = h.backend.services.engine.submit({ model: MODEL, input: { prompt: 'delete mid-create' } }).id;
    await until(() => rec(id)!.status === 'submitting', 5000, 'submitting');
    await call(h.backend, 'predictions:delete', { ids: [id] });
    expect(rec(id)).toBeNull();
    // Before the fix the answer found no row, was dropped, and the prediction ran on unseen.
    await until(() => remote()[0]?.status === 'canceled', 10_000, 'canceled remotely');
    expect(remote()).toHaveLength(1);
    await until(() => h!.backend.services.engine.inFlight() === 0, 5000, 'nothing followed');
  });

  it('deleted while a lost create is reconciled: found and canceled remotely', async () => {
    h = await setup({
      engine: SLOW_RECONCILE,
      scenario: { models: { [MODEL]: { coldBootMs: 60_000, runMs: 500 } }, faults: [{ endpoint: 'create', kind: 'drop-response-after-create' }] },
    });
    const id = h.backend.services.engine.submit({ model: MODEL, input: { prompt: 'delete while reconciling' } }).id;
    await until(() => /checking with Replicate/.test(rec(id)!.note ?? ''), 5000, 'reconciling');
    await call(h.backend, 'predictions:delete', { ids: [id] });
    await until(() => remote()[0]?.status === 'canceled', 10_000, 'canceled remotely');
    expect(remote()).toHaveLength(1);
    await until(() => h!.backend.services.engine.inFlight() === 0, 5000, 'nothing followed');
  });

  it('deleted while a create that never arrived is reconciled: nothing is created afterwards', async () => {
    h = await setup({
      engine: SLOW_RECONCILE,
      scenario: { models: { [MODEL]: { coldBootMs: 60_000, runMs: 500 } }, faults: [{ endpoint: 'create', kind: 'reset' }] },
    });
    const id = h.backend.services.engine.submit({ model: MODEL, input: { prompt: 'delete, never created' } }).id;
    await until(() => /checking with Replicate/.test(rec(id)!.note ?? ''), 5000, 'reconciling');
    await call(h.backend, 'predictions:delete', { ids: [id] });
    await until(() => h!.backend.services.engine.inFlight() === 0, 10_000, 'reconciliation over');
    await sleep(300);
    expect(remote()).toHaveLength(0);
  });
});

describe('delete then undo while the create is out', () => {
  it('the restored prediction is followed to its end, not canceled', async () => {
    h = await setup({ scenario: { models: { [MODEL]: { coldBootMs: 100, runMs: 200 } }, faults: [{ endpoint: 'create', kind: 'slow', delayMs: 800 }] } });
    const id = h.backend.services.engine.submit({ model: MODEL, input: { prompt: 'delete, then undo' } }).id;
    await until(() => rec(id)!.status === 'submitting', 5000, 'submitting');
    const del = await call(h.backend, 'predictions:delete', { ids: [id] });
    await call(h.backend, 'predictions:undoDelete', { undoToken: del.undoToken });
    await until(() => rec(id)?.status === 'succeeded', 10_000, 'succeeded');
    expect(remote()).toHaveLength(1);
    expect(remote()[0]!.status).toBe('succeeded');
    expect(h.sim.control.counters().byEndpoint['predictions.cancel'] ?? 0).toBe(0);
  });
});
