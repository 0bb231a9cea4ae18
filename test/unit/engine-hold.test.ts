import { describe, expect, it } from 'vitest';
import { createHoldSeconds, type HoldContext } from '../../electron/backend/engine/hold.ts';
import { DEFAULT_ENGINE_OPTIONS } from '../../electron/backend/engine/options.ts';

// Whether a create is held open until its run ends (hold.ts), as a table: what Kiln knows of the
// model and of the connections already held → seconds to hold, or null (create and follow).

const ctx = (over: Partial<HoldContext>): HoldContext => ({ supported: true, typicalRunMs: 3000, streamsText: false, held: 0, ...over });
const O = DEFAULT_ENGINE_OPTIONS;

describe('createHoldSeconds', () => {
  const rows: { name: string; ctx: Partial<HoldContext>; s: number | null }[] = [
    { name: 'a fast image model (3 s a run): held for the run and half again, plus the start', ctx: {}, s: 7 },
    { name: 'a 400 ms model: still held a little longer than its start', ctx: { typicalRunMs: 400 }, s: 3 },
    { name: 'at the limit (6 s): held', ctx: { typicalRunMs: O.holdCreateMaxMs }, s: 11 },
    { name: 'just past it: followed, so its progress shows while it runs', ctx: { typicalRunMs: O.holdCreateMaxMs + 1 }, s: null },
    { name: 'a model nobody has run enough: followed (nothing says it will end soon)', ctx: { typicalRunMs: null }, s: null },
    { name: 'a model whose runs answer in text: followed, its tokens stream live', ctx: { streamsText: true }, s: null },
    { name: 'a provider that cannot hold a create (fal): followed', ctx: { supported: false }, s: null },
    { name: 'one connection short of the bound: held', ctx: { held: O.maxHeldCreates - 1 }, s: 7 },
    { name: 'every held connection taken: followed', ctx: { held: O.maxHeldCreates }, s: null },
  ];
  for (const r of rows) it(r.name, () => expect(createHoldSeconds(ctx(r.ctx), O)).toBe(r.s));

  it('never asks for more than the 60 s Replicate allows, however the limit is set', () => {
    expect(createHoldSeconds(ctx({ typicalRunMs: 600_000 }), { holdCreateMaxMs: 3_600_000, maxHeldCreates: 4 })).toBe(60);
  });

  it('maxHeldCreates 0 turns holding off', () => {
    expect(createHoldSeconds(ctx({}), { ...O, maxHeldCreates: 0 })).toBeNull();
  });
});
