import { afterEach, describe, expect, it } from 'vitest';
import { call, until } from './harness.ts';
import { setupDual, type DualHarness } from './dual-harness.ts';

// One engine over both providers at once (ARCHITECTURE.md, "The engine": one scheduler for all runs of all providers,
// one budget, health and key pause per provider). Both simulators, real HTTP, one SQLite history.

let h: DualHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const REPLICATE = 'black-forest-labs/flux-schnell';
const FAL = 'fal-ai/flux/schnell';
const rec = (id: string) => h!.backend.services.history.get(id)!;
const create = async (model: string, prompt: string, count = 1): Promise<string[]> =>
  (await call(h!.backend, 'predictions:create', { model, input: { prompt }, count })).ids;

describe('one scheduler over Replicate and fal', () => {
  it('createConcurrency bounds the creates out over both providers together', async () => {
    // Creates held open by both simulators' `slow` fault, so they overlap whenever allowed to.
    h = await setupDual({
      settings: { createConcurrency: 2 },
      replicate: { models: { [REPLICATE]: { coldBootMs: 100, runMs: 200 } }, faults: [{ endpoint: 'create', kind: 'slow', delayMs: 300, count: 4 }] },
      fal: { endpoints: { [FAL]: { startupMs: 100, runMs: 200 } }, faults: [{ endpoint: 'submit', kind: 'slow', delayMs: 300, count: 4 }] },
    });
    const ids = [...(await create(REPLICATE, 'r', 4)), ...(await create(`fal:${FAL}`, 'f', 4))];
    await until(() => ids.every((id) => rec(id).status === 'succeeded'), 30_000, 'all eight succeeded');
    expect(h.creates.byProvider).toEqual({ replicate: 4, fal: 4 });
    expect(h.creates.max).toBe(2); // reached, and never exceeded across providers
    expect(h.replicate.control.predictions()).toHaveLength(4);
    expect(h.fal.control.jobs()).toHaveLength(4);
  });

  it('a rejected fal key pauses fal only: Replicate runs go on and end', async () => {
    h = await setupDual({
      replicate: { models: { [REPLICATE]: { coldBootMs: 300, runMs: 1_500 } } },
      fal: { endpoints: { [FAL]: { startupMs: 200, runMs: 600_000 } } },
    });
    const [falRun] = await create(`fal:${FAL}`, 'fal, then the key is revoked');
    await until(() => rec(falRun!).providerId, 10_000, 'fal submitted');
    h.fal.control.loadScenario({ endpoints: { [FAL]: { startupMs: 200, runMs: 600_000 } }, revokedKeys: [h.fal.key] });
    await until(() => rec(falRun!).note === 'Paused — key rejected', 10_000, 'fal paused');
    const [repRun] = await create(REPLICATE, 'replicate meanwhile');
    await until(() => rec(repRun!).status === 'succeeded', 30_000, 'replicate succeeded');
    const { engine } = h.backend.services;
    expect(engine.lanes.get('fal')!.keyRejected()).toBe('Paused — key rejected');
    expect(engine.lanes.get('replicate')!.keyRejected()).toBeNull();
    expect(rec(repRun!).note).toBeNull();
    expect(rec(falRun!).status).not.toBe('succeeded');
    // A fal run clicked during the pause is kept, queued, never sent; the host hears why (auth).
    await expect(create(`fal:${FAL}`, 'held for the key')).rejects.toMatchObject({ code: 'auth' });
    const held = h.backend.services.history.listActive().find((r) => r.input.prompt === 'held for the key')!;
    expect(held).toMatchObject({ provider: 'fal', status: 'queued', note: 'Paused — key rejected' });
    expect(h.fal.control.jobs()).toHaveLength(1);
  });

  // Either way round: an outage at one provider takes its lane offline, never the other's.
  const outages = [
    { down: 'replicate', up: 'fal', downModel: REPLICATE, upModel: `fal:${FAL}`, label: 'Replicate' },
    { down: 'fal', up: 'replicate', downModel: `fal:${FAL}`, upModel: REPLICATE, label: 'fal' },
  ] as const;
  it.each(outages)(
    'a $down outage leaves $up running: its runs are created and end while $down is unreachable',
    async ({ down, up, downModel, upModel, label }) => {
      const repScenario = { models: { [REPLICATE]: { coldBootMs: 300, runMs: down === 'replicate' ? 60_000 : 300 } } };
      const falScenario = { endpoints: { [FAL]: { startupMs: 100, runMs: down === 'fal' ? 60_000 : 300 } } };
      h = await setupDual({ replicate: repScenario, fal: falScenario });
      const [downRun] = await create(downModel, `${down}, then an outage`);
      await until(() => rec(downRun!).providerId, 10_000, `${down} created`);
      if (down === 'replicate') h.replicate.control.loadScenario({ ...repScenario, faults: [{ endpoint: '*', kind: '503', count: 100_000 }] });
      else h.fal.control.loadScenario({ ...falScenario, faults: [{ endpoint: '*', kind: '503', count: 100_000 }] });
      const { engine } = h.backend.services;
      await until(() => !engine.lanes.get(down)!.isOnline(), 15_000, `${down} unreachable`);
      const upRuns = await create(upModel, `${up} during the outage`, 3);
      await until(() => upRuns.every((id) => rec(id).status === 'succeeded'), 30_000, `${up} runs succeeded`);
      expect(engine.lanes.get(up)!.isOnline()).toBe(true);
      expect(engine.lanes.get(down)!.isOnline()).toBe(false);
      expect(rec(downRun!).note).toMatch(new RegExp(`${label} unreachable`));
      for (const id of upRuns) expect(rec(id).note).toBeNull();
    },
  );
});
