import { afterAll, afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { startSimulator, type Scenario, type Sim } from '../../replicate-sim/index.ts';
import { openHistory } from '../../../electron/backend/history/store.ts';
import { createVault } from '../../../electron/backend/vault/vault.ts';
import { createPublisher } from '../../../electron/backend/events/publisher.ts';
import type { Clock } from '../../../electron/backend/types.ts';
import { recordingLog, tempDir, removeTempDirs } from '../../unit/history-helpers.ts';

afterAll(removeTempDirs);

// The vault against the simulator's delivery host, for the upstream behaviours Replicate does not
// document (UNVERIFIED there, so both ways are handled): files that need the token, and expired
// files answered with 403 instead of 404.

const MODEL = 'black-forest-labs/flux-schnell';
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function succeededOnSim(sim: Sim): Promise<Record<string, unknown>> {
  const res = await fetch(`${sim.baseUrl}/models/${MODEL}/predictions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sim.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ input: { prompt: 'a quiet harbour', num_outputs: 1 } }),
  });
  const created = (await res.json()) as { id: string };
  sim.control.advance(60_000);
  const got = await fetch(`${sim.baseUrl}/predictions/${created.id}`, { headers: { authorization: `Bearer ${sim.token}` } });
  const p = (await got.json()) as Record<string, unknown>;
  if (p.status !== 'succeeded') throw new Error(`sim prediction is ${String(p.status)}`);
  return p;
}

async function setup(scenario: Scenario, withToken: boolean) {
  const sim = await startSimulator({ scenario: { models: { [MODEL]: { coldBootMs: 100, runMs: 100 } }, ...scenario } });
  cleanup.push(() => sim.close());
  const dir = tempDir('kiln-vault-sim-');
  // The vault's clock follows the simulator's, so "retention has passed" means the same to both.
  const clock: Clock = {
    now: () => sim.control.now(),
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  };
  const log = recordingLog();
  const history = openHistory({ dataDir: dir, log, clock });
  const publisher = createPublisher({ clock, view: (id) => history.view(id), emit: () => {}, intervalMs: 5 });
  const vault = createVault({
    dataDir: dir,
    fetch,
    clock,
    log,
    history,
    publisher,
    replicateBaseUrl: sim.baseUrl,
    retry: { attempts: 2, baseMs: 5 },
    ...(withToken ? { getToken: async () => sim.token } : {}),
  });
  cleanup.push(
    () => history.close(),
    () => publisher.flushNow(),
    () => vault.close(),
  );
  const p = await succeededOnSim(sim);
  history.insertIntent({ id: 'k1', provider: 'replicate', model: MODEL, version: null, target: 'model', input: { prompt: 'a quiet harbour' } });
  const rec = history.update('k1', { status: 'succeeded', providerId: String(p.id), providerCreatedAt: Date.parse(String(p.created_at)), output: p.output });
  return { sim, history, vault, rec };
}

describe('vault against the simulator delivery host', () => {
  it('sends the token only when the file host asks for it (deliveryAuth)', async () => {
    const { history, vault, rec } = await setup({ deliveryAuth: true }, true);
    await vault.saveOutputs(rec);
    const [o] = history.getOutputs('k1');
    expect(o).toMatchObject({ state: 'saved', kind: 'image' });
    expect(fs.existsSync(vault.resolve(o!.path!)!)).toBe(true);
  });

  it('without a token a protected file fails (retryable later), it is not called expired', async () => {
    const { history, vault, rec } = await setup({ deliveryAuth: true }, false);
    await vault.saveOutputs(rec);
    expect(history.getOutputs('k1')[0]!.state).toBe('failed');
    expect(history.get('k1')!.saveState).toBe('save-failed');
  });

  it('a 403 after the retention period means expired', async () => {
    const { sim, history, vault, rec } = await setup({ expiredDeliveryStatus: 403 }, true);
    sim.control.advance(2 * 60 * 60 * 1000);
    await vault.saveOutputs(rec);
    expect(history.getOutputs('k1')[0]!.state).toBe('expired');
    expect(history.get('k1')!.saveState).toBe('expired');
  });
});
