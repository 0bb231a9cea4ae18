import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { call, setup, until, type Harness } from '../engine/harness.ts';
import { setupFal, type FalHarness } from '../engine/fal-harness.ts';
import { falClient, falSim, type TestSim } from '../fal-sim/helpers.ts';
import { costFor } from '../../../electron/backend/ledger/index.ts';
import { createFalPrices, FAL_PRICES_FILE } from '../../../electron/backend/pricing/fal-prices.ts';
import type { RecordLike } from '../../../electron/backend/ledger/ledger.ts';
import { manualClock } from '../../unit/history-helpers.ts';

// fal's side of money against the fal simulator (real HTTP): unit prices from its pricing API,
// cached on disk and refreshed daily, estimates from the cache alone (no request on that path),
// a failed fal job (5xx) costs $0, and what fal billed replaces the estimate with an Admin key.

const ADMIN = 'admin-id:admin-secret';
let h: Harness | null = null;
let fh: FalHarness | null = null;
afterEach(async () => {
  await h?.close();
  await fh?.close();
  h = fh = null;
});

const pricingCalls = async (s: TestSim) => (await s.control.counters()).byEndpoint['platform.pricing'] ?? 0;

describe('fal prices and charges through the backend', () => {
  it('cost:price fetches once and caches on disk; cost:estimate then needs no request at all', async () => {
    const s = await falSim();
    h = await setup();
    costFor(h.backend.services).useFal(falClient(s));
    const { price } = await call(h.backend, 'cost:price', { ref: 'fal:fal-ai/flux/dev' });
    expect(price).toMatchObject({ provider: 'fal', model: 'fal-ai/flux/dev', unit: 'output', usd: 0.025, noun: 'image' });
    expect(price.source).toMatch(/^fal's pricing API, \d{4}-\d{2}-\d{2}$/);
    expect(await pricingCalls(s)).toBe(1);
    const est = await call(h.backend, 'cost:estimate', { ref: 'fal:fal-ai/flux/dev', input: { prompt: 'x', num_images: 3 }, count: 2 });
    expect(est).toMatchObject({ usd: 0.15, estimated: true, basis: `6 images × $0.025, ${price.source}` });
    await call(h.backend, 'cost:price', { ref: 'fal:fal-ai/flux/dev' });
    expect(await pricingCalls(s)).toBe(1);
    expect(JSON.parse(fs.readFileSync(path.join(h.dataDir, FAL_PRICES_FILE), 'utf8')).prices['fal-ai/flux/dev']).toMatchObject({
      unitPrice: 0.025,
      unit: 'image',
    });

    // The next start (no fal client yet, no network) still knows the price from the disk cache.
    await h.backend.stop();
    await h.restart();
    const again = await call(h.backend, 'cost:estimate', { ref: 'fal:fal-ai/flux/dev', input: { num_images: 2 }, count: 1 });
    expect(again.usd).toBe(0.05);
    // Video priced per second: the requested duration counts.
    costFor(h.backend.services).useFal(falClient(s));
    await call(h.backend, 'cost:price', { ref: 'fal:fal-ai/kling-video/v2.1/master/text-to-video' });
    expect((await call(h.backend, 'cost:estimate', { ref: 'fal:fal-ai/kling-video/v2.1/master/text-to-video', input: { duration: '10' }, count: 1 })).usd).toBe(
      2.8,
    );
  });

  it('the cache is refreshed when a day old, and a failed refresh keeps the old price', async () => {
    const s = await falSim();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-fal-prices-'));
    try {
      const clock = manualClock();
      let client: ReturnType<typeof falClient> | null = falClient(s);
      const log = { debug() {}, info() {}, warn() {}, error() {} };
      const prices = createFalPrices({ dataDir: dir, clock, log, source: () => client && ((ids) => client!.pricing(ids)) });
      await prices.refresh(['fal-ai/flux/schnell']);
      expect(prices.cached('fal-ai/flux/schnell')?.usd).toBe(0.003);
      clock.advance(23 * 3600_000);
      await prices.refresh(['fal-ai/flux/schnell']);
      expect(await pricingCalls(s)).toBe(1);
      clock.advance(2 * 3600_000);
      await prices.refresh(['fal-ai/flux/schnell']);
      expect(await pricingCalls(s)).toBe(2);
      // An endpoint fal has no price for is not asked again within the day (every run of it would).
      await prices.refresh(['kiln-test/no-such-endpoint']);
      await prices.refresh(['kiln-test/no-such-endpoint']);
      expect(prices.cached('kiln-test/no-such-endpoint')).toBeNull();
      expect(await pricingCalls(s)).toBe(3);
      // A key fal refuses: the refresh fails, the day-old price stays.
      client = falClient(s, { getKey: async () => 'nobody:nothing' });
      clock.advance(25 * 3600_000);
      await prices.refresh(['fal-ai/flux/schnell']);
      expect(prices.cached('fal-ai/flux/schnell')?.usd).toBe(0.003);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a failed fal job (server error) costs $0, not billed; a succeeded one gets what fal billed (Admin key)', async () => {
    const s = await falSim({
      scenario: { adminKeys: [ADMIN], endpoints: { 'fal-ai/flux/dev': { startupMs: 0, runMs: 100 }, 'kiln-test/always-fails': { startupMs: 0, runMs: 100 } } },
    });
    s.control.freeze();
    const t0 = s.control.now();
    const c = falClient(s);
    const okJob = await c.submit({ endpointId: 'fal-ai/flux/dev', input: { prompt: 'x', num_images: 2 } });
    const badJob = await c.submit({ endpointId: 'kiln-test/always-fails', input: { prompt: 'x' } });
    s.control.advance(300);
    const ok = await c.result(okJob);
    const bad = await c.result(badJob);
    expect(ok.outcome).toBe('succeeded');
    if (bad.outcome !== 'failed') throw new Error(`always-fails ended ${bad.outcome}`);
    expect(bad.httpStatus).toBeGreaterThanOrEqual(500);
    // fal bills nothing for it: no billing event exists for the failed request.
    const admin = falClient(s, { getKey: async () => ADMIN });
    expect((await admin.charges([badJob.requestId, okJob.requestId], { since: t0 - 1 }))!.map((e) => e.requestId)).toEqual([okJob.requestId]);

    h = await setup();
    const cost = costFor(h.backend.services);
    cost.useFal(admin);
    await cost.catalogue.ensure(['fal:fal-ai/flux/dev', 'fal:kiln-test/always-fails']);
    // The records a fal run leaves in the history once it has ended (provider fal, its request id).
    const base = { input: { prompt: 'x' }, metrics: null, createdAt: t0, completedAt: t0 + 300, statusSince: t0 + 300 };
    const failed: RecordLike = {
      ...base,
      id: 'run-bad',
      provider: 'fal',
      providerId: badJob.requestId,
      model: 'kiln-test/always-fails',
      status: 'failed',
      output: null,
      error: { code: bad.errorType ?? String(bad.httpStatus), message: bad.message },
    };
    expect(cost.ledger.record(failed)).toMatchObject({ usd: 0, estimated: false, basis: expect.stringMatching(/not billed/) });
    const succeeded: RecordLike = {
      ...base,
      id: 'run-ok',
      provider: 'fal',
      providerId: okJob.requestId,
      model: 'fal-ai/flux/dev',
      status: 'succeeded',
      output: ok.outcome === 'succeeded' ? ok.output : null,
      error: null,
      input: { prompt: 'x', num_images: 2 },
    };
    expect(cost.ledger.record(succeeded)).toMatchObject({ usd: 0.05, estimated: true });
    await cost.ledger.idle();
    expect(cost.ledger.get('run-ok')).toMatchObject({ usd: 0.05, estimated: false, basis: "fal's billing reports $0.05" });

    // Without an Admin key the estimate stays, marked as one.
    cost.useFal(c);
    expect(cost.ledger.record({ ...succeeded, id: 'run-ok-2' })).toMatchObject({ usd: 0.05, estimated: true });
    await cost.ledger.idle();
    expect(cost.ledger.get('run-ok-2')).toMatchObject({ estimated: true });
    const sum = await call(h.backend, 'cost:summary', {});
    expect(sum.byModel.find((m: { model: string }) => m.model === 'kiln-test/always-fails')).toMatchObject({
      provider: 'fal',
      usd: 0,
      runs: 1,
      estimated: false,
    });
    expect(sum.byProvider).toEqual([{ key: 'fal', usd: 0.1, runs: 3, unknownRuns: 0 }]);
  });
});

// The app's own composition (createBackend with fal's URLs and key), runs made through the engine:
// nothing here hands the cost services a client; the backend wires fal's prices and billing itself.
describe('fal money in the composed backend', () => {
  const FLUX = 'fal-ai/flux/dev';
  const endpoints = { [FLUX]: { startupMs: 0, runMs: 100 }, 'kiln-test/always-fails': { startupMs: 0, runMs: 100 } };
  const costOf = async (id: string) => {
    await until(() => fh!.backend.services.history.get(id)?.status.match(/succeeded|failed|canceled|aborted/), 15_000, 'the run ended');
    await costFor(fh!.backend.services).ledger.idle();
    return call(fh!.backend, 'cost:get', { id });
  };

  it("estimates from fal's pricing API, prices an ended run by it, and a server-error failure is not billed", async () => {
    fh = await setupFal({ scenario: { endpoints } });
    const { price } = await call(fh.backend, 'cost:price', { ref: `fal:${FLUX}` });
    expect(price).toMatchObject({ provider: 'fal', unit: 'output', usd: 0.025 });
    expect((await call(fh.backend, 'cost:estimate', { ref: `fal:${FLUX}`, input: { prompt: 'x', num_images: 2 }, count: 1 })).basis).toMatch(
      /^2 images × \$0\.025, fal's pricing API, \d{4}-\d{2}-\d{2}$/,
    );

    const { ids } = await call(fh.backend, 'predictions:create', { model: `fal:${FLUX}`, input: { prompt: 'x', num_images: 2 } });
    expect(await costOf(ids[0])).toMatchObject({ usd: 0.05, estimated: true, basis: expect.stringMatching(/^2 images × \$0\.025, fal's pricing API/) });

    const bad = await call(fh.backend, 'predictions:create', { model: 'fal:kiln-test/always-fails', input: { prompt: 'x' } });
    expect(await costOf(bad.ids[0])).toMatchObject({ usd: 0, estimated: false, basis: expect.stringMatching(/not billed/) });

    // This key may not read billing (not an Admin key): asked once, then not for every run.
    const again = await call(fh.backend, 'predictions:create', { model: `fal:${FLUX}`, input: { prompt: 'y' } });
    expect(await costOf(again.ids[0])).toMatchObject({ usd: 0.025, estimated: true });
    expect((await fh.sim.control.counters()).byEndpoint['platform.billing']).toBe(1);
  });

  it("a run whose price was never asked for is priced from fal's API once it ends", async () => {
    fh = await setupFal({ scenario: { endpoints } });
    const { ids } = await call(fh.backend, 'predictions:create', { model: `fal:${FLUX}`, input: { prompt: 'x', num_images: 3 } });
    expect(await costOf(ids[0])).toMatchObject({ usd: 0.075, estimated: true });
  });

  it('with an Admin key the card shows what fal billed, not the estimate', async () => {
    fh = await setupFal({ scenario: { endpoints, adminKeys: [ADMIN] }, key: () => ADMIN });
    const { ids } = await call(fh.backend, 'predictions:create', { model: `fal:${FLUX}`, input: { prompt: 'x', num_images: 2 } });
    const providerId = await until(() => fh!.backend.services.history.get(ids[0])?.providerId, 10_000, 'submitted');
    const billed = fh.sim.control.jobs().find((j) => j.request_id === providerId);
    expect(billed).toBeTruthy();
    expect(await costOf(ids[0])).toMatchObject({ usd: 0.05, estimated: false, basis: "fal's billing reports $0.05" });
  });
});
