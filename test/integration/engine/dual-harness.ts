import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSimulator, type Scenario as ReplicateScenario, type Sim } from '../../replicate-sim/index.ts';
import { startFalSimulator, type FalSim } from '../../fal-sim/index.ts';
import type { Scenario as FalScenario } from '../../fal-sim/types.ts';
import { createBackend, type Backend } from '../../../electron/backend/index.ts';
import { systemClock, type BackendDeps } from '../../../electron/backend/types.ts';
import { DEFAULT_SETTINGS, type Settings } from '../../../shared/domain/settings.ts';
import type { EngineOptionsInput } from '../../../electron/backend/engine/options.ts';
import { FAST_ENGINE, silentLog } from './harness.ts';
import { countingFetch } from './counting-fetch.ts';

// Both simulators at once behind one backend (the app's composition: one engine, a lane per
// provider). Real HTTP, a real SQLite history. A fetch wrapper counts the creates in flight over
// both providers together, held until each answer's body is in (that is when a request is over).

export interface DualHarness {
  replicate: Sim;
  fal: FalSim;
  backend: Backend;
  /** Creates (Replicate POST …/predictions, fal queue submit) out at once, over both providers. */
  creates: { now: number; max: number; total: number; byProvider: Record<'replicate' | 'fal', number> };
  close(): Promise<void>;
}

export async function setupDual(
  o: { replicate?: ReplicateScenario; fal?: FalScenario; engine?: EngineOptionsInput; settings?: Partial<Settings> } = {},
): Promise<DualHarness> {
  const replicate = await startSimulator({ scenario: o.replicate });
  const fal = await startFalSimulator({ scenario: o.fal });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kiln-engine-dual-'));
  let settings: Settings = { ...DEFAULT_SETTINGS, ...o.settings };
  const falQueue = new URL(fal.queueUrl);
  const which = (url: URL, method: string): 'replicate' | 'fal' | null => {
    if (method !== 'POST') return null;
    if (url.origin === new URL(replicate.baseUrl).origin && /\/predictions$/.test(url.pathname)) return 'replicate';
    // A fal submit is a POST to the queue at the endpoint's own path (not …/requests/… — cancel).
    if (url.origin === falQueue.origin && url.pathname.startsWith(falQueue.pathname.replace(/\/+$/, '')) && !url.pathname.includes('/requests/')) return 'fal';
    return null;
  };
  const byProvider = { replicate: 0, fal: 0 };
  const counting = countingFetch(which, (p) => byProvider[p]++);
  const creates: DualHarness['creates'] = Object.assign(counting.inFlight, { byProvider });
  const deps: BackendDeps = {
    dataDir,
    fetch: counting.fetch,
    clock: systemClock,
    secrets: { get: async (p) => (p === 'fal' ? fal.key : replicate.token), set: async () => {}, clear: async () => {}, protection: () => 'env' },
    settings: { get: () => settings, set: (p) => (settings = { ...settings, ...p }) },
    log: silentLog,
    mode: 'memory',
    replicateBaseUrl: replicate.baseUrl,
    falBases: { queueUrl: fal.queueUrl, apiUrl: fal.apiUrl, storageUrl: fal.storageUrl },
    engineOptions: { ...FAST_ENGINE, ...o.engine },
  };
  const backend = await createBackend(deps);
  await backend.start();
  return {
    replicate,
    fal,
    backend,
    creates,
    async close() {
      backend.services.engine.kill();
      await backend.stop().catch(() => {});
      await Promise.all([replicate.close(), fal.close()]);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
