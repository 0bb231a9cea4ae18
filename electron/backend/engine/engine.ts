import { KilnError } from '../../../shared/ipc.ts';
import type { ProviderId } from '../providers/types.ts';
import type { CancelOutcome } from './cancel.ts';
import type { EngineDeps, SubmitRequest } from './core.ts';

export { DEFAULT_ENGINE_OPTIONS, resolveEngineOptions, type EngineOptions, type EngineOptionsInput } from './options.ts';
export type { SubmitRequest, EngineDeps } from './core.ts';
export type { CancelOutcome } from './cancel.ts';
import { createProviderEngine, type ProviderEngine } from './provider-engine.ts';
import type { PredictionRecord } from '../history/types.ts';
import type { Provider } from '../providers/types.ts';

// The engine the hosts see: one per-provider engine (provider-engine.ts) for each configured provider, each
// with its own request budget, network health and key pause (DESIGN §4: one budget per provider;
// a rejected fal key must not pause Replicate's runs). Calls about one run go to the engine of the
// run's provider (the history's `provider` column); the rest fan out. Interim shape: each
// provider engine has its own timer — DECISIONS.md says why and what one shared scheduler needs.

export type EnginesDeps = Omit<EngineDeps, 'provider'> & { provider?: Provider; providers?: Provider[] };

export function createEngine(deps: EnginesDeps) {
  const list = deps.providers ?? (deps.provider ? [deps.provider] : []);
  if (!list.length) throw new KilnError({ code: 'internal', message: 'No provider configured for the engine.' });
  const lanes = new Map<ProviderId, ProviderEngine>(list.map((p) => [p.id, createProviderEngine({ ...deps, provider: p })]));
  const all = [...lanes.values()];
  const first = all[0]!;
  const laneFor = (id: ProviderId | undefined): ProviderEngine => {
    const lane = lanes.get(id ?? 'replicate') ?? (id ? undefined : first);
    if (!lane) throw new KilnError({ code: 'invalid_input', message: `No ${id} key or configuration: add a ${id} key in Settings to run its models.` });
    return lane;
  };
  /** The engine of a recorded run; the first one answers for unknown ids (its not_found). */
  const laneOf = (id: string): ProviderEngine => {
    const rec: PredictionRecord | null = deps.history.get(id);
    return (rec && lanes.get(rec.provider ?? 'replicate')) || first;
  };
  return {
    options: first.options,
    budget: first.budget,
    /** Each provider's engine, for tests and the bench (budgets, options). */
    lanes,
    async start() {
      for (const e of all) await e.start();
    },
    async stop() {
      await Promise.all(all.map((e) => e.stop()));
    },
    kill() {
      for (const e of all) e.kill();
    },
    submit: (req: SubmitRequest): PredictionRecord => laneFor(req.provider).submit(req),
    resume: (id: string) => laneOf(id).resume(id),
    followedIds: () => all.flatMap((e) => e.followedIds()),
    async settle(ids: string[], timeoutMs: number): Promise<void> {
      await Promise.all(all.map((e) => e.settle(ids, timeoutMs)));
    },
    whenSaved: (id: string) => laneOf(id).whenSaved(id),
    waitSubmitted: (id: string, timeoutMs: number) => laneOf(id).waitSubmitted(id, timeoutMs),
    cancel: (id: string): Promise<CancelOutcome> => laneOf(id).cancel(id),
    retry: (id: string): PredictionRecord => laneOf(id).retry(id),
    onRecord(l: (rec: PredictionRecord) => void): () => void {
      const offs = all.map((e) => e.onRecord(l));
      return () => offs.forEach((off) => off());
    },
    forget(ids: string[]) {
      for (const e of all) e.forget(ids);
    },
    keyChanged() {
      for (const e of all) e.keyChanged();
    },
    keyRejected: (): string | null => all.map((e) => e.keyRejected()).find((n) => n !== null) ?? null,
    onKeyPause(l: (note: string | null) => void): () => void {
      const offs = all.map((e) => e.onKeyPause(l));
      return () => offs.forEach((off) => off());
    },
    /** Every provider reachable (a run's own card says which one is not). */
    isOnline: () => all.every((e) => e.isOnline()),
    inFlight: () => all.reduce((n, e) => n + e.inFlight(), 0),
  };
}

export type Engine = ReturnType<typeof createEngine>;
