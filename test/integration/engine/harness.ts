import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSimulator, type Scenario, type Sim } from '../../replicate-sim/index.ts';
import type { Fault } from '../../replicate-sim/types.ts';
import { createBackend, type Backend } from '../../../electron/backend/index.ts';
import { systemClock, type BackendDeps, type Logger } from '../../../electron/backend/types.ts';
import { DEFAULT_SETTINGS, type Settings } from '../../../shared/domain/settings.ts';
import type { EventName, EventPayload } from '../../../shared/ipc.ts';

// Shared set-up for the engine conformance suite: the simulator on 127.0.0.1 (real HTTP), a real
// SQLite history in a temp dir, and engine timings shrunk so a test runs in real seconds while the
// simulator's clock is advanced over minutes of cold boot.

export const FAST_ENGINE = {
  cadence: { initialMs: 40, processingMs: 80, processingMaxMs: 160, processingRampMs: 1000, startingMaxMs: 250, longStartMs: 1000 },
  backoff: { baseMs: 40, maxMs: 400 },
  listIntervalMs: 100,
  listFewMs: 100,
  processingRefreshMs: 300,
  probeMs: 400,
  reconcileDelayMs: 100,
};

export const silentLog: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export interface Harness {
  sim: Sim;
  dataDir: string;
  backend: Backend;
  events: { event: EventName; payload: unknown }[];
  /** Builds another backend on the same data dir (after a kill or stop), and starts it. */
  restart(): Promise<Backend>;
  close(): Promise<void>;
}

export async function setup(
  o: {
    scenario?: Scenario;
    engine?: Record<string, unknown>;
    settings?: Partial<Settings>;
    token?: string;
    sim?: Sim;
    dataDirOverride?: string;
    fetch?: typeof fetch;
  } = {},
): Promise<Harness> {
  const sim = o.sim ?? (await startSimulator({ scenario: o.scenario }));
  const dataDir = o.dataDirOverride ?? mkdtempSync(path.join(os.tmpdir(), 'kiln-engine-'));
  let settings: Settings = { ...DEFAULT_SETTINGS, ...o.settings };
  const events: Harness['events'] = [];
  const backends: Backend[] = [];
  const build = async () => {
    const deps: BackendDeps = {
      dataDir,
      fetch: o.fetch ?? globalThis.fetch,
      clock: systemClock,
      secrets: { get: async () => o.token ?? sim.token, set: async () => {}, clear: async () => {}, protection: () => 'env' },
      settings: { get: () => settings, set: (p) => (settings = { ...settings, ...p }) },
      log: silentLog,
      mode: 'memory',
      replicateBaseUrl: sim.baseUrl,
      engineOptions: { ...FAST_ENGINE, ...o.engine },
    };
    const b = await createBackend(deps);
    b.on(<E extends EventName>(event: E, payload: EventPayload<E>) => void events.push({ event, payload }));
    backends.push(b);
    await b.start();
    return b;
  };
  const h: Harness = {
    sim,
    dataDir,
    events,
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
      if (!o.sim) await sim.close();
      if (!o.dataDirOverride) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return h;
}

/** Polls `fn` until it returns a truthy value; bounded in time. */
export async function until<T>(fn: () => T | Promise<T>, timeoutMs = 20_000, what = 'condition'): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A simulator fault answering `endpoint` verbatim (recorded or hand-written bodies, test/fixtures/replicate/). */
export const reply = (endpoint: Fault['endpoint'], status: number, body: string, headers?: Record<string, string>, count = 100): Fault => ({
  endpoint,
  kind: 'reply',
  count,
  reply: { status, body, ...(headers ? { headers } : {}) },
});

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Invokes through the contract (validation included), throwing the typed error on failure. */
export async function call(b: Backend, channel: string, payload: unknown): Promise<any> {
  const env = await b.invoke(channel, payload);
  if (!env.ok) throw Object.assign(new Error(env.error.message), env.error);
  return env.value;
}
