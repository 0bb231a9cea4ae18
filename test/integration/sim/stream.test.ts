import { describe, expect, it } from 'vitest';
import { createParser } from 'eventsource-parser';
import { sim } from './helpers.ts';

const LLAMA = '/models/meta/meta-llama-3-8b-instruct/predictions';

interface Ev {
  event?: string;
  id?: string;
  data: string;
}

async function readEvents(url: string, headers: Record<string, string> = {}): Promise<{ events: Ev[]; contentType: string | null }> {
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers } });
  const events: Ev[] = [];
  const parser = createParser({ onEvent: (e) => events.push({ event: e.event, id: e.id, data: e.data }) });
  const decoder = new TextDecoder();
  for await (const chunk of res.body as any as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(chunk, { stream: true }));
  return { events, contentType: res.headers.get('content-type') };
}

describe('SSE streaming', () => {
  it('streams output tokens spaced in simulated time, each with an id, then done', async () => {
    const s = await sim({ scenario: { models: { 'meta/meta-llama-3-8b-instruct': { coldBootMs: 5_000, runMs: 10_000 } } } });
    s.control.freeze();
    const p = await (await s.api(LLAMA, { method: 'POST', json: { input: { prompt: 'why is the sky blue', max_tokens: 20 } } })).json();
    expect(p.urls.stream).toBe(`${s.origin}/stream/${p.id}`);
    const reading = readEvents(p.urls.stream);
    // tokens appear only as simulated time passes
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 30));
      s.control.advance(5_000);
    }
    const { events, contentType } = await reading;
    expect(contentType).toBe('text/event-stream');
    const outputs = events.filter((e) => e.event === 'output');
    expect(outputs).toHaveLength(20);
    expect(events.every((e) => e.id && /^\d+:\d+$/.test(e.id))).toBe(true);
    expect(events.at(-1)).toMatchObject({ event: 'done', data: '{}' });
    const text = outputs.map((e) => e.data).join('');
    expect(text).toContain('why is the sky blue');
    const final = await (await s.api(`/predictions/${p.id}`)).json();
    expect(final.status).toBe('succeeded');
    expect(final.output.join('')).toBe(text);
    expect(final.metrics.output_token_count).toBe(20);
  });

  it('shows partial text output while processing', async () => {
    const s = await sim({ scenario: { models: { 'meta/meta-llama-3-8b-instruct': { coldBootMs: 0, runMs: 10_000 } } } });
    s.control.freeze();
    const p = await (await s.api(LLAMA, { method: 'POST', json: { input: { prompt: 'hi', max_tokens: 10 } } })).json();
    s.control.advance(5_000);
    const mid = await (await s.api(`/predictions/${p.id}`)).json();
    expect(mid.status).toBe('processing');
    expect(mid.output).toHaveLength(5);
  });

  it('sends error then done {reason:error} for a failed prediction, and done {reason:canceled} on cancel', async () => {
    const s = await sim({ scenario: { models: { 'meta/meta-llama-3-8b-instruct': { coldBootMs: 0, runMs: 1_000 } } } });
    s.control.freeze();
    const bad = await (await s.api(LLAMA, { method: 'POST', json: { input: { prompt: 'x [fail]' } } })).json();
    s.control.advance(2_000);
    const e1 = (await readEvents(bad.urls.stream)).events.filter((e) => e.event !== 'output');
    expect(e1.map((e) => e.event)).toEqual(['error', 'done']);
    expect(JSON.parse(e1[0]!.data).detail).toMatch(/E\d{4}/);
    expect(JSON.parse(e1[1]!.data)).toEqual({ reason: 'error' });

    const c = await (await s.api(LLAMA, { method: 'POST', json: { input: { prompt: 'y' } } })).json();
    const reading = readEvents(c.urls.stream);
    await new Promise((r) => setTimeout(r, 50));
    await s.api(`/predictions/${c.id}/cancel`, { method: 'POST' });
    const e2 = (await reading).events;
    expect(e2.at(-1)).toMatchObject({ event: 'done', data: '{"reason":"canceled"}' });
  });

  it('emits logs events when streamLogs is on', async () => {
    const s = await sim({ scenario: { streamLogs: true, models: { 'meta/meta-llama-3-8b-instruct': { coldBootMs: 0, runMs: 0 } } } });
    const p = await (await s.api(LLAMA, { method: 'POST', json: { input: { prompt: 'log me', max_tokens: 4 } } })).json();
    const { events } = await readEvents(p.urls.stream);
    const logs = events.filter((e) => e.event === 'logs');
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.map((e) => e.data).join('\n')).toContain('Formatted prompt: `log me`');
    expect(events.filter((e) => e.event === 'output')).toHaveLength(4);
  });

  it('resumes after Last-Event-ID', async () => {
    const s = await sim({ scenario: { models: { 'meta/meta-llama-3-8b-instruct': { coldBootMs: 0, runMs: 0 } } } });
    const p = await (await s.api(LLAMA, { method: 'POST', json: { input: { prompt: 'resume me', max_tokens: 8 } } })).json();
    const all = (await readEvents(p.urls.stream)).events.filter((e) => e.event === 'output');
    const rest = (await readEvents(p.urls.stream, { 'last-event-id': all[4]!.id! })).events.filter((e) => e.event === 'output');
    expect(rest.map((e) => e.data)).toEqual(all.slice(5).map((e) => e.data));
  });
});
