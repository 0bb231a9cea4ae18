import { typicalRunMs } from './cadence.ts';
import type { Core, EngineOps } from './core.ts';

// A model's typical run time from its own history (ARCHITECTURE.md, "The engine": the model's past run times predict
// when this run will finish, so Kiln looks then). Durations are Kiln's own clock (started →
// completed), the same clock the cadence measures a run's time in status with; and whether those
// runs answered in text (a language model, whose tokens stream: hold.ts never holds its create).
// Cached per model and version for a minute: one small history query per model, not one per look.

const SAMPLE = 20;
const CACHE_MS = 60_000;
/** "Not enough history yet" is kept only briefly: the model's first runs are ending right now. */
const MISS_CACHE_MS = 5_000;

interface ModelRuns {
  ms: number | null;
  text: boolean;
  at: number;
}

export function createRuntimes(c: Core): Pick<EngineOps, 'typicalRun' | 'streamsText' | 'ranOnce'> {
  const cache = new Map<string, ModelRuns>();
  function pastRuns(model: string, version: string | null): ModelRuns {
    const key = `${c.provider.id}\u0000${model}\u0000${version ?? ''}`;
    const now = c.clock.now();
    const hit = cache.get(key);
    if (hit && now - hit.at < (hit.ms === null ? MISS_CACHE_MS : CACHE_MS)) return hit;
    let ms: number | null = null;
    let text = false;
    try {
      const { items } = c.history.list({ model, status: ['succeeded'] }, null, SAMPLE);
      const mine = items.filter((v) => v.provider === c.provider.id && (!version || v.version === version));
      ms = typicalRunMs(mine.map((v) => (v.startedAt !== null && v.completedAt !== null ? v.completedAt - v.startedAt : NaN)));
      text = mine.some((v) => !!v.text);
    } catch (err) {
      c.log.warn('could not read past run times; using the status-only cadence', { model, err: String(err) });
    }
    const runs = { ms, text, at: now };
    cache.set(key, runs);
    if (cache.size > 500) cache.delete(cache.keys().next().value!);
    return runs;
  }
  /**
   * A run of this model has just succeeded: "not enough runs yet" may no longer be true (the next
   * create could be held, hold.ts). A known typical time moves slowly and stays cached: a batch's
   * thousand ends must not become a thousand history queries.
   */
  function ranOnce(model: string) {
    const prefix = `${c.provider.id}\u0000${model}\u0000`;
    for (const [key, runs] of cache) if (runs.ms === null && key.startsWith(prefix)) cache.delete(key);
  }
  return {
    ranOnce,
    typicalRun: (model, version) => pastRuns(model, version).ms,
    streamsText: (model, version) => pastRuns(model, version).text,
  };
}
