import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSimulator } from '../../replicate-sim/index.ts';
import { createBackend } from '../../../electron/backend/index.ts';
import { systemClock, type BackendDeps } from '../../../electron/backend/types.ts';
import { DEFAULT_SETTINGS, type Settings } from '../../../shared/domain/settings.ts';
import { call, FAST_ENGINE, silentLog, until } from '../engine/harness.ts';

// Chain (issue 14): predictions:create with a sourceId keeps the link on the record, through the
// engine's insert, in a real SQLite file against the simulator over HTTP; the view names the source
// and a Retry of the chained run keeps it.

const FLUX = 'black-forest-labs/flux-schnell';

let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
});

describe('predictions:create sourceId', () => {
  it('is stored on the run, named in its view, and carried by a retry; a plain create has none', async () => {
    const sim = await startSimulator({ scenario: { models: { [FLUX]: { coldBootMs: 0, runMs: 100 } } } });
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kiln-chain-'));
    let settings: Settings = { ...DEFAULT_SETTINGS };
    const deps: BackendDeps = {
      dataDir,
      fetch: globalThis.fetch,
      clock: systemClock,
      secrets: { get: async () => sim.token, set: async () => {}, clear: async () => {}, protection: () => 'env' },
      settings: { get: () => settings, set: (p) => (settings = { ...settings, ...p }) },
      log: silentLog,
      mode: 'memory',
      replicateBaseUrl: sim.baseUrl,
      engineOptions: FAST_ENGINE,
    };
    const backend = await createBackend(deps);
    await backend.start();
    cleanup = async () => {
      backend.services.engine.kill();
      await backend.stop().catch(() => {});
      await sim.close();
      rmSync(dataDir, { recursive: true, force: true });
    };

    const [src] = (await call(backend, 'predictions:create', { model: FLUX, input: { prompt: 'a small red robot' } })).ids as string[];
    const [up] = (await call(backend, 'predictions:create', { model: FLUX, input: { prompt: 'the same robot, redrawn' }, sourceId: src })).ids as string[];
    expect(backend.services.history.get(up!)?.sourceId).toBe(src);
    expect((await call(backend, 'predictions:get', { id: up })).source).toEqual({ id: src, model: FLUX, prompt: 'a small red robot' });
    expect((await call(backend, 'predictions:get', { id: src })).source).toBeNull();

    await until(() => ['succeeded', 'failed'].includes(backend.services.history.get(up!)!.status), 20_000, 'chained run ended');
    const { id: again } = await call(backend, 'predictions:retry', { id: up });
    expect((await call(backend, 'predictions:get', { id: again })).source?.id).toBe(src);
  });
});
