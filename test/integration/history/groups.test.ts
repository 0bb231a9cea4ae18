import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSimulator, type Sim } from '../../replicate-sim/index.ts';
import type { Scenario } from '../../replicate-sim/types.ts';
import { startFalSimulator, type FalSim } from '../../fal-sim/index.ts';
import { createBackend, type Backend } from '../../../electron/backend/index.ts';
import { systemClock, type BackendDeps } from '../../../electron/backend/types.ts';
import { DEFAULT_SETTINGS, type Settings } from '../../../shared/domain/settings.ts';
import { LIMITS } from '../../../shared/limits.ts';
import { call, FAST_ENGINE, silentLog, until } from '../engine/harness.ts';
import type { PredictionView } from '../../../shared/domain/prediction.ts';
import { byGroupOrder } from '../../../renderer/src/features/stacks/stack-model.ts';

// Groups of runs (ARCHITECTURE.md, "Workflows"): predictions:createGroup makes one ordinary run per member through
// the same path as predictions:create, across both providers (the Replicate and the fal simulator
// over real HTTP, one backend, a real SQLite file), linked by a group id the list can filter on.
// One member's failure never stops the others; a retried member stays in its group.

const FLUX = 'black-forest-labs/flux-schnell';
const FAL_FLUX = 'fal:fal-ai/flux/schnell';

let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
});

async function both(scenario: Scenario = {}): Promise<{ backend: Backend; sim: Sim; fal: FalSim }> {
  const sim = await startSimulator({ scenario: { models: { [FLUX]: { coldBootMs: 0, runMs: 200 } }, ...scenario } });
  const fal = await startFalSimulator({
    scenario: { endpoints: { 'fal-ai/flux/schnell': { startupMs: 0, runMs: 200 }, 'kiln-test/always-fails': { startupMs: 0, runMs: 200 } } },
  });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kiln-groups-'));
  let settings: Settings = { ...DEFAULT_SETTINGS };
  const deps: BackendDeps = {
    dataDir,
    fetch: globalThis.fetch,
    clock: systemClock,
    secrets: { get: async (p) => (p === 'fal' ? fal.key : sim.token), set: async () => {}, clear: async () => {}, protection: () => 'env' },
    settings: { get: () => settings, set: (p) => (settings = { ...settings, ...p }) },
    log: silentLog,
    mode: 'memory',
    replicateBaseUrl: sim.baseUrl,
    falBases: { queueUrl: fal.queueUrl, apiUrl: fal.apiUrl, storageUrl: fal.storageUrl },
    engineOptions: FAST_ENGINE,
  };
  const backend = await createBackend(deps);
  await backend.start();
  cleanup = async () => {
    backend.services.engine.kill();
    await backend.stop().catch(() => {});
    await sim.close();
    await fal.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { backend, sim, fal };
}

const terminal = (s: string) => ['succeeded', 'failed', 'canceled', 'aborted'].includes(s);

describe('predictions:createGroup', () => {
  it('a compare across Replicate and fal: one run per model, grouped; the failing model does not stop the others', async () => {
    const { backend, sim, fal } = await both();
    const history = backend.services.history;
    // The compare dialog maps its canonical input onto each model's schema, fal's included.
    const falModel = await call(backend, 'models:get', { ref: FAL_FLUX });
    expect(falModel).toMatchObject({ ref: FAL_FLUX, inputSchema: { properties: { prompt: { type: 'string' }, seed: { type: 'integer' } } } });
    const res = await call(backend, 'predictions:createGroup', {
      kind: 'compare',
      members: [
        { model: FLUX, input: { prompt: 'a kiln at dusk', seed: 7 } },
        { model: FAL_FLUX, input: { prompt: 'a kiln at dusk', seed: 7 } },
        { model: 'fal:kiln-test/always-fails', input: { prompt: 'a kiln at dusk' } },
      ],
    });
    expect(res.groupId).toMatch(/^grp_/);
    expect(res.ids).toHaveLength(3);
    expect(res.refused).toEqual({});
    const [rep, ok, bad] = res.ids as string[];
    await until(() => res.ids.every((id: string) => terminal(history.get(id)!.status)), 20_000, 'all ended');
    expect(history.get(rep!)).toMatchObject({ provider: 'replicate', status: 'succeeded', groupId: res.groupId, groupKind: 'compare' });
    expect(history.get(ok!)).toMatchObject({ provider: 'fal', status: 'succeeded', groupId: res.groupId });
    expect(history.get(bad!)).toMatchObject({ provider: 'fal', status: 'failed', groupId: res.groupId });
    // Each member reached its own provider once, with its own input.
    expect(sim.control.predictions()).toHaveLength(1);
    expect(fal.control.jobs()).toHaveLength(2);

    // The list returns a group's members (and only them); each view carries the group.
    await call(backend, 'predictions:create', { model: FLUX, input: { prompt: 'not in the group' } });
    const members = await call(backend, 'predictions:list', { groupId: res.groupId });
    expect(members.items.map((v: { id: string }) => v.id).sort()).toEqual([...res.ids].sort());
    expect(members.items.every((v: { groupId: string; groupKind: string }) => v.groupId === res.groupId && v.groupKind === 'compare')).toBe(true);
    const all = await call(backend, 'predictions:list', {});
    expect(all.items.find((v: { prompt: string }) => v.prompt === 'not in the group')).toMatchObject({ groupId: null, groupKind: null });

    // Retrying the failed member adds a run to the same group and leaves the others as they were.
    const before = Object.fromEntries(res.ids.map((id: string) => [id, history.get(id)!.timeline.length]));
    const { id: again } = await call(backend, 'predictions:retry', { id: bad });
    expect(history.get(again)).toMatchObject({ groupId: res.groupId, groupKind: 'compare', retryOf: bad });
    await until(() => terminal(history.get(again)!.status), 20_000, 'retry ended');
    for (const id of res.ids) expect(history.get(id)!.timeline.length).toBe(before[id]);
    expect((await call(backend, 'predictions:list', { groupId: res.groupId })).items).toHaveLength(4);
  });

  it('a batch: a member the provider refuses fails alone with the reason; the rest run', async () => {
    const refuse = {
      status: 422,
      headers: { 'content-type': 'application/problem+json' },
      body: JSON.stringify({
        title: 'Input validation failed',
        detail: '- prompt: scripted refusal\n',
        status: 422,
        invalid_fields: [{ type: 'format', field: 'prompt', description: 'scripted refusal' }],
      }),
    };
    const { backend, sim } = await both({ faults: [{ endpoint: 'create', kind: 'reply', after: 2, count: 1, reply: refuse }] });
    const history = backend.services.history;
    const members = Array.from({ length: 5 }, (_, i) => ({ model: FLUX, input: { prompt: `batch prompt ${i + 1}` } }));
    const res = await call(backend, 'predictions:createGroup', { kind: 'batch', members });
    await until(() => res.ids.every((id: string) => terminal(history.get(id)!.status)), 20_000, 'all ended');
    const statuses = res.ids.map((id: string) => history.get(id)!.status);
    expect(statuses.filter((s: string) => s === 'failed')).toHaveLength(1);
    expect(statuses.filter((s: string) => s === 'succeeded')).toHaveLength(4);
    const failed = res.ids.find((id: string) => history.get(id)!.status === 'failed')!;
    expect(history.get(failed)!.error?.message).toMatch(/scripted refusal/);
    const { id: again } = await call(backend, 'predictions:retry', { id: failed });
    await until(() => history.get(again)!.status === 'succeeded', 20_000, 'retry succeeded');
    expect(history.get(again)!.groupId).toBe(res.groupId);
    // Five members and one retry: six creates reached the simulator, one per run.
    expect(sim.control.predictions()).toHaveLength(5);
  });

  it('refuses a group over the members limit, naming it, before any run is made', async () => {
    const { backend, sim } = await both();
    const members = Array.from({ length: LIMITS.groupMembers + 1 }, () => ({ model: FLUX, input: { prompt: 'x' } }));
    await expect(call(backend, 'predictions:createGroup', { kind: 'batch', members })).rejects.toThrow(new RegExp(`at most ${LIMITS.groupMembers} runs`));
    expect(backend.services.history.list({}, null, 10).items).toHaveLength(0);
    expect(sim.control.predictions()).toHaveLength(0);
  });

  it('counts a group over the whole history (predictions:groupProgress): the newest try of each member, the ones to retry, bounded', async () => {
    const refuse = {
      status: 422,
      headers: { 'content-type': 'application/problem+json' },
      body: JSON.stringify({ title: 'Input validation failed', detail: '- prompt: scripted refusal\n', status: 422 }),
    };
    const { backend } = await both({ faults: [{ endpoint: 'create', kind: 'reply', after: 2, count: 1, reply: refuse }] });
    const history = backend.services.history;
    const a = await call(backend, 'predictions:createGroup', {
      kind: 'batch',
      members: Array.from({ length: 5 }, (_, i) => ({ model: FLUX, input: { prompt: `counted ${i + 1}` } })),
    });
    const b = await call(backend, 'predictions:createGroup', { kind: 'compare', members: [{ model: FLUX, input: { prompt: 'other group' } }] });
    await until(() => [...a.ids, ...b.ids].every((id: string) => terminal(history.get(id)!.status)), 20_000, 'all ended');
    const failed = a.ids.find((id: string) => history.get(id)!.status === 'failed')!;

    // Both groups in one call, an unknown one left out; counted from the history, not from a page.
    const first = await call(backend, 'predictions:groupProgress', { groupIds: [a.groupId, 'grp_nobody', b.groupId] });
    expect(first.groups).toEqual([
      { groupId: a.groupId, kind: 'batch', byStatus: { succeeded: 4, failed: 1 }, retryable: [failed] },
      { groupId: b.groupId, kind: 'compare', byStatus: { succeeded: 1 }, retryable: [] },
    ]);

    // The retry stands for the member it retries: still five members, none left to retry.
    const { id: again } = await call(backend, 'predictions:retry', { id: failed });
    await until(() => history.get(again)!.status === 'succeeded', 20_000, 'retry succeeded');
    expect((await call(backend, 'predictions:groupProgress', { groupIds: [a.groupId] })).groups).toEqual([
      { groupId: a.groupId, kind: 'batch', byStatus: { succeeded: 5 }, retryable: [] },
    ]);

    // The stacks on screen at most, per call.
    await expect(call(backend, 'predictions:groupProgress', { groupIds: Array.from({ length: 51 }, (_, i) => `grp_${i}`) })).rejects.toThrow(
      /at most 50 groups/,
    );
  });

  it('members keep their place in the group (group_index) through a delete and undo that re-inserts them in another order', async () => {
    const { backend } = await both();
    const models = ['first', 'second', 'third', 'fourth'];
    const res = await call(backend, 'predictions:createGroup', { kind: 'compare', members: models.map((m) => ({ model: FLUX, input: { prompt: m } })) });
    const order = async () => {
      const items = (await call(backend, 'predictions:list', { groupId: res.groupId })).items as PredictionView[];
      return [...items].sort(byGroupOrder).map((v) => v.prompt);
    };
    expect(await order()).toEqual(models);
    // Deleted newest-first (as the gallery lists them) and restored: the insert order is now reversed.
    const del = await call(backend, 'predictions:delete', { ids: [...res.ids].reverse() });
    await call(backend, 'predictions:undoDelete', { undoToken: del.undoToken });
    const back = (await call(backend, 'predictions:list', { groupId: res.groupId })).items as PredictionView[];
    expect(Object.fromEntries(back.map((v) => [v.prompt, v.groupIndex]))).toEqual({ first: 0, second: 1, third: 2, fourth: 3 });
    expect(await order()).toEqual(models);
    // A retried member takes its original's place.
    const { id: again } = await call(backend, 'predictions:retry', { id: res.ids[1] });
    expect((await call(backend, 'predictions:get', { id: again })).groupIndex).toBe(1);
  });
});
