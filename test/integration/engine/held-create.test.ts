import { afterEach, describe, expect, it } from 'vitest';
import { call, setup, until, type Harness } from './harness.ts';
import { countingFetch, replicateCreate } from './counting-fetch.ts';

// Held creates (engine/hold.ts, Replicate's `Prefer: wait`): once a model's own past runs say it
// ends within seconds, its create is held open and answers with the finished run — one request
// for the whole run. Never for a model Kiln knows nothing of, nor for one whose text streams.
// Counted at the fetch the backend uses, over real HTTP against the simulator.

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const FAST = 'black-forest-labs/flux-schnell';
const TEXT = 'meta/meta-llama-3-8b-instruct';

interface Sent {
  method: string;
  path: string;
  prefer: string | null;
}

/** Every API request written down (not the file downloads), with its Prefer header; creates out at once counted (counting-fetch.ts). */
function recordingFetch() {
  const sent: Sent[] = [];
  const { fetch: counting, inFlight: creates } = countingFetch(replicateCreate);
  const f = ((url: string | URL | Request, init?: RequestInit) => {
    const u = new URL(String(url));
    if (u.pathname.startsWith('/v1/')) sent.push({ method: init?.method ?? 'GET', path: u.pathname, prefer: new Headers(init?.headers).get('prefer') });
    return counting(url, init);
  }) as typeof fetch;
  return { f, sent, creates };
}

const isCreate = (s: Sent) => s.method === 'POST' && s.path.endsWith('/predictions');

async function runAll(model: string, n: number, prompt: string) {
  const { engine, history } = h!.backend.services;
  const ids = Array.from({ length: n }, (_, i) => engine.submit({ model, input: { prompt: `${prompt} ${i}` } }).id);
  await until(() => ids.every((id) => history.get(id)!.status === 'succeeded'), 20_000, `${prompt}: all succeeded`);
  return ids;
}

describe('held creates', () => {
  it('a fast model: unknown at first (created and followed); once its past runs say seconds, one held request per run, the end in its answer', async () => {
    const rec = recordingFetch();
    h = await setup({ fetch: rec.f, scenario: { models: { [FAST]: { coldBootMs: 100, runMs: 400 } } } });
    await runAll(FAST, 3, 'learning');
    const learning = rec.sent.filter(isCreate);
    expect(learning).toHaveLength(3);
    expect(learning.every((s) => s.prefer === null)).toBe(true);
    expect(rec.sent.length).toBeGreaterThan(3); // they were followed

    rec.sent.length = 0;
    const [id] = await runAll(FAST, 1, 'held');
    expect(rec.sent).toEqual([{ method: 'POST', path: expect.stringMatching(/\/predictions$/), prefer: expect.stringMatching(/^wait=\d+$/) }]);
    const { engine, history } = h.backend.services;
    const done = history.get(id!)!;
    expect(done.logs).toMatch(/Using seed: \d+/); // the held answer is the full run: no GET needed for logs
    expect(done.output).not.toBeNull();
    expect(done.note).toBeNull(); // the held note went with the answer
    await engine.whenSaved(id!);
    expect(history.get(id!)!.saveState).toBe('saved');
  });

  it('a run longer than its hold: the answer says it is still going, and it is followed to its end', async () => {
    const rec = recordingFetch();
    h = await setup({ fetch: rec.f, scenario: { models: { [FAST]: { coldBootMs: 100, runMs: 400 } }, preferWaitCapMs: 150 } });
    await runAll(FAST, 3, 'learning');
    h.sim.control.loadScenario({ models: { [FAST]: { coldBootMs: 100, runMs: 1500 } }, preferWaitCapMs: 150 });
    rec.sent.length = 0;
    await runAll(FAST, 1, 'slow this time');
    expect(rec.sent.filter(isCreate).map((s) => s.prefer)).toEqual([expect.stringMatching(/^wait=/)]);
    expect(rec.sent.filter((s) => s.method === 'GET').length).toBeGreaterThan(0);
  });

  it('the composer gets its answer while the run is held; a refusal still comes back as the create error', async () => {
    const rec = recordingFetch();
    h = await setup({ fetch: rec.f, scenario: { models: { [FAST]: { coldBootMs: 100, runMs: 400 } } } });
    await runAll(FAST, 3, 'learning');
    h.sim.control.loadScenario({ models: { [FAST]: { coldBootMs: 0, runMs: 60_000 } }, preferWaitCapMs: 20_000 });
    h.sim.control.freeze();
    const { history } = h.backend.services;
    const t0 = Date.now();
    const { ids } = await call(h.backend, 'predictions:create', { model: FAST, input: { prompt: 'held, and free to go on' }, count: 1 });
    expect(Date.now() - t0).toBeLessThan(5_000); // not the hold's length (20 s here)
    expect(history.get(ids[0])!.providerId).toBeNull(); // still held: no answer yet
    expect(rec.sent.filter(isCreate).at(-1)!.prefer).toMatch(/^wait=/);

    const refusal = {
      status: 422,
      headers: { 'content-type': 'application/problem+json' },
      body: JSON.stringify({ title: 'Input validation failed', detail: '- prompt: refused while held\n', status: 422 }),
    };
    h.sim.control.loadScenario({
      models: { [FAST]: { coldBootMs: 0, runMs: 60_000 } },
      preferWaitCapMs: 20_000,
      faults: [{ endpoint: 'create', kind: 'reply', count: 1, reply: refusal }],
    });
    await expect(call(h.backend, 'predictions:create', { model: FAST, input: { prompt: 'refused' }, count: 1 })).rejects.toThrow(/refused while held/);
  });

  it('a text model is never held: its tokens stream as they come', async () => {
    const rec = recordingFetch();
    h = await setup({ fetch: rec.f, scenario: { models: { [TEXT]: { coldBootMs: 100, runMs: 300 } } } });
    await runAll(TEXT, 3, 'tell me');
    rec.sent.length = 0;
    const [id] = await runAll(TEXT, 1, 'and once more');
    expect(rec.sent.filter(isCreate).map((s) => s.prefer)).toEqual([null]);
    expect(h.backend.services.history.get(id!)!.text).toBeTruthy();
  });

  it('held creates have their own bound (maxHeldCreates), outside createConcurrency', async () => {
    const rec = recordingFetch();
    h = await setup({
      fetch: rec.f,
      engine: { maxHeldCreates: 3 },
      settings: { createConcurrency: 1 },
      scenario: { models: { [FAST]: { coldBootMs: 100, runMs: 400 } } },
    });
    await runAll(FAST, 3, 'learning');
    rec.sent.length = 0;
    rec.creates.max = 0;
    // Runs of 3 s this time: the three held creates (wait=3) are still out when the other two,
    // sent one at a time, have been answered, so the fifth is never held in a freed slot.
    h.sim.control.loadScenario({
      models: { [FAST]: { coldBootMs: 100, runMs: 3000 } },
      faults: [{ endpoint: 'create', kind: 'slow', delayMs: 300, count: 5 }],
    });
    await runAll(FAST, 5, 'five at once');
    const prefers = rec.sent.filter(isCreate).map((s) => s.prefer);
    expect(prefers.filter((p) => p !== null)).toHaveLength(3);
    // Three held plus one sent (createConcurrency 1) were out together; never more.
    expect(rec.creates.max).toBe(4);
  });

  it('canceled while held: the card ends at once; the run is canceled where it turned up', async () => {
    const rec = recordingFetch();
    h = await setup({ fetch: rec.f, scenario: { models: { [FAST]: { coldBootMs: 100, runMs: 400 } }, preferWaitCapMs: 400 } });
    const learning = await runAll(FAST, 3, 'learning');
    h.sim.control.loadScenario({ models: { [FAST]: { coldBootMs: 100, runMs: 60_000 } }, preferWaitCapMs: 400 });
    rec.sent.length = 0;
    const { engine, history } = h.backend.services;
    const { id } = engine.submit({ model: FAST, input: { prompt: 'changed my mind' } });
    await until(() => rec.sent.some(isCreate), 5_000, 'the create out');
    expect(rec.sent.find(isCreate)!.prefer).toMatch(/^wait=/);
    expect(history.get(id)!.note).toMatch(/answers with the result when it is done/); // not seemingly stuck in sending
    const outcome = await engine.cancel(id);
    expect(outcome.outcome).toBe('canceled-locally');
    expect(history.get(id)!.status).toBe('canceled');
    await until(() => rec.sent.some((s) => s.method === 'POST' && s.path.endsWith('/cancel')), 5_000, 'the cancel sent');
    const learned = new Set(learning.map((l) => history.get(l)!.providerId));
    const remote = () => h!.sim.control.predictions().find((p) => !learned.has(p.id));
    await until(() => remote()?.status === 'canceled', 5_000, 'canceled remotely');
    expect(history.get(id)!.status).toBe('canceled');
  });
});
