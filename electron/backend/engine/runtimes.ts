import { typicalRunMs } from './cadence.ts';
import type { Core, EngineOps } from './core.ts';

// A model's typical run time from its own history (ARCHITECTURE.md, "The engine": the model's past run times predict
// when this run will finish, so Kiln looks then). Durations are Kiln's own clock (started →
// completed), the same clock the cadence measures a run's time in status with. Cached per model
// and version for a minute: one small history query per model, not one per look.

const SAMPLE = 20;
const CACHE_MS = 60_000;
/** "Not enough history yet" is kept only briefly: the model's first runs are ending right now. */
const MISS_CACHE_MS = 5_000;

export function createRuntimes(c: Core): Pick<EngineOps, 'typicalRun'> {
  const cache = new Map<string, { ms: number | null; at: number }>();
  function typicalRun(model: string, version: string | null): number | null {
    const key = `${c.provider.id}\u0000${model}\u0000${version ?? ''}`;
    const now = c.clock.now();
    const hit = cache.get(key);
    if (hit && now - hit.at < (hit.ms === null ? MISS_CACHE_MS : CACHE_MS)) return hit.ms;
    let ms: number | null = null;
    try {
      const { items } = c.history.list({ model, status: ['succeeded'] }, null, SAMPLE);
      const mine = items.filter((v) => v.provider === c.provider.id && (!version || v.version === version));
      ms = typicalRunMs(mine.map((v) => (v.startedAt !== null && v.completedAt !== null ? v.completedAt - v.startedAt : NaN)));
    } catch (err) {
      c.log.warn('could not read past run times; using the status-only cadence', { model, err: String(err) });
    }
    cache.set(key, { ms, at: now });
    if (cache.size > 500) cache.delete(cache.keys().next().value!);
    return ms;
  }
  return { typicalRun };
}
