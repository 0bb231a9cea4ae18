import { describe, expect, it } from 'vitest';
import { FLUX, sim } from './helpers.ts';

// runJitter (types.ts): each prediction's boot and run time varied, repeatably per id, within the
// share asked for — what the engine benchmark needs so a client's looks are not phase-locked to
// round-number run times.
describe('runJitter', () => {
  it('varies each run within ±share of its times, and exact times without it', async () => {
    const durations = async (runJitter?: number) => {
      const s = await sim({
        scenario: { models: { 'black-forest-labs/flux-schnell': { coldBootMs: 2000, runMs: 3000, ...(runJitter ? { runJitter } : {}) } } },
      });
      s.control.freeze();
      const ids: string[] = [];
      for (let i = 0; i < 8; i++) ids.push((await (await s.api(FLUX, { method: 'POST', json: { input: { prompt: `run ${i}` } } })).json()).id);
      s.control.advance(10_000);
      const out: number[] = [];
      for (const id of ids) {
        const p = await (await s.api(`/predictions/${id}`)).json();
        expect(p.status).toBe('succeeded');
        out.push(Date.parse(p.completed_at) - Date.parse(p.created_at));
      }
      return out;
    };
    expect(new Set(await durations())).toEqual(new Set([5000]));
    const varied = await durations(0.2);
    expect(new Set(varied).size).toBeGreaterThan(4);
    for (const d of varied) {
      expect(d).toBeGreaterThanOrEqual(4000);
      expect(d).toBeLessThanOrEqual(6000);
    }
  });
});
