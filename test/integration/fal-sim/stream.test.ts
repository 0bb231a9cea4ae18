// The SSE status stream, read raw: unnamed `data:` frames, incremental logs, pings, close after COMPLETED.
import { describe, expect, it } from 'vitest';
import { falSim } from './helpers.ts';

async function readAll(res: Response, onChunk?: (text: string) => void): Promise<string> {
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let all = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return all;
    all += dec.decode(value, { stream: true });
    onChunk?.(all);
  }
}

const events = (raw: string) =>
  raw
    .split('\n\n')
    .filter((b) => b.startsWith('data: '))
    .map((b) => JSON.parse(b.slice(6)));

describe('fal simulator: status stream', () => {
  it('sends the current status at once, one event per change with only new log entries, and closes after COMPLETED', async () => {
    const s = await falSim({ scenario: { streamPingMs: 50, endpoints: { 'fal-ai/flux/schnell': { startupMs: 1_000, runMs: 2_000 } } } });
    s.control.freeze();
    const j = await s.submit('fal-ai/flux/schnell', { prompt: 'x', num_inference_steps: 2 });
    const res = await s.api(`${j.status_url}/stream?logs=1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    let step = 0;
    const raw = await readAll(res, (all) => {
      // Advance simulated time after each change has been seen (and once a ping has arrived).
      const n = events(all).length;
      if (n > step && all.includes(': ping')) {
        step = n;
        setTimeout(() => s.control.advance(1_000), 5);
      }
    });
    expect(raw).not.toMatch(/^event:/m);
    const evs = events(raw);
    expect(evs.map((e) => e.status)).toEqual(['IN_QUEUE', 'IN_PROGRESS', 'IN_PROGRESS', 'COMPLETED']);
    const msgs = evs.map((e) => (e.logs ?? []).map((l: any) => l.message));
    expect(msgs[1]).toEqual([expect.stringMatching(/^Loading/), '  0%|          | 0/2']);
    expect(msgs[2]).toEqual([' 50%|█████     | 1/2']);
    expect(msgs[3]).toEqual(['100%|██████████| 2/2']);
    expect(evs[3].metrics).toEqual({ inference_time: 2 });
  });

  it('an already completed request gets one event and the close', async () => {
    const s = await falSim({ scenario: { endpoints: { 'fal-ai/flux/schnell': { startupMs: 0, runMs: 100 } } } });
    s.control.freeze();
    const j = await s.submit('fal-ai/flux/schnell', { prompt: 'x' });
    s.control.advance(200);
    const evs = events(await readAll(await s.api(`${j.status_url}/stream?logs=0`)));
    expect(evs).toHaveLength(1);
    expect(evs[0]).toMatchObject({ status: 'COMPLETED', logs: null });
  });
});
