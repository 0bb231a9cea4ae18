import { afterEach, describe, expect, it } from 'vitest';
import { call, setup, until, type Harness } from './harness.ts';
import type { Scenario } from '../../replicate-sim/index.ts';

// Conformance 4-7: throttling, server errors, connection resets, unreadable bodies and a create
// whose response never arrives. Every prediction must end succeeded, exactly once at the provider.

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const FAST_MODEL = 'black-forest-labs/flux-schnell';
const quick: Scenario['models'] = { [FAST_MODEL]: { coldBootMs: 300, runMs: 600 } };

async function runBatch(n: number, timeoutMs = 30_000) {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const { ids: got } = await call(h!.backend, 'predictions:create', { model: FAST_MODEL, input: { prompt: `batch ${i}` } });
    ids.push(...got);
  }
  const history = h!.backend.services.history;
  await until(
    () => ids.every((id) => history.get(id)!.status === 'succeeded'),
    timeoutMs,
    `all ${n} succeeded (now: ${ids.map((id) => history.get(id)!.status).join(',')})`,
  );
  return ids.map((id) => history.get(id)!);
}

function expectNoDuplicates(h: Harness, n: number) {
  const creates = h.sim.control.counters().createsByInputHash;
  expect(Object.keys(creates)).toHaveLength(n);
  expect(Math.max(...Object.values(creates))).toBe(1);
  expect(h.sim.control.predictions()).toHaveLength(n);
}

describe('faults', () => {
  it('4a. 429 storm with Retry-After on every endpoint: nothing lost, each pause honoured', async () => {
    h = await setup({ scenario: { models: quick, faults: [{ endpoint: '*', kind: '429', count: 6, retryAfterS: 1 }] } });
    const recs = await runBatch(4, 45_000);
    expect(recs.every((r) => r.status === 'succeeded' && r.error === null)).toBe(true);
    expectNoDuplicates(h, 4);
    const c = h.sim.control.counters();
    // Exactly the injected 429s: every one paused the shared budget instead of provoking more.
    expect(c.throttled).toBe(6);
    expect(h.backend.services.provider.counters.status429).toBe(6);
    expect(c.maxPerMinute.create).toBeLessThanOrEqual(600);
    expect(c.maxPerMinute.other).toBeLessThanOrEqual(3000);
  });

  it('4b. 429s without Retry-After (body hint only) and injected on every endpoint', async () => {
    // Per-prediction GET polling (below the list threshold), so the injected GET 429s are all met.
    h = await setup({
      engine: { listThreshold: 10 },
      scenario: {
        models: quick,
        faults: [
          { endpoint: 'create', kind: '429-no-retry-after', count: 3 },
          { endpoint: 'get', kind: '429-no-retry-after', count: 4 },
          { endpoint: '*', kind: '429', count: 3, after: 5 },
        ],
      },
    });
    const recs = await runBatch(3);
    expect(recs.every((r) => r.status === 'succeeded')).toBe(true);
    expectNoDuplicates(h, 3);
    // Only the injected 429s: Kiln caused none of its own.
    expect(h.sim.control.counters().throttled).toBe(10);
  });

  it('5. 5xx bursts and connection resets on get, list and create', async () => {
    h = await setup({
      engine: { listThreshold: 2 },
      scenario: {
        models: quick,
        faults: [
          { endpoint: 'get', kind: '500', count: 2 },
          { endpoint: 'get', kind: 'reset', count: 2, after: 4 },
          { endpoint: 'list', kind: '503', count: 2 },
          { endpoint: 'list', kind: 'reset', count: 1, after: 3 },
          { endpoint: 'create', kind: '502', count: 1 },
          { endpoint: 'create', kind: 'reset', count: 1, after: 2 },
        ],
      },
    });
    const recs = await runBatch(4);
    expect(recs.every((r) => r.status === 'succeeded' && r.error === null)).toBe(true);
    expectNoDuplicates(h, 4);
    const c = h.sim.control.counters();
    expect(c.byStatus.reset).toBeGreaterThanOrEqual(2);
  });

  it('6. malformed or truncated JSON once, then good', async () => {
    h = await setup({
      engine: { listThreshold: 10 },
      scenario: {
        models: quick,
        faults: [
          { endpoint: 'get', kind: 'malformed-json', count: 1 },
          { endpoint: 'get', kind: 'truncated-json', count: 1, after: 1 },
          { endpoint: 'create', kind: 'truncated-json', count: 1 },
        ],
      },
    });
    const recs = await runBatch(2);
    expect(recs.every((r) => r.status === 'succeeded')).toBe(true);
    expectNoDuplicates(h, 2);
  });

  it('7. a create whose response is dropped is reconciled, not created twice', async () => {
    h = await setup({ scenario: { models: quick, faults: [{ endpoint: 'create', kind: 'drop-response-after-create', count: 1 }] } });
    const recs = await runBatch(1);
    expectNoDuplicates(h, 1);
    const [remote] = h.sim.control.predictions();
    expect(recs[0]!.providerId).toBe(remote!.id);
    expect(recs[0]!.submitAttempts).toBe(1); // found by reconciliation, never re-sent
  });

  it('two identical clicks with both responses dropped pair up with two distinct predictions', async () => {
    h = await setup({ scenario: { models: quick, faults: [{ endpoint: 'create', kind: 'drop-response-after-create', count: 2 }] } });
    const { ids } = await call(h.backend, 'predictions:create', { model: FAST_MODEL, input: { prompt: 'same' }, count: 2 });
    const history = h.backend.services.history;
    await until(() => ids.every((id: string) => history.get(id)!.status === 'succeeded'), 20_000, 'both succeeded');
    const sims = h.sim.control.predictions();
    expect(sims).toHaveLength(2);
    expect(new Set(ids.map((id: string) => history.get(id)!.providerId))).toEqual(new Set(sims.map((p) => p.id)));
  });
});
