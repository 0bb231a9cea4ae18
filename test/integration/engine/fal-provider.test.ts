// fal behind the Provider interface (providers/fal/provider.ts), over real HTTP against the fal
// simulator: what the engine sees of a fal run. The trap: a fal job never says FAILED — COMPLETED
// is an end only once the result fetch has spoken (ARCHITECTURE.md, "Runs and their lifecycle" table).
import { describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFalClient } from '../../../electron/backend/providers/fal/client.ts';
import { LIMITS } from '../../../shared/limits.ts';
import { createFalProvider } from '../../../electron/backend/providers/fal/provider.ts';
import { ProviderError } from '../../../electron/backend/providers/errors.ts';
import { falClient, falSim } from '../fal-sim/helpers.ts';

const FLUX = 'fal-ai/flux/schnell';
const FAILS = 'kiln-test/always-fails';

describe('fal as a Provider', () => {
  it('waiting with a queue position, running with logs, succeeded only with the result (output, metrics)', async () => {
    const s = await falSim({ scenario: { concurrency: 1, endpoints: { [FLUX]: { startupMs: 0, runMs: 2_000 } } } });
    s.control.freeze();
    const p = createFalProvider(falClient(s));
    const first = await p.submit({ model: `fal:${FLUX}`, version: null, target: 'model', input: { prompt: 'first' } });
    await p.submit({ model: `fal:${FLUX}`, version: null, target: 'model', input: { prompt: 'second' } });
    // The first holds the one runner, the second waits: the third has one ahead of it.
    const second = await p.submit({ model: `fal:${FLUX}`, version: null, target: 'model', input: { prompt: 'third', num_inference_steps: 2 } });
    expect(second).toMatchObject({ status: 'starting', rawStatus: 'IN_QUEUE' });
    const ref = { id: second.id, model: `fal:${FLUX}` };
    expect(await p.get(ref)).toMatchObject({ status: 'starting', queuePosition: 1 });
    s.control.advance(4_100);
    const running = await p.get(ref);
    expect(running).toMatchObject({ status: 'processing', rawStatus: 'IN_PROGRESS' });
    expect(typeof running.logs).toBe('string');
    s.control.advance(2_100);
    const done = await p.get(ref);
    expect(done).toMatchObject({ status: 'succeeded', queuePosition: null, output: { images: [expect.anything()] }, metrics: { predictTime: 2 } });
    expect((await p.get({ id: first.id, model: FLUX })).status).toBe('succeeded');
  });

  it('COMPLETED and failed at the result: failed with fal’s message; a start deadline passed: aborted, not billed', async () => {
    const s = await falSim({ scenario: { endpoints: { [FLUX]: { startupMs: 0, runMs: 1_000 }, [FAILS]: { startupMs: 0, runMs: 1_000 } } } });
    s.control.freeze();
    const p = createFalProvider(falClient(s));
    const broken = await p.submit({ model: FAILS, version: null, target: 'model', input: { prompt: 'x' } });
    const late = await p.submit({ model: FLUX, version: null, target: 'model', input: { prompt: '[timeout] mine' }, startDeadlineAt: Date.now() + 3_000 });
    s.control.advance(5_000);
    expect(await p.get({ id: broken.id, model: FAILS })).toMatchObject({
      status: 'failed',
      rawStatus: 'COMPLETED',
      error: expect.stringContaining('CUDA error'),
    });
    expect(await p.get({ id: late.id, model: FLUX })).toMatchObject({ status: 'aborted', error: expect.stringContaining('not billed') });
  });

  it('cancel: accepted, then the run ends canceled; a second cancel is refused as an answer', async () => {
    const s = await falSim({ scenario: { endpoints: { [FLUX]: { startupMs: 0, runMs: 1_000 } } } });
    s.control.freeze();
    const p = createFalProvider(falClient(s));
    const j = await p.submit({ model: FLUX, version: null, target: 'model', input: { prompt: '[slow]' } });
    const ref = { id: j.id, model: FLUX };
    expect(await p.cancel(ref)).toEqual({ run: null, status: 'canceled' });
    s.control.advance(100);
    expect((await p.get(ref)).status).toBe('canceled');
    const again = await p.cancel(ref).then(
      () => null,
      (e: unknown) => e,
    );
    expect(again).toBeInstanceOf(ProviderError);
    expect([(again as ProviderError).status, (again as ProviderError).transient]).toEqual([400, false]);
  });

  it('cancel accepted, then fal no longer knows the request (404 at status or at the result): canceled, never "not found" forever', async () => {
    const s = await falSim({ scenario: { afterCancel: 'not-found', endpoints: { [FLUX]: { startupMs: 60_000, runMs: 1_000 } } } });
    s.control.freeze();
    const p = createFalProvider(falClient(s));
    const queued = await p.submit({ model: FLUX, version: null, target: 'model', input: { prompt: 'queued' } });
    expect(await p.cancel({ id: queued.id, model: FLUX })).toEqual({ run: null, status: 'canceled' });
    expect(await p.get({ id: queued.id, model: FLUX })).toMatchObject({ status: 'canceled' });
    // Gone only from the result: COMPLETED, then fal's "Request not found".
    const other = await p.submit({ model: FLUX, version: null, target: 'model', input: { prompt: 'another' } });
    await p.cancel({ id: other.id, model: FLUX });
    s.control.loadScenario({
      faults: [
        { endpoint: 'status', kind: 'reply', reply: { status: 200, body: JSON.stringify({ status: 'COMPLETED', request_id: other.id, logs: [] }) } },
        { endpoint: 'result', kind: 'reply', reply: { status: 404, body: JSON.stringify({ detail: `Request ${other.id} not found` }) } },
      ],
    });
    expect(await p.get({ id: other.id, model: FLUX })).toMatchObject({ status: 'canceled' });
    // Without an accepted cancel a 404 is still what it was: an answer (not found), not an end Kiln makes up.
    const err = await p.get({ id: '00000000-0000-4000-8000-000000000000', model: FLUX }).catch((e: unknown) => e);
    expect((err as ProviderError).code).toBe('not_found');
    // After a restart (or a cancel sent by the CLI) this provider never saw the cancel: the run's own
    // record says one was asked for, and that is enough to read the 404 as the request gone.
    s.control.loadScenario({ afterCancel: 'not-found', endpoints: { [FLUX]: { startupMs: 60_000, runMs: 1_000 } } });
    const fresh = createFalProvider(falClient(s));
    expect(await fresh.get({ id: queued.id, model: FLUX, cancelRequested: true })).toMatchObject({ status: 'canceled' });
  });

  it('logs grown past what one status answer may hold (bytes or shape): asked again without them, from then on, and the run still ends', async () => {
    // fal's polled logs are cumulative (reference §4): a long job's status with logs only grows.
    // A server on 127.0.0.1 that answers logs=1 with them and logs=0 without.
    const ID = '7c0d2c5e-5a41-4f7e-9a43-0b6f1b2f9c11';
    const overShape = Array.from({ length: LIMITS.apiResponseShape.containers + 10 }, (_, i) => ({ message: `s${i}` }));
    const overBytes = Array.from({ length: Math.ceil(LIMITS.apiResponseBytes / 2 ** 20) + 1 }, () => ({ message: 'x'.repeat(2 ** 20) }));
    let phase = 'IN_PROGRESS';
    let logs = overShape;
    const asked: string[] = [];
    const server = http.createServer((req, res) => {
      const u = new URL(req.url!, 'http://x');
      asked.push(`${u.pathname.endsWith('/status') ? 'status' : 'result'}${u.search}`);
      res.setHeader('content-type', 'application/json');
      if (!u.pathname.endsWith('/status')) return res.end(JSON.stringify({ images: [{ url: 'https://v3.fal.media/files/a/b.png' }] }));
      res.statusCode = phase === 'COMPLETED' ? 200 : 202;
      res.end(JSON.stringify({ status: phase, request_id: ID, ...(u.searchParams.get('logs') === '1' ? { logs } : {}), metrics: { inference_time: 3600 } }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      for (const [name, huge] of [
        ['shape', overShape],
        ['bytes', overBytes],
      ] as const) {
        const p = createFalProvider(
          createFalClient({ bases: { queueUrl: base, apiUrl: base, storageUrl: base }, fetch, getKey: async () => 'k:s', userAgent: 'kiln-test' }),
        );
        const ref = { id: ID, model: 'fal-ai/flux-lora-fast-training' };
        [phase, logs, asked.length] = ['IN_PROGRESS', huge, 0];
        expect(await p.get(ref), name).toMatchObject({ status: 'processing' });
        expect(await p.get(ref), name).toMatchObject({ status: 'processing' });
        phase = 'COMPLETED';
        expect(await p.get(ref), name).toMatchObject({ status: 'succeeded', metrics: { predictTime: 3600 } });
        expect(asked, name).toEqual(['status?logs=1', 'status?logs=0', 'status?logs=0', 'status?logs=0', 'result']);
      }
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('a lost submit is found in request history (one job for one click), with the input fal kept', async () => {
    const s = await falSim({
      scenario: { endpoints: { [FLUX]: { startupMs: 0, runMs: 1_000 } }, faults: [{ endpoint: 'submit', kind: 'drop-response-after-submit', after: 1 }] },
    });
    const p = createFalProvider(falClient(s));
    const since = Date.now() - 1_000;
    await p.submit({ model: FLUX, version: null, target: 'model', input: { prompt: 'another click' } });
    const input = { prompt: 'a kiln at night', seed: 5 };
    const lost = await p.submit({ model: FLUX, version: null, target: 'model', input }).then(
      () => null,
      (e: unknown) => e,
    );
    expect((lost as ProviderError).ambiguous).toBe(true);
    // The endpoint's requests since, oldest first, each with the input fal kept: the engine picks
    // the one whose input matches (engine/match.ts).
    const found = await p.findSubmitted!({ model: `fal:${FLUX}`, input: { seed: 5, prompt: 'a kiln at night' }, since });
    expect(found.map((r) => r.input)).toEqual([{ prompt: 'another click' }, input]);
    expect(found[1]).toMatchObject({ status: 'starting' });
    expect(Object.values(s.control.counters().submitsByInputHash).every((n) => n === 1)).toBe(true);
  });

  it('a local input file is uploaded to fal storage and comes back as a URL; the key is trusted only for fal’s API hosts', async () => {
    const s = await falSim();
    const p = createFalProvider(falClient(s));
    const url = await p.upload(new Uint8Array([137, 80, 78, 71, 1, 2, 3]), 'in.png', 'image/png');
    expect(url).toMatch(/^http/);
    expect(p.mayStream(`${s.queueUrl}/x`)).toBe(true);
    expect(p.mayStream(url)).toBe(false);
  });
});
