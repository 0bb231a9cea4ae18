import { afterEach, describe, expect, it } from 'vitest';
import { call, setup, until, type Harness } from '../engine/harness.ts';
import { costFor } from '../../../electron/backend/ledger/index.ts';
import { TABLE_DATE } from '../../../electron/backend/pricing/replicate-table.ts';
import { MIGRATIONS } from '../../../electron/backend/history/migrations.ts';

// Money through the backend against the Replicate simulator (real HTTP, a real SQLite file): the
// ledger row written when a run ends, the estimate and budget a form asks for, the spend summary
// and its CSV. Prices come from Replicate's shipped table or the user's override.

const SCHNELL = 'black-forest-labs/flux-schnell';
const ESRGAN = 'nightmareai/real-esrgan';
const SDXL = 'stability-ai/sdxl';
const fast = { coldBootMs: 50, runMs: 150 };
let h: Harness;
afterEach(async () => h?.close());

async function runToEnd(model: string, input: Record<string, unknown>): Promise<string> {
  // Community models run at a version (as the composer runs them), official ones by name.
  const detail = await call(h.backend, 'models:get', { ref: model });
  const version = detail.official ? null : detail.latestVersionId;
  const { ids } = await call(h.backend, 'predictions:create', { model, version, input, count: 1 });
  const id = ids[0] as string;
  await until(() => ['succeeded', 'failed', 'canceled', 'aborted'].includes(h.backend.services.history.get(id)?.status ?? ''), 20_000, `${id} to end`);
  return id;
}

describe('the cost ledger against the Replicate simulator', () => {
  it('a run that ends gets its ledger row: outputs produced × the table price, estimated, dated', async () => {
    h = await setup({ scenario: { models: { [SCHNELL]: fast } } });
    const id = await runToEnd(SCHNELL, { prompt: 'a kiln', num_outputs: 3 });
    // Written by the ledger's engine listener when the run ended (a pure read here).
    const row = await until(() => costFor(h.backend.services).ledger.get(id), 5_000, 'the ledger row');
    expect(row).toMatchObject({ predictionId: id, provider: 'replicate', model: SCHNELL, status: 'succeeded', usd: 0.009, estimated: true });
    const cost = await call(h.backend, 'cost:get', { id });
    expect(cost).toEqual({ usd: 0.009, estimated: true, basis: `3 images × $0.003, Replicate's price table of ${TABLE_DATE}`, tableDate: TABLE_DATE });
  });

  it('per second of hardware (a price override naming the rate): predict_time × rate', async () => {
    h = await setup({ scenario: { models: { [ESRGAN]: fast } }, settings: { priceOverrides: { [`replicate:${ESRGAN}`]: { unit: 'second', usd: 0.000225 } } } });
    const id = await runToEnd(ESRGAN, { image: 'https://example.com/x.png' });
    const rec = h.backend.services.history.get(id)!;
    expect(rec.status).toBe('succeeded');
    const t = rec.metrics?.predictTime;
    expect(t).toBeGreaterThan(0);
    const cost = await call(h.backend, 'cost:get', { id });
    expect(cost.usd).toBe(Math.round(t! * 0.000225 * 1e6) / 1e6);
    expect(cost.basis).toContain(`${t!.toFixed(1)} s × $0.000225`);
  });

  it('per token: the token counts Replicate reports are kept on the record and priced (an actual count, est. price)', async () => {
    const LLAMA = 'meta/meta-llama-3-8b-instruct';
    h = await setup({
      scenario: { models: { [LLAMA]: fast } },
      settings: { priceOverrides: { [`replicate:${LLAMA}`]: { unit: 'token', usd: 0.00000025, inputUsd: 0.00000005 } } },
    });
    const id = await runToEnd(LLAMA, { prompt: 'three words here' });
    const rec = h.backend.services.history.get(id)!;
    expect(rec.status).toBe('succeeded');
    expect(rec.metrics).toMatchObject({ inputTokens: 3, outputTokens: expect.any(Number) });
    const out = rec.metrics!.outputTokens!;
    expect(out).toBeGreaterThan(0);
    const cost = await call(h.backend, 'cost:get', { id });
    expect(cost.usd).toBe(Math.round((out * 0.00000025 + 3 * 0.00000005) * 1e6) / 1e6);
    expect(cost.basis).toMatch(new RegExp(`^${out} output tokens? × \\$0\\.00000025 \\+ 3 input tokens × \\$0\\.00000005, your price in Settings$`));
  });

  it('a model with no known price is unknown in the ledger and the summary, never $0', async () => {
    h = await setup({ scenario: { models: { [SDXL]: fast, [SCHNELL]: fast } } });
    await runToEnd(SDXL, { prompt: 'x' });
    await runToEnd(SCHNELL, { prompt: 'y', num_outputs: 1 });
    const s = await call(h.backend, 'cost:summary', {});
    expect(s).toMatchObject({ totalUsd: 0.003, runs: 2, unknownRuns: 1, estimated: true });
    expect(s.byModel).toEqual([
      { provider: 'replicate', model: SCHNELL, usd: 0.003, runs: 1, unknownRuns: 0, estimated: true },
      { provider: 'replicate', model: SDXL, usd: null, runs: 1, unknownRuns: 1, estimated: true },
    ]);
    const today = new Date().toISOString().slice(0, 10);
    expect(s.byDay).toEqual([{ key: today, usd: 0.003, runs: 2, unknownRuns: 1 }]);
    expect(s.byMonth).toEqual([{ key: today.slice(0, 7), usd: 0.003, runs: 2, unknownRuns: 1 }]);
    expect(s.byProvider).toEqual([{ key: 'replicate', usd: 0.003, runs: 2, unknownRuns: 1 }]);
    // The date filter: nothing before today… and CSV rows with "unknown" spelled out.
    expect((await call(h.backend, 'cost:summary', { to: '2000-01-01' })).runs).toBe(0);
    const { csv, rows } = await call(h.backend, 'cost:csv', { from: today });
    expect(rows).toBe(2);
    expect(csv.split('\r\n')[0]).toBe('prediction_id,ended_at,day,provider,model,status,usd,estimated,basis,price_table_date');
    expect(csv).toMatch(new RegExp(`,replicate,${SDXL},succeeded,unknown,yes,`));
  });

  it('the estimate for a form: × outputs requested × N, from the cached catalogue; a budget it would cross', async () => {
    h = await setup({ scenario: { models: { [SCHNELL]: fast } }, settings: { budgetDailyUsd: 0.02 } });
    const est = await call(h.backend, 'cost:estimate', { ref: SCHNELL, input: { prompt: 'x', num_outputs: 4 }, count: 2 });
    expect(est).toMatchObject({ usd: 0.024, estimated: true, basis: `8 images × $0.003, Replicate's price table of ${TABLE_DATE}`, tableDate: TABLE_DATE });
    expect(est.budget).toEqual({ dailyUsd: 0.02, monthlyUsd: null, spentTodayUsd: 0, spentMonthUsd: 0, wouldCross: 'daily' });
    // Under the budget after a run it would cross it: spend counts.
    await runToEnd(SCHNELL, { prompt: 'a', num_outputs: 4 });
    const one = await call(h.backend, 'cost:estimate', { ref: `replicate:${SCHNELL}`, input: { num_outputs: 2 }, count: 1 });
    expect(one.budget).toMatchObject({ spentTodayUsd: 0.012, wouldCross: null });
    const more = await call(h.backend, 'cost:estimate', { ref: SCHNELL, input: { num_outputs: 3 }, count: 1 });
    expect(more.budget.wouldCross).toBe('daily');
    // Unknown model: unknown estimate, and a budget cannot be said to be crossed by it.
    const unknown = await call(h.backend, 'cost:estimate', { ref: 'someone/thing', input: {}, count: 3 });
    expect(unknown).toMatchObject({ usd: null, price: null, budget: { wouldCross: null } });
  });

  it('a fan-out’s estimate (cost:estimate with members): each at its own price, summed, and the budget the sum would cross', async () => {
    // Each run alone ($0.003, $0.012) is within $0.01 a day…; the three together ($0.018) are not.
    h = await setup({ scenario: { models: { [SCHNELL]: fast } }, settings: { budgetDailyUsd: 0.01 } });
    const members = [
      { ref: SCHNELL, input: { prompt: 'a', num_outputs: 1 } },
      { ref: `replicate:${SCHNELL}`, input: { prompt: 'b', num_outputs: 4 } },
      { ref: SCHNELL, input: { prompt: 'c' }, schema: { properties: { num_outputs: { default: 1 } } } },
    ];
    const est = await call(h.backend, 'cost:estimate', { members });
    expect(est).toMatchObject({ usd: 0.018, estimated: true, knownUsd: 0.018, unpriced: 0, basis: "3 runs, each at its model's price" });
    expect(est.budget).toEqual({ dailyUsd: 0.01, monthlyUsd: null, spentTodayUsd: 0, spentMonthUsd: 0, wouldCross: 'daily' });
    expect((await call(h.backend, 'cost:estimate', { members: members.slice(1, 2) })).budget.wouldCross).toBe('daily');
    expect((await call(h.backend, 'cost:estimate', { members: members.slice(0, 1) })).budget.wouldCross).toBeNull();
    // A member without a price makes the whole unknown (never $0), the priced part said beside it;
    // the budget is checked on that priced part: when it alone crosses, the whole does.
    const some = await call(h.backend, 'cost:estimate', { members: [...members, { ref: 'someone/thing', input: {} }] });
    expect(some).toMatchObject({
      usd: null,
      knownUsd: 0.018,
      unpriced: 1,
      basis: '1 of 4 runs have no known price; the others ≈ $0.018',
      budget: { wouldCross: 'daily' },
    });
    // An unknown part alone never blocks.
    const within = await call(h.backend, 'cost:estimate', { members: [members[0]!, { ref: 'someone/thing', input: {} }] });
    expect(within).toMatchObject({ usd: null, knownUsd: 0.003, unpriced: 1, budget: { wouldCross: null } });
    expect((await call(h.backend, 'cost:estimate', { members: [{ ref: 'someone/thing', input: {} }] })).budget.wouldCross).toBeNull();
    // One form or a fan-out, not both; and how many are priced together is bounded.
    await expect(call(h.backend, 'cost:estimate', { ref: SCHNELL, input: {}, members })).rejects.toThrow(/either ref and input/);
    await expect(call(h.backend, 'cost:estimate', { members: Array.from({ length: 1001 }, () => members[0]) })).rejects.toThrow(/At most 1000 runs/);
  });

  it('migration 6 back-fills runs that ended before the ledger existed, where the table knows the model', async () => {
    h = await setup({ scenario: { models: { [SCHNELL]: fast, [SDXL]: fast } } });
    const known = await runToEnd(SCHNELL, { prompt: 'x', num_outputs: 2 });
    const unknown = await runToEnd(SDXL, { prompt: 'x' });
    await until(() => h.backend.services.history.get(known)?.saveState === 'saved');
    await h.backend.stop();
    const { DatabaseSync } = await import('node:sqlite');
    const path = await import('node:path');
    const db = new DatabaseSync(path.join(h.dataDir, 'history.db'));
    // Back to a history from before the ledger (no costs table), then migration 6 exactly as the
    // runner applies it to such a history, in its own transaction. Later migrations are not
    // involved (the runner's order is test/unit/migrations.test.ts's concern).
    db.exec('DROP TABLE costs');
    db.exec('BEGIN IMMEDIATE');
    MIGRATIONS.find((m) => m.version === 6)!.up(db);
    db.exec('COMMIT');
    db.close();
    await h.restart();
    // A pure read of the table: the row comes from the migration, not from this backend's engine.
    expect(costFor(h.backend.services).ledger.get(known)).toMatchObject({ usd: 0.006, estimated: true, status: 'succeeded', tableDate: TABLE_DATE });
    expect(costFor(h.backend.services).ledger.get(unknown)).toBeNull();
  });
});
