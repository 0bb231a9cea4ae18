import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFalSimulator, type FalSim } from '../../fal-sim/index.ts';
import type { Scenario } from '../../fal-sim/types.ts';
import { createBackend, type Backend } from '../../../electron/backend/index.ts';
import { systemClock, type BackendDeps, type Clock } from '../../../electron/backend/types.ts';
import { DEFAULT_SETTINGS, type Settings } from '../../../shared/domain/settings.ts';
import type { EngineOptionsInput } from '../../../electron/backend/engine/options.ts';
import { FAST_ENGINE, silentLog } from './harness.ts';

// The engine suite's set-up against the fal simulator: the same backend as the app (createBackend),
// a real SQLite history, real HTTP. The fal key is the simulator's; no Replicate key is set, and the
// Replicate base stays the default: the vault trusts the simulator's http media URLs because they
// are on the configured fal bases' origin (net/trust.ts, per provider).

export interface FalHarness {
  sim: FalSim;
  dataDir: string;
  backend: Backend;
  restart(): Promise<Backend>;
  close(): Promise<void>;
}

export async function setupFal(
  o: { scenario?: Scenario; engine?: EngineOptionsInput; settings?: Partial<Settings>; key?: () => string | null; clock?: Clock } = {},
): Promise<FalHarness> {
  const sim = await startFalSimulator({ scenario: o.scenario });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kiln-engine-fal-'));
  let settings: Settings = { ...DEFAULT_SETTINGS, ...o.settings };
  const backends: Backend[] = [];
  const build = async () => {
    const deps: BackendDeps = {
      dataDir,
      fetch: globalThis.fetch,
      clock: o.clock ?? systemClock,
      secrets: { get: async (p) => (p === 'fal' ? (o.key ? o.key() : sim.key) : null), set: async () => {}, clear: async () => {}, protection: () => 'env' },
      settings: { get: () => settings, set: (p) => (settings = { ...settings, ...p }) },
      log: silentLog,
      mode: 'memory',
      falBases: { queueUrl: sim.queueUrl, apiUrl: sim.apiUrl, storageUrl: sim.storageUrl },
      engineOptions: { ...FAST_ENGINE, ...o.engine },
    };
    const b = await createBackend(deps);
    backends.push(b);
    await b.start();
    return b;
  };
  const h: FalHarness = {
    sim,
    dataDir,
    backend: await build(),
    async restart() {
      h.backend = await build();
      return h.backend;
    },
    async close() {
      for (const b of backends) {
        b.services.engine.kill();
        await b.stop().catch(() => {});
      }
      await sim.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return h;
}
