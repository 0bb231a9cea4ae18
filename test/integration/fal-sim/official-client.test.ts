// The simulator must speak fal's real protocol: the official @fal-ai/client (1.10.1) runs against it
// unchanged, only with its fetch pointed at the simulator's hosts instead of fal's.
import { describe, expect, it } from 'vitest';
import { ApiError, createFalClient, type QueueStatus } from '@fal-ai/client';
import { fetchViaSimulator } from '../../fal-sim/official.ts';
import { falSim, type TestSim } from './helpers.ts';

function official(s: TestSim) {
  return createFalClient({ credentials: s.key, fetch: fetchViaSimulator(s) });
}

const fast = { startupMs: 100, runMs: 300 };

describe('official @fal-ai/client against the fal simulator', () => {
  it('subscribe (polling, with logs) sees IN_QUEUE → IN_PROGRESS → COMPLETED and returns the output', async () => {
    const s = await falSim({ scenario: { endpoints: { 'fal-ai/flux/schnell': { startupMs: 60_000, runMs: 4_000 } } } });
    s.control.freeze();
    const fal = official(s);
    const updates: QueueStatus[] = [];
    let enqueued = '';
    const res = await fal.subscribe('fal-ai/flux/schnell', {
      input: { prompt: 'a kiln at dusk', num_images: 2 },
      logs: true,
      pollInterval: 20,
      onEnqueue: (id) => {
        enqueued = id;
      },
      // Simulated time moves only when the client has seen each phase: no race with the clock.
      onQueueUpdate: (u) => {
        updates.push(u);
        s.control.advance(u.status === 'IN_QUEUE' ? 60_000 : 1_000);
      },
    });
    expect(res.requestId).toBe(enqueued);
    const seen = [...new Set(updates.map((u) => u.status))];
    expect(seen).toEqual(['IN_QUEUE', 'IN_PROGRESS', 'COMPLETED']);
    const done = updates.at(-1)!;
    expect(done.status === 'COMPLETED' && done.logs.some((l) => /4\/4$/.test(l.message))).toBe(true);
    const data = res.data as { images: { url: string; content_type: string }[]; seed: number };
    expect(data.images).toHaveLength(2);
    const img = await fetch(data.images[0]!.url);
    expect(img.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await img.arrayBuffer()).subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    // The client polled the status route it builds itself (owner/app, sub-path dropped).
    expect(s.control.counters().byEndpoint['queue.status']).toBeGreaterThan(2);
    expect(s.control.jobs()[0]!.headers.priority).toBe('normal');
  });

  it('subscribe in streaming mode follows the SSE status stream to the end', async () => {
    const s = await falSim({ scenario: { endpoints: { 'fal-ai/flux/dev': { startupMs: 60_000, runMs: 5_000 } } } });
    s.control.freeze();
    const fal = official(s);
    const updates: QueueStatus[] = [];
    const res = await fal.subscribe('fal-ai/flux/dev', {
      input: { prompt: 'streamed', num_inference_steps: 5 },
      mode: 'streaming',
      logs: true,
      onQueueUpdate: (u) => {
        updates.push(u);
        setTimeout(() => s.control.advance(u.status === 'IN_QUEUE' ? 60_000 : 1_000), 1);
      },
    });
    expect((res.data as { images: unknown[] }).images).toHaveLength(1);
    expect(updates.at(-1)!.status).toBe('COMPLETED');
    const logs = updates.at(-1)!.status === 'COMPLETED' ? (updates.at(-1) as { logs: { message: string }[] }).logs : [];
    // fal-js accumulates the streamed (incremental) logs: each bar exactly once, in order.
    expect(logs.map((l) => l.message).filter((m) => m.includes('|'))).toEqual([
      '  0%|          | 0/5',
      ' 20%|██        | 1/5',
      ' 40%|████      | 2/5',
      ' 60%|██████    | 3/5',
      ' 80%|████████  | 4/5',
      '100%|██████████| 5/5',
    ]);
    expect(s.control.counters().byEndpoint['queue.stream']).toBe(1);
    expect(s.control.counters().byEndpoint['queue.status'] ?? 0).toBe(0);
  });

  it("a job that COMPLETED but failed: result() throws ApiError with fal's message; a 422 is a ValidationError", async () => {
    const s = await falSim({ scenario: { endpoints: { 'kiln-test/always-fails': fast, 'fal-ai/flux/schnell': fast } } });
    const fal = official(s);
    const err = await fal.subscribe('kiln-test/always-fails', { input: { prompt: 'x' }, pollInterval: 30 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError<any>).status).toBe(500);
    expect((err as ApiError<any>).body.detail).toMatch(/CUDA error/);
    const bad = await fal.subscribe('fal-ai/flux/schnell', { input: { prompt: 'x', num_images: 9 }, pollInterval: 30 }).catch((e: unknown) => e);
    expect((bad as Error).name).toBe('ValidationError');
    expect((bad as any).fieldErrors[0]).toMatchObject({ loc: ['body', 'num_images'], type: 'less_than_equal' });
  });

  it('startTimeout: a job that never starts ends in a user timeout the client does not retry', async () => {
    const s = await falSim({ scenario: { concurrency: 1, endpoints: { 'fal-ai/flux/schnell': { startupMs: 0, runMs: 60_000 } } } });
    const fal = official(s);
    await fal.queue.submit('fal-ai/flux/schnell', { input: { prompt: 'occupies the only runner' } });
    const p = fal.subscribe('fal-ai/flux/schnell', { input: { prompt: 'waits' }, startTimeout: 2, pollInterval: 30 }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 100));
    s.control.advance(2_500);
    const err = (await p) as ApiError<any>;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.isUserTimeout).toBe(true);
    expect(s.control.jobs()[1]!.headers.requestTimeout).toBe('2');
    expect(s.control.counters().byEndpoint['queue.result']).toBe(1);
  });

  it('cancel resolves on 202 and throws 400 once completed; storage.upload feeds the upscaler', async () => {
    const s = await falSim({ scenario: { endpoints: { 'fal-ai/flux/schnell': { startupMs: 60_000, runMs: 100 }, 'fal-ai/esrgan': fast } } });
    const fal = official(s);
    const { request_id } = await fal.queue.submit('fal-ai/flux/schnell', { input: { prompt: 'to cancel' } });
    await fal.queue.cancel('fal-ai/flux/schnell', { requestId: request_id });
    expect(s.control.jobs()[0]!.canceled).toBe(true);
    const again = await fal.queue.cancel('fal-ai/flux/schnell', { requestId: request_id }).catch((e: unknown) => e);
    expect((again as ApiError<any>).status).toBe(400);
    expect((again as ApiError<any>).body).toEqual({ status: 'ALREADY_COMPLETED' });

    const png = await (
      await import('sharp')
    )
      .default({ create: { width: 40, height: 30, channels: 3, background: '#c05030' } })
      .png()
      .toBuffer();
    const url = await fal.storage.upload(new Blob([png], { type: 'image/png' }));
    expect(url.startsWith(`${s.cdnUrl}/files/`)).toBe(true);
    const up = await fal.subscribe('fal-ai/esrgan', { input: { image_url: url, scale: 2 }, pollInterval: 30 });
    expect((up.data as any).image).toMatchObject({ width: 80, height: 60, content_type: 'image/png' });
    expect(s.control.counters().authOnMedia).toBe(0);
  });
});
