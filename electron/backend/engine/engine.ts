import { KilnError } from '../../../shared/ipc.ts';
import type { ProviderId } from '../providers/types.ts';
import type { CancelOutcome } from './cancel.ts';
import type { EngineDeps, SubmitRequest } from './core.ts';

export { DEFAULT_ENGINE_OPTIONS, resolveEngineOptions, type EngineOptions, type EngineOptionsInput } from './options.ts';
export type { SubmitRequest, EngineDeps } from './core.ts';
export type { CancelOutcome } from './cancel.ts';
import { createLane, type Lane } from './lane.ts';
import { createLoop } from './loop.ts';
import type { PredictionRecord } from '../history/types.ts';
import type { Provider } from '../providers/types.ts';

// The engine the hosts see (docs/ARCHITECTURE.md, "The engine"): one scheduler (loop.ts) over a lane
// per configured provider (lane.ts), each lane with its own request budget, network health and key
// pause (ARCHITECTURE.md, "The engine": one budget per provider; a rejected fal key must not pause Replicate's runs),
// and one create-concurrency bound over all of them. Calls about one run go to the lane of the
// run's provider (the history's `provider` column); the rest fan out.

export type EnginesDeps = Omit<EngineDeps, 'provider'> & { provider?: Provider; providers?: Provider[] };

export function createEngine(deps: EnginesDeps) {
  const list = deps.providers ?? (deps.provider ? [deps.provider] : []);
  if (!list.length) throw new KilnError({ code: 'internal', message: 'No provider configured for the engine.' });
  const loop = createLoop({ clock: deps.clock, settings: deps.settings });
  const lanes = new Map<ProviderId, Lane>(list.map((p) => [p.id, createLane({ ...deps, provider: p }, loop)]));
  const all = [...lanes.values()];
  const first = all[0]!;
  const laneFor = (id: ProviderId | undefined): Lane => {
    const lane = lanes.get(id ?? 'replicate') ?? (id ? undefined : first);
    if (!lane) throw new KilnError({ code: 'invalid_input', message: `No ${id} key or configuration: add a ${id} key in Settings to run its models.` });
    return lane;
  };
  /** The lane of a recorded run; the first one answers for unknown ids (its not_found). */
  const laneOf = (id: string): Lane => {
    const rec: PredictionRecord | null = deps.history.get(id);
    return (rec && lanes.get(rec.provider ?? 'replicate')) || first;
  };
  return {
    options: first.options,
    budget: first.budget,
    /** Each provider's lane, for tests and the bench (budgets, options). */
    lanes,
    async start() {
      loop.start();
      for (const e of all) await e.start();
    },
    async stop() {
      loop.halt();
      await Promise.all(all.map((e) => e.stop()));
    },
    kill() {
      loop.halt();
      for (const e of all) e.kill();
    },
    /** Creates out now over all providers (the one concurrency bound). */
    creating: () => loop.creating,
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
