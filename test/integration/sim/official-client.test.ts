// The simulator must speak the real protocol: the official replicate-javascript client (1.4.0)
// runs against it unchanged, only pointed at the simulator's base URL.
import { describe, expect, it } from 'vitest';
import Replicate from 'replicate';
import { sim } from './helpers.ts';

describe('official replicate client against the simulator', () => {
  it('predictions.create, wait() and reading the output files', async () => {
    const s = await sim({ scenario: { models: { 'black-forest-labs/flux-schnell': { coldBootMs: 300, runMs: 700 } } } });
    const replicate = new Replicate({ auth: s.token, baseUrl: s.baseUrl, fetch: (...a: Parameters<typeof fetch>) => fetch(...a) });
    const created = await replicate.predictions.create({ model: 'black-forest-labs/flux-schnell', input: { prompt: 'a kiln', num_outputs: 2 } });
    expect(created.status).toBe('starting');
    const done = await replicate.wait(created, { interval: 100 });
    expect(done.status).toBe('succeeded');
    expect(done.output).toHaveLength(2);
    const img = await fetch((done.output as string[])[0]!);
    expect(img.headers.get('content-type')).toBe('image/webp');
    expect((await img.arrayBuffer()).byteLength).toBeGreaterThan(100);
    const again = await replicate.predictions.get(created.id);
    expect(again.output).toEqual(done.output);
    const page = await replicate.predictions.list();
    expect(page.results.map((p) => p.id)).toContain(created.id);
  });

  it('run() with a version hash, models.get, cancel and a streamed LLM', async () => {
    const s = await sim({
      scenario: {
        models: {
          'stability-ai/sdxl': { coldBootMs: 0, runMs: 200 },
          'meta/meta-llama-3-8b-instruct': { coldBootMs: 0, runMs: 300 },
        },
      },
    });
    const replicate = new Replicate({ auth: s.token, baseUrl: s.baseUrl, fetch: (...a: Parameters<typeof fetch>) => fetch(...a) });
    const model = await replicate.models.get('stability-ai', 'sdxl');
    const version = (model as any).latest_version.id as string;
    const out = (await replicate.run(`stability-ai/sdxl:${version}`, { input: { prompt: 'x', width: 512, height: 512 } })) as unknown[];
    expect(out).toHaveLength(1);
    expect(String(out[0])).toMatch(/\/out-0\.png$/);

    const slow = await replicate.predictions.create({ version, input: { prompt: 'y' } });
    const canceled = await replicate.predictions.cancel(slow.id);
    expect(canceled.status).toBe('canceled');

    let text = '';
    for await (const ev of replicate.stream('meta/meta-llama-3-8b-instruct', { input: { prompt: 'tell me about kilns', max_tokens: 12 } })) {
      if (ev.event === 'output') text += ev.data;
    }
    expect(text).toContain('tell me about kilns');
  });

  it("surfaces a failed prediction and a 422 as the client's own errors", async () => {
    const s = await sim({ scenario: { models: { 'black-forest-labs/flux-schnell': { coldBootMs: 0, runMs: 100 } } } });
    const replicate = new Replicate({ auth: s.token, baseUrl: s.baseUrl, fetch: (...a: Parameters<typeof fetch>) => fetch(...a) });
    await expect(replicate.run('black-forest-labs/flux-schnell', { input: { prompt: 'x [fail]' } })).rejects.toThrow(/Prediction failed: .*E1001/);
    await expect(replicate.predictions.create({ model: 'black-forest-labs/flux-schnell', input: { num_outputs: 9 } })).rejects.toThrow(/422/);
  });
});
