import { afterEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../../electron/backend/index.ts';
import { call, setup, until } from './harness.ts';
import { setupFal } from './fal-harness.ts';

// The engine conformance cases that run for every provider (issue 12 "Proof"): one suite, two
// simulators, over real HTTP with a real SQLite history and vault. Each target says how to start
// its simulator with the same generic faults, which model to run and how many jobs the provider
// created (never two for one click). Cases still only in the Replicate files (cold start, offline
// queue, partial outage, kill at every step) are listed in DECISIONS.md.

type GenericFault = { on: 'create' | 'poll'; kind: '429' | '503' | 'reset' | 'truncated-json' | 'drop-response'; count?: number; after?: number };

interface Running {
  backend(): Backend;
  model: string;
  jobs(): number;
  restart(): Promise<Backend>;
  /** The provider refuses the key from now on (rotated or revoked), then accepts it again. */
  rejectKey(): void;
  restoreKey(): void;
  close(): Promise<void>;
}

interface Target {
  name: string;
  start(o: { faults?: GenericFault[]; runMs?: number; startMs?: number; unknownStatus?: string }): Promise<Running>;
  /** The unknown status word this provider's simulator is told to report while waiting. */
  unknown: string;
}

const REPLICATE_MODEL = 'black-forest-labs/flux-schnell';
const FAL_ENDPOINT = 'fal-ai/flux/schnell';

const targets: Target[] = [
  {
    name: 'replicate',
    unknown: 'warming',
    async start(o) {
      const faults = (o.faults ?? []).map((f) => ({
        endpoint: f.on === 'create' ? ('create' as const) : ('get' as const),
        kind: f.kind === 'drop-response' ? ('drop-response-after-create' as const) : f.kind,
        count: f.count ?? 1,
        after: f.after ?? 0,
      }));
      const models = { [REPLICATE_MODEL]: { coldBootMs: o.startMs ?? 200, runMs: o.runMs ?? 400, ...(o.unknownStatus ? { unknownStatus: o.unknownStatus } : {}) } };
      const h = await setup({ scenario: { models, faults } });
      return {
        backend: () => h.backend, model: REPLICATE_MODEL, jobs: () => h.sim.control.predictions().length, restart: () => h.restart(), close: () => h.close(),
        rejectKey: () => h.sim.control.loadScenario({ models, faults: [{ endpoint: '*', kind: '401', count: 100_000 }] }),
        restoreKey: () => h.sim.control.loadScenario({ models }),
      };
    },
  },
  {
    name: 'fal',
    unknown: 'IN_WARMUP',
    async start(o) {
      const faults = (o.faults ?? []).map((f) => ({
        endpoint: f.on === 'create' ? ('submit' as const) : ('status' as const),
        kind: f.kind === 'drop-response' ? ('drop-response-after-submit' as const) : f.kind,
        count: f.count ?? 1,
        after: f.after ?? 0,
      }));
      const endpoints = { [FAL_ENDPOINT]: { startupMs: o.startMs ?? 200, runMs: o.runMs ?? 400, ...(o.unknownStatus ? { unknownStatus: o.unknownStatus } : {}) } };
      const h = await setupFal({ scenario: { endpoints, faults } });
      return {
        backend: () => h.backend, model: `fal:${FAL_ENDPOINT}`, jobs: () => h.sim.control.jobs().length, restart: () => h.restart(), close: () => h.close(),
        rejectKey: () => h.sim.control.loadScenario({ endpoints, revokedKeys: [h.sim.key] }),
        restoreKey: () => h.sim.control.loadScenario({ endpoints }),
      };
    },
  },
];

let r: Running | null = null;
afterEach(async () => {
  await r?.close();
  r = null;
});

const rec = (id: string) => r!.backend().services.history.get(id)!;

async function runOne(prompt: string): Promise<string> {
  const { ids } = await call(r!.backend(), 'predictions:create', { model: r!.model, input: { prompt } });
  return ids[0] as string;
}

const ended = (id: string, status = 'succeeded', ms = 30_000) => until(() => (rec(id).status === status ? rec(id) : null), ms, `${status} (now ${rec(id).status})`);

describe.each(targets)('engine conformance: $name', (target) => {
  it('a run succeeds and its outputs are saved at once', async () => {
    r = await target.start({});
    const id = await runOne('plain');
    await until(() => rec(id).saveState === 'saved', 30_000, 'saved');
    expect(rec(id).status).toBe('succeeded');
    expect(r.jobs()).toBe(1);
  });

  it('429 storm on create and on status: nothing lost, one job', async () => {
    r = await target.start({ faults: [{ on: 'create', kind: '429', count: 3 }, { on: 'poll', kind: '429', count: 3 }] });
    const id = await runOne('throttled');
    await ended(id);
    expect(r.jobs()).toBe(1);
  });

  it('5xx and connection resets on status never fail the run', async () => {
    r = await target.start({ faults: [{ on: 'poll', kind: '503', count: 2 }, { on: 'poll', kind: 'reset', count: 2, after: 2 }] });
    const id = await runOne('flaky');
    await ended(id);
    expect(rec(id).error).toBeNull();
  });

  it('malformed JSON on status is retried, not taken as an answer', async () => {
    r = await target.start({ faults: [{ on: 'poll', kind: 'truncated-json', count: 2 }] });
    const id = await runOne('torn');
    await ended(id);
  });

  it('a lost submit is reconciled, never re-sent: one job for one click', async () => {
    r = await target.start({ faults: [{ on: 'create', kind: 'drop-response' }] });
    const id = await runOne('lost answer');
    await ended(id);
    expect(rec(id).submitAttempts).toBe(1);
    expect(r.jobs()).toBe(1);
  });

  it('kill while running, restart: the run is followed to its end from the journal', async () => {
    r = await target.start({ runMs: 1_500 });
    const id = await runOne('survives a crash');
    await until(() => rec(id).providerId, 10_000, 'submitted');
    r.backend().services.engine.kill();
    await r.backend().stop();
    await r.restart();
    await ended(id);
    expect(r.jobs()).toBe(1);
  });

  it('an unknown status is followed, not raised on, and the run ends', async () => {
    r = await target.start({ startMs: 1_500, unknownStatus: target.unknown });
    const id = await runOne('unknown status');
    await until(() => rec(id).status === target.unknown, 10_000, `status ${target.unknown}`);
    const done = await ended(id);
    expect(done.error).toBeNull();
    expect(done.timeline.map((t) => t.status)).toContain(target.unknown);
  });

  it('a key rejected while following pauses the runs (not an outage); a saved key resumes them', async () => {
    r = await target.start({ runMs: 3_000 });
    const id = await runOne('rotated key');
    await until(() => rec(id).providerId, 10_000, 'submitted');
    r.rejectKey();
    await until(() => rec(id).note === 'Paused — key rejected', 10_000, 'paused note');
    const { engine } = r.backend().services;
    expect(engine.keyRejected()).toBe('Paused — key rejected');
    expect(engine.isOnline()).toBe(true);
    r.restoreKey();
    engine.keyChanged();
    const done = await ended(id);
    expect(done.note).toBeNull();
    expect(engine.keyRejected()).toBeNull();
  });

  it('cancel while running ends the run canceled', async () => {
    r = await target.start({ runMs: 600_000 });
    const id = await runOne('cancel me');
    await until(() => rec(id).providerId, 10_000, 'submitted');
    const outcome = await r.backend().services.engine.cancel(id);
    expect(outcome.outcome).toBe('accepted');
    await ended(id, 'canceled');
  });
});
