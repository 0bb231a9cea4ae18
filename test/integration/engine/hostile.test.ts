import { afterEach, describe, expect, it } from 'vitest';
import { setup, until, type Harness } from './harness.ts';
import { LIMITS } from '../../../shared/limits.ts';
import type { PredictionRecord } from '../../../electron/backend/history/types.ts';

// A hostile Replicate on loopback (issue 10 items 4 and 7): a server that echoes the API key back
// in error bodies, logs, errors and output text; logs, answers and streams without end. What Kiln
// stores, shows and prints must be bounded and never hold the key.

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const MODEL = 'black-forest-labs/flux-schnell';
const rec = (id: string) => h!.backend.services.history.get(id)!;

/** A prediction body the simulator sends verbatim; `{{id}}` and `{{authorization}}` are filled in per request. */
function prediction(fields: Record<string, unknown>): string {
  return JSON.stringify({
    id: '{{id}}',
    model: MODEL,
    version: 'hidden',
    input: { prompt: 'x' },
    created_at: '2026-01-05T10:00:00.123456Z',
    urls: { get: '{{origin}}/v1/predictions/{{id}}', cancel: '{{origin}}/v1/predictions/{{id}}/cancel' },
    ...fields,
  });
}

async function startedRun(prompt: string, model = MODEL): Promise<string> {
  const id = h!.backend.services.engine.submit({ model, input: { prompt } }).id;
  await until(() => rec(id).status === 'starting' || rec(id).status === 'processing', 5000, 'running');
  return id;
}

function notesOf(id: string): string[] {
  const notes: string[] = [];
  h!.backend.services.engine.onRecord((r) => {
    if (r.id === id && r.note) notes.push(r.note);
  });
  return notes;
}

const everything = (r: PredictionRecord) => JSON.stringify(r);

describe('the key echoed back by a server is redacted before anything stores it (issue 10 item 7)', () => {
  it('in an error body (the card note), a failed run’s error and logs', async () => {
    h = await setup({ scenario: { models: { [MODEL]: { coldBootMs: 60_000 } } } });
    const id = await startedRun('echo');
    const notes = notesOf(id);
    h.sim.control.loadScenario({
      faults: [
        { endpoint: 'get', kind: 'reply', count: 1, reply: { status: 400, body: '{"detail":"Bad header: {{authorization}}"}' } },
        {
          endpoint: 'get',
          kind: 'reply',
          count: 100,
          reply: {
            status: 200,
            body: prediction({
              status: 'failed',
              logs: 'Using seed: 7\nAuthorization was {{authorization}}\n',
              error: 'upstream rejected {{authorization}}',
              completed_at: '2026-01-05T10:00:09Z',
            }),
          },
        },
      ],
    });
    const done = await until(() => (rec(id).status === 'failed' ? rec(id) : null), 10_000, 'failed');
    expect(notes.some((n) => n.includes('Bad header: Bearer [redacted]'))).toBe(true);
    expect(done.error?.message).toBe('upstream rejected Bearer [redacted]');
    expect(done.logs).toContain('Authorization was Bearer [redacted]');
    for (const n of notes) expect(n).not.toContain(h.sim.token);
    expect(everything(done)).not.toContain(h.sim.token);
    // What the renderer gets and what an export or the CLI prints come from the same stored row.
    expect(JSON.stringify(h.backend.services.history.view(id))).not.toContain(h.sim.token);
  });

  it('in output text', async () => {
    h = await setup({ scenario: { models: { [MODEL]: { coldBootMs: 60_000 } } } });
    const id = await startedRun('echo text');
    h.sim.control.loadScenario({
      faults: [
        {
          endpoint: 'get',
          kind: 'reply',
          count: 100,
          reply: { status: 200, body: prediction({ status: 'succeeded', output: ['', 'your key is ', '{{authorization}}'], logs: '' }) },
        },
      ],
    });
    const done = await until(() => (rec(id).status === 'succeeded' ? rec(id) : null), 10_000, 'succeeded');
    expect(done.text).toBe('your key is Bearer [redacted]');
    expect(everything(done)).not.toContain(h.sim.token);
  });
  it('in streamed text, even when the key is split across two events', async () => {
    const LLM = 'meta/meta-llama-3-8b-instruct';
    h = await setup({ scenario: { models: { [LLM]: { coldBootMs: 50, runMs: 3_600_000 } } } });
    const half = Math.floor(h.sim.token.length / 2);
    const sse = `event: output\ndata: the key is ${h.sim.token.slice(0, half)}\n\nevent: output\ndata: ${h.sim.token.slice(half)} ok\n\n`;
    h.sim.control.loadScenario({
      faults: [{ endpoint: 'stream', kind: 'reply', count: 1, reply: { status: 200, headers: { 'content-type': 'text/event-stream' }, body: sse } }],
    });
    const id = h.backend.services.engine.submit({ model: LLM, input: { prompt: 'leak it' } }).id;
    const got = await until(() => (rec(id).text?.endsWith(' ok') ? rec(id) : null), 10_000, 'the streamed text');
    expect(got.text).toBe('the key is [redacted] ok');
  });
});

describe('nothing from a provider grows without bound (issue 10 item 4)', () => {
  it(`logs: the tail is kept, at most LIMITS.runLogChars (${LIMITS.runLogChars})`, async () => {
    h = await setup({ scenario: { models: { [MODEL]: { coldBootMs: 60_000 } } } });
    const id = await startedRun('long logs');
    const logs = `Using seed: 42\n${'step ....................................\n'.repeat(40_000)}the end explains it\n`;
    expect(logs.length).toBeGreaterThan(LIMITS.runLogChars * 4);
    h.sim.control.loadScenario({
      faults: [{ endpoint: 'get', kind: 'reply', count: 100, reply: { status: 200, body: prediction({ status: 'failed', logs, error: 'boom' }) } }],
    });
    const done = await until(() => (rec(id).status === 'failed' ? rec(id) : null), 10_000, 'failed');
    expect(done.logs.length).toBeLessThanOrEqual(LIMITS.runLogChars);
    expect(done.logs.endsWith('the end explains it\n')).toBe(true);
    expect(done.logs).toMatch(/runLogChars/);
  });

  it(`an API answer beyond LIMITS.apiResponseBytes is not read, and the card names the limit`, async () => {
    h = await setup({ scenario: { models: { [MODEL]: { coldBootMs: 60_000, runMs: 300 } } } });
    const id = await startedRun('huge answer');
    const notes = notesOf(id);
    h.sim.control.loadScenario({ faults: [{ endpoint: 'get', kind: 'huge', count: 1, bytes: LIMITS.apiResponseBytes + 1024 }] });
    await until(() => notes.some((n) => /apiResponseBytes/.test(n)), 10_000, 'a note naming the limit');
    h.sim.control.advance(61_000);
    await until(() => rec(id).status === 'succeeded', 10_000, 'followed on to its end');
  });

  it('an API answer that would parse into more than LIMITS.apiResponseShape objects and arrays is not read', async () => {
    // Under a megabyte of text, some 30 MB of heap once parsed (15 MB of the same took 2.8 GB).
    h = await setup({ scenario: { models: { [MODEL]: { coldBootMs: 60_000, runMs: 300 } } } });
    const id = await startedRun('a swarm of arrays');
    const swarm = prediction({ status: 'succeeded', output: Array.from({ length: LIMITS.apiResponseShape.containers + 10 }, () => []) });
    const gets = () => h!.sim.control.counters().byEndpoint['predictions.get'] ?? 0;
    const before = gets();
    h.sim.control.loadScenario({ faults: [{ endpoint: 'get', kind: 'reply', count: 1, reply: { status: 200, body: swarm } }] });
    await until(() => gets() >= before + 2, 10_000, 'looked at again after the refused answer');
    expect(rec(id).status).not.toBe('succeeded'); // the refused answer said "succeeded": it was not believed
    h.sim.control.advance(61_000);
    const done = await until(() => (rec(id).status === 'succeeded' ? rec(id) : null), 10_000, 'followed on to its end');
    expect(Array.isArray(done.output) && (done.output as unknown[]).every((o) => typeof o === 'string')).toBe(true);
  });

  it(`an endless text stream stops at LIMITS.runTextChars and says so`, async () => {
    const LLM = 'meta/meta-llama-3-8b-instruct';
    h = await setup({
      scenario: { models: { [LLM]: { coldBootMs: 50, runMs: 3_600_000 } }, faults: [{ endpoint: 'stream', kind: 'endless-stream', count: 1 }] },
    });
    const id = h.backend.services.engine.submit({ model: LLM, input: { prompt: 'never stop' } }).id;
    const stopped = await until(() => (rec(id).note && /runTextChars/.test(rec(id).note!) ? rec(id) : null), 30_000, 'the stream stopped at the limit');
    expect(stopped.text!.length).toBe(LIMITS.runTextChars);
    expect(stopped.status).toBe('processing'); // still followed by polling
    expect(h.sim.control.counters().byEndpoint['stream']).toBe(1); // not reopened
  });
});
