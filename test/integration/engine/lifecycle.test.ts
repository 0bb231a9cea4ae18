import { afterEach, describe, expect, it } from 'vitest';
import { call, setup, until, sleep, type Harness } from './harness.ts';

// Conformance 1-3, 11: long cold starts, deadlines, unknown statuses and streamed text.

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const rec = (id: string) => h!.backend.services.history.get(id)!;

describe('engine lifecycle against the simulator', () => {
  it('1. cold start: starting for 3 minutes, then succeeds', async () => {
    h = await setup({ scenario: { models: { 'black-forest-labs/flux-schnell': { coldBootMs: 180_000, runMs: 2_000 } } } });
    const { ids } = await call(h.backend, 'predictions:create', { model: 'black-forest-labs/flux-schnell', input: { prompt: 'a kiln' } });
    const id = ids[0];
    await until(() => rec(id).status === 'starting', 5000, 'starting');
    // Two and a half simulated minutes pass in small steps: still followed, never failed.
    for (let i = 0; i < 10; i++) {
      h.sim.control.advance(15_000);
      await sleep(60);
      expect(rec(id).status).toBe('starting');
      expect(rec(id).error).toBeNull();
    }
    h.sim.control.advance(40_000);
    const done = await until(() => (rec(id).status === 'succeeded' ? rec(id) : null), 10_000, 'succeeded');
    expect(done.timeline.map((t) => t.status)).toEqual(expect.arrayContaining(['queued', 'submitting', 'starting', 'succeeded']));
    expect(Array.isArray(done.output)).toBe(true);
    expect(h.sim.control.counters().throttled).toBe(0);
  });

  it('2. aborted after a Cancel-After deadline ends the prediction', async () => {
    h = await setup({ settings: { cancelAfter: '30s' }, scenario: { models: { 'black-forest-labs/flux-dev': { coldBootMs: 600_000 } } } });
    const { ids } = await call(h.backend, 'predictions:create', { model: 'black-forest-labs/flux-dev', input: { prompt: 'never starts' } });
    await until(() => rec(ids[0]).status === 'starting', 5000, 'starting');
    h.sim.control.advance(31_000);
    const done = await until(() => (rec(ids[0]).status === 'aborted' ? rec(ids[0]) : null), 5000, 'aborted');
    expect(done.completedAt).not.toBeNull();
    await sleep(300);
    expect(h.backend.services.engine.inFlight()).toBe(0); // no longer followed
  });

  it('3. an unknown status is followed, not raised on', async () => {
    h = await setup({ scenario: { models: { 'black-forest-labs/flux-dev': { unknownStatus: 'warming', coldBootMs: 20_000, runMs: 1000 } } } });
    const { ids } = await call(h.backend, 'predictions:create', { model: 'black-forest-labs/flux-dev', input: { prompt: 'x' } });
    await until(() => rec(ids[0]).status === 'warming', 5000, 'warming');
    await sleep(300);
    expect(rec(ids[0]).status).toBe('warming');
    expect(rec(ids[0]).error).toBeNull();
    h.sim.control.advance(25_000);
    await until(() => rec(ids[0]).status === 'succeeded', 10_000, 'succeeded');
    expect(rec(ids[0]).timeline.map((t) => t.status)).toContain('warming');
  });

  it('11. streaming text: tokens arrive in order, the final output is their concatenation', async () => {
    h = await setup({ scenario: { models: { 'meta/meta-llama-3-8b-instruct': { coldBootMs: 200, runMs: 1500 } } } });
    const texts: string[] = [];
    const off = h.backend.services.engine.onRecord((r) => {
      if (r.text !== null) texts.push(r.text);
    });
    const { ids } = await call(h.backend, 'predictions:create', { model: 'meta/meta-llama-3-8b-instruct', input: { prompt: 'Tell me a story' } });
    const done = await until(() => (rec(ids[0]).status === 'succeeded' ? rec(ids[0]) : null), 15_000, 'succeeded');
    off();
    expect(Array.isArray(done.output)).toBe(true);
    expect(done.text).toBe((done.output as string[]).join(''));
    // Streamed: several growing snapshots before the end, each a prefix of the final text.
    const streamed = texts.filter((t) => t !== done.text);
    expect(streamed.length).toBeGreaterThan(2);
    for (const t of streamed) expect(done.text!.startsWith(t)).toBe(true);
    // The simulator counts SSE connections under 'stream' (its route name), and only that name.
    expect(h.sim.control.counters().byEndpoint['stream']).toBeGreaterThan(0);
  });
});
