import type { Backend } from '../../../electron/backend/index.ts';
import type { SubmitRequest } from '../../../electron/backend/engine/engine.ts';
import { setup } from './harness.ts';
import { setupFal } from './fal-harness.ts';

// The two providers of the engine conformance suite (conformance*.test.ts), behind one generic
// vocabulary: each target says how to start its simulator with the same faults, which model to run,
// how many jobs the provider created (never two for one click) and how to cause an outage, a
// partial outage or a rejected key. Every case is written once and runs against both.

/** `end`: what stands between the provider's end and Kiln's (Replicate: the output download; fal: the result fetch). */
export type GenericFault = {
  on: 'create' | 'poll' | 'end';
  kind: '429' | '503' | 'reset' | 'truncated-json' | 'drop-response' | 'slow';
  count?: number;
  after?: number;
  delayMs?: number;
};

export interface Running {
  backend(): Backend;
  /** The model reference as the composer sends it (`fal:` prefixed for fal). */
  model: string;
  /** The same run as the engine's own SubmitRequest (no wait for the create's answer). */
  request(prompt: string): SubmitRequest;
  jobs(): number;
  /** The provider's own view: has its (first) job ended there? */
  remoteEnded(): boolean;
  restart(): Promise<Backend>;
  /** The provider refuses the key from now on (rotated or revoked), then accepts it again. */
  rejectKey(): void;
  restoreKey(): void;
  /** Every request to the provider fails (503) until restore(). */
  outage(): void;
  /** Only a part with a fallback or no run depending on it fails: Replicate's list endpoint, fal's platform API. */
  partialOutage(): void;
  /** Back to the scenario the target was started with, faults cleared. */
  restore(): void;
  freeze(): void;
  advance(ms: number): void;
  close(): Promise<void>;
}

export interface StartOptions {
  faults?: GenericFault[];
  runMs?: number;
  startMs?: number;
  unknownStatus?: string;
  /** Runners at the provider (fal's queue: the rest wait with a position); Replicate has no such limit. */
  runners?: number;
}

export interface Target {
  name: string;
  start(o: StartOptions): Promise<Running>;
  /** The unknown status word this provider's simulator is told to report while waiting. */
  unknown: string;
  /** The provider tells a queue position (fal): a run waiting behind another says so on its card. */
  queuePositions: boolean;
  /** The provider's end is not Kiln's until a result fetch says how it ended (fal: COMPLETED may have failed). */
  endNeedsFetch: boolean;
}

export const REPLICATE_MODEL = 'black-forest-labs/flux-schnell';
export const FAL_ENDPOINT = 'fal-ai/flux/schnell';

export const targets: Target[] = [
  {
    name: 'replicate',
    unknown: 'warming',
    queuePositions: false,
    endNeedsFetch: false,
    async start(o) {
      const faults = (o.faults ?? []).map((f) => ({
        endpoint: f.on === 'create' ? ('create' as const) : f.on === 'end' ? ('delivery' as const) : ('get' as const),
        kind: f.kind === 'drop-response' ? ('drop-response-after-create' as const) : f.kind,
        count: f.count ?? 1,
        after: f.after ?? 0,
        ...(f.delayMs ? { delayMs: f.delayMs } : {}),
      }));
      const models = {
        [REPLICATE_MODEL]: { coldBootMs: o.startMs ?? 200, runMs: o.runMs ?? 400, ...(o.unknownStatus ? { unknownStatus: o.unknownStatus } : {}) },
      };
      const h = await setup({ scenario: { models, faults } });
      return {
        backend: () => h.backend,
        model: REPLICATE_MODEL,
        jobs: () => h.sim.control.predictions().length,
        restart: () => h.restart(),
        close: () => h.close(),
        request: (prompt) => ({ provider: 'replicate', model: REPLICATE_MODEL, input: { prompt } }),
        remoteEnded: () => h.sim.control.predictions().some((p) => p.status === 'succeeded'),
        rejectKey: () => h.sim.control.loadScenario({ models, faults: [{ endpoint: '*', kind: '401', count: 100_000 }] }),
        restoreKey: () => h.sim.control.loadScenario({ models }),
        outage: () => h.sim.control.loadScenario({ models, faults: [{ endpoint: '*', kind: '503', count: 100_000 }] }),
        partialOutage: () => h.sim.control.loadScenario({ models, faults: [{ endpoint: 'list', kind: '503', count: 100_000 }] }),
        restore: () => h.sim.control.loadScenario({ models }),
        freeze: () => void h.sim.control.freeze(),
        advance: (ms) => void h.sim.control.advance(ms),
      };
    },
  },
  {
    name: 'fal',
    unknown: 'IN_WARMUP',
    queuePositions: true,
    endNeedsFetch: true,
    async start(o) {
      const faults = (o.faults ?? []).map((f) => ({
        endpoint: f.on === 'create' ? ('submit' as const) : f.on === 'end' ? ('result' as const) : ('status' as const),
        kind: f.kind === 'drop-response' ? ('drop-response-after-submit' as const) : f.kind,
        count: f.count ?? 1,
        after: f.after ?? 0,
        ...(f.delayMs ? { delayMs: f.delayMs } : {}),
      }));
      const endpoints = {
        [FAL_ENDPOINT]: { startupMs: o.startMs ?? 200, runMs: o.runMs ?? 400, ...(o.unknownStatus ? { unknownStatus: o.unknownStatus } : {}) },
      };
      const base = { endpoints, ...(o.runners ? { concurrency: o.runners } : {}) };
      const h = await setupFal({ scenario: { ...base, faults } });
      return {
        backend: () => h.backend,
        model: `fal:${FAL_ENDPOINT}`,
        jobs: () => h.sim.control.jobs().length,
        restart: () => h.restart(),
        close: () => h.close(),
        request: (prompt) => ({ provider: 'fal', model: FAL_ENDPOINT, input: { prompt } }),
        remoteEnded: () => h.sim.control.jobs().some((j) => j.status === 'COMPLETED'),
        rejectKey: () => h.sim.control.loadScenario({ ...base, revokedKeys: [h.sim.key] }),
        restoreKey: () => h.sim.control.loadScenario(base),
        outage: () => h.sim.control.loadScenario({ ...base, faults: [{ endpoint: '*', kind: '503', count: 100_000 }] }),
        partialOutage: () => h.sim.control.loadScenario({ ...base, faults: [{ endpoint: 'platform', kind: '503', count: 100_000 }] }),
        restore: () => h.sim.control.loadScenario(base),
        freeze: () => void h.sim.control.freeze(),
        advance: (ms) => void h.sim.control.advance(ms),
      };
    },
  },
];
