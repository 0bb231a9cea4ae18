import { describe, expect, it } from 'vitest';
import { FLUX, sim } from './helpers.ts';

const schnell = (b: object) => ({ models: { 'black-forest-labs/flux-schnell': b } });

describe('Prefer: wait', () => {
  it('holds the request until the prediction finishes and returns it with output', async () => {
    const s = await sim({ scenario: schnell({ coldBootMs: 50, runMs: 150 }) });
    const r = await s.api(FLUX, { method: 'POST', headers: { prefer: 'wait=5' }, json: { input: { prompt: 'x' } } });
    expect(r.status).toBe(201);
    const p = await r.json();
    expect(p.status).toBe('succeeded');
    expect(p.output).toHaveLength(1);
  });

  it('returns a non-terminal prediction once the (capped) wait is over', async () => {
    const s = await sim({ scenario: { ...schnell({ coldBootMs: 600_000 }), preferWaitCapMs: 200, waitIncompleteStatus: 202 } });
    const t0 = Date.now();
    const r = await s.api(FLUX, { method: 'POST', headers: { prefer: 'wait' }, json: { input: { prompt: 'x' } } });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
    expect(r.status).toBe(202);
    expect((await r.json()).status).toBe('starting');
  });

  it('reproduces the sync-mode status quirks when asked (syncQuirks)', async () => {
    const s = await sim({ scenario: { ...schnell({ coldBootMs: 0, runMs: 100 }), syncQuirks: true, preferWaitCapMs: 200 } });
    const fast = await (await s.api(FLUX, { method: 'POST', headers: { prefer: 'wait=5' }, json: { input: { prompt: 'x' } } })).json();
    expect(fast.status).toBe('processing');
    expect(fast.output).toHaveLength(1);
    s.control.loadScenario({ ...schnell({ coldBootMs: 0, runMs: 600_000 }), syncQuirks: true, preferWaitCapMs: 100 });
    const slow = await (await s.api(FLUX, { method: 'POST', headers: { prefer: 'wait=1' }, json: { input: { prompt: 'y' } } })).json();
    expect(slow.status).toBe('starting');
    expect((await (await s.api(`/predictions/${slow.id}`)).json()).status).toBe('processing');
  });

  it('wakes up when simulated time is advanced during the wait', async () => {
    const s = await sim({ scenario: { ...schnell({ coldBootMs: 60_000, runMs: 1_000 }), preferWaitCapMs: 30_000 } });
    setTimeout(() => s.control.advance(120_000), 100);
    const p = await (await s.api(FLUX, { method: 'POST', headers: { prefer: 'wait=60' }, json: { input: { prompt: 'x' } } })).json();
    expect(p.status).toBe('succeeded');
  });
});

describe('Cancel-After and maximum run time', () => {
  it('aborts when the deadline passes before start, and records the deadline', async () => {
    const s = await sim({ scenario: schnell({ coldBootMs: 120_000, runMs: 5_000 }) });
    s.control.freeze();
    const p = await (await s.api(FLUX, { method: 'POST', headers: { 'cancel-after': '1m' }, json: { input: { prompt: 'x' } } })).json();
    expect(Date.parse(p.deadline) - Date.parse(p.created_at)).toBe(60_000);
    s.control.advance(59_000);
    expect((await (await s.api(`/predictions/${p.id}`)).json()).status).toBe('starting');
    s.control.advance(2_000);
    const done = await (await s.api(`/predictions/${p.id}`)).json();
    expect(done).toMatchObject({ status: 'aborted', started_at: null, output: null, error: null });
    expect(done.completed_at).toBe(p.deadline);
  });

  it('cancels when the deadline passes while running', async () => {
    const s = await sim({ scenario: schnell({ coldBootMs: 1_000, runMs: 60_000 }) });
    s.control.freeze();
    const p = await (await s.api(FLUX, { method: 'POST', headers: { 'cancel-after': '30s' }, json: { input: { prompt: 'x' } } })).json();
    s.control.advance(31_000);
    const done = await (await s.api(`/predictions/${p.id}`)).json();
    expect(done.status).toBe('canceled');
    expect(done.started_at).not.toBeNull();
    expect(done.metrics.predict_time).toBe(29);
  });

  it('parses h/m/s durations and bare seconds, with a 5 s minimum', async () => {
    const s = await sim();
    s.control.freeze();
    for (const [header, ms] of [
      ['1h30m45s', 5_445_000],
      ['90', 90_000],
      ['1', 5_000],
    ] as const) {
      const p = await (await s.api(FLUX, { method: 'POST', headers: { 'cancel-after': header }, json: { input: { prompt: 'x' } } })).json();
      expect(Date.parse(p.deadline) - Date.parse(p.created_at), header).toBe(ms);
    }
    expect((await s.api(FLUX, { method: 'POST', headers: { 'cancel-after': 'soon' }, json: { input: { prompt: 'x' } } })).status).toBe(400);
  });

  it('fails with a timeout error after the maximum run time', async () => {
    const s = await sim({ scenario: { ...schnell({ coldBootMs: 0, runMs: 3_600_000 }), maxRunMs: 1_800_000 } });
    s.control.freeze();
    const p = await (await s.api(FLUX, { method: 'POST', json: { input: { prompt: 'x' } } })).json();
    s.control.advance(1_799_000);
    expect((await (await s.api(`/predictions/${p.id}`)).json()).status).toBe('processing');
    s.control.advance(2_000);
    const done = await (await s.api(`/predictions/${p.id}`)).json();
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/E6716/);
  });
});

describe('scripted behaviour', () => {
  it('fails a model by scenario, and a single prediction by "[fail]" in its prompt', async () => {
    const s = await sim({
      scenario: { models: { 'black-forest-labs/flux-dev': { outcome: 'failed', error: 'NSFW content detected (E005)', coldBootMs: 0, runMs: 0 } } },
    });
    const dev = await (await s.api('/models/black-forest-labs/flux-dev/predictions', { method: 'POST', json: { input: { prompt: 'x' } } })).json();
    expect(await (await s.api(`/predictions/${dev.id}`)).json()).toMatchObject({ status: 'failed', error: 'NSFW content detected (E005)', output: null });
    s.control.freeze();
    const ok = await (await s.api(FLUX, { method: 'POST', json: { input: { prompt: 'fine' } } })).json();
    const bad = await (await s.api(FLUX, { method: 'POST', json: { input: { prompt: 'boom [fail]' } } })).json();
    s.control.advance(60_000);
    expect((await (await s.api(`/predictions/${ok.id}`)).json()).status).toBe('succeeded');
    const failed = await (await s.api(`/predictions/${bad.id}`)).json();
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/E\d{4}/);
  });

  it('"[slow]" gives a three-minute cold boot that advance() skips', async () => {
    const s = await sim();
    s.control.freeze();
    const p = await (await s.api(FLUX, { method: 'POST', json: { input: { prompt: 'cold [slow]' } } })).json();
    s.control.advance(170_000);
    expect((await (await s.api(`/predictions/${p.id}`)).json()).status).toBe('starting');
    s.control.advance(60_000);
    expect((await (await s.api(`/predictions/${p.id}`)).json()).status).toBe('succeeded');
  });

  it('reports an unknown future status while starting, by scenario or "[queued]"', async () => {
    const s = await sim({ scenario: schnell({ unknownStatus: 'queued', coldBootMs: 10_000 }) });
    s.control.freeze();
    const p = await (await s.api(FLUX, { method: 'POST', json: { input: { prompt: 'x' } } })).json();
    expect(p.status).toBe('queued');
    s.control.advance(60_000);
    expect((await (await s.api(`/predictions/${p.id}`)).json()).status).toBe('succeeded');
    const q = await (await s.api('/models/black-forest-labs/flux-dev/predictions', { method: 'POST', json: { input: { prompt: 'x [queued]' } } })).json();
    expect(q.status).toBe('queued');
  });

  it('can carry output in processing responses (earlyOutput)', async () => {
    const s = await sim({ scenario: schnell({ earlyOutput: true, coldBootMs: 0, runMs: 10_000 }) });
    s.control.freeze();
    const p = await (await s.api(FLUX, { method: 'POST', json: { input: { prompt: 'x' } } })).json();
    s.control.advance(6_000);
    const mid = await (await s.api(`/predictions/${p.id}`)).json();
    expect(mid.status).toBe('processing');
    expect(mid.output).toHaveLength(1);
    expect((await fetch(mid.output[0])).status).toBe(200);
  });

  it('writes logs with \\n only or \\r only when asked', async () => {
    const s = await sim({
      scenario: {
        models: {
          'black-forest-labs/flux-schnell': { logStyle: 'lf', coldBootMs: 0, runMs: 0 },
          'black-forest-labs/flux-dev': { logStyle: 'cr', coldBootMs: 0, runMs: 0 },
        },
      },
    });
    const a = await (await s.api(FLUX, { method: 'POST', json: { input: { prompt: 'x' } } })).json();
    const b = await (
      await s.api('/models/black-forest-labs/flux-dev/predictions', { method: 'POST', json: { input: { prompt: 'x', num_inference_steps: 2 } } })
    ).json();
    const la = (await (await s.api(`/predictions/${a.id}`)).json()).logs as string;
    const lb = (await (await s.api(`/predictions/${b.id}`)).json()).logs as string;
    expect(la).not.toContain('\r');
    expect(la.trim().split('\n').at(-1)).toMatch(/^100%\|██████████\| 4\/4/);
    expect(lb.split('\n')).toHaveLength(2);
    expect(lb.split('\r').at(-1)).toMatch(/^100%\|██████████\| 2\/2/);
  });
});
