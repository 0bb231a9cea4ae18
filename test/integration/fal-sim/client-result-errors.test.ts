// The result fetch is where a fal job's failure shows (reference §6). A recorded or independent
// server may answer a request error without `x-fal-request-id`, or with another id (a platform
// retry has its own): fal's error type still says the answer is about this job. A 5xx with
// neither is the platform's own trouble, fetched again. A real HTTP server on 127.0.0.1.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFalClient, ProviderError } from '../../../electron/backend/providers/fal/client.ts';
import { LIMITS } from '../../../shared/limits.ts';
import { RESULT_UNREAD } from '../../../shared/domain/cost.ts';

let server: Server | null = null;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

type Answer = { status: number; headers: Record<string, string>; body: unknown; raw?: string };

async function clientAnswering(answers: Answer[]) {
  server = createServer((_req, res) => {
    const a = answers.shift()!;
    res.writeHead(a.status, { 'content-type': a.raw === undefined ? 'application/json' : 'text/html', ...a.headers });
    res.end(a.raw ?? JSON.stringify(a.body));
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return createFalClient({
    bases: { queueUrl: `${base}/queue`, apiUrl: `${base}/api`, storageUrl: `${base}/rest` },
    fetch,
    getKey: async () => 'k:s',
    userAgent: 'kiln-test',
  });
}
const ref = { endpointId: 'fal-ai/flux/dev', requestId: 'r1' };

describe('fal client: result errors from a server Kiln has not seen', () => {
  it('a request error with its error type ends the run, whatever the request id header says', async () => {
    const c = await clientAnswering([
      { status: 503, headers: {}, body: { detail: 'Runner disconnected', error_type: 'runner_disconnected' } },
      { status: 500, headers: { 'x-fal-error-type': 'runner_server_error', 'x-fal-request-id': 'gateway-retry-2' }, body: { detail: 'CUDA error' } },
    ]);
    expect(await c.result(ref)).toMatchObject({ outcome: 'failed', httpStatus: 503, errorType: 'runner_disconnected', message: 'Runner disconnected' });
    expect(await c.result(ref)).toMatchObject({ outcome: 'failed', httpStatus: 500, errorType: 'runner_server_error', message: 'CUDA error' });
  });

  it('a 5xx with neither an error type nor this request’s id is fetched again, never a failed run', async () => {
    const c = await clientAnswering([{ status: 500, headers: { 'x-fal-request-id': 'someone-else' }, body: { detail: 'Internal Server Error' } }]);
    const err = await c.result(ref).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).transient).toBe(true);
  });

  it('a 404 is "expired" only when fal says so: a proxy’s page or an empty 404 is fetched again', async () => {
    const c = await clientAnswering([
      { status: 404, headers: {}, body: null, raw: '<html><body><h1>404 Not Found</h1>nginx</body></html>' },
      { status: 404, headers: {}, body: null, raw: '' },
      { status: 404, headers: { 'x-fal-request-id': 'r1' }, body: { detail: 'Request not found' } },
    ]);
    for (let i = 0; i < 2; i++) {
      const err = await c.result(ref).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ProviderError);
      expect([(err as ProviderError).transient, (err as ProviderError).status]).toEqual([true, 404]);
    }
    expect(await c.result(ref)).toMatchObject({ outcome: 'expired' });
  });

  it('a 4xx that is not JSON (a plain-text or HTML answer) ends the run as failed, with its status and a bounded piece of its body', async () => {
    const c = await clientAnswering([
      { status: 422, headers: { 'content-type': 'text/plain' }, body: null, raw: 'Unprocessable' },
      { status: 400, headers: {}, body: null, raw: '<html><head><title>400</title></head><body><h1>400 Bad Request</h1><p>nginx</p></body></html>' },
      { status: 413, headers: { 'content-type': 'text/plain' }, body: null, raw: `too big ${'x'.repeat(5_000)}` },
    ]);
    expect(await c.result(ref)).toMatchObject({ outcome: 'failed', httpStatus: 422, message: 'fal answered HTTP 422: Unprocessable' });
    expect(await c.result(ref)).toMatchObject({ outcome: 'failed', httpStatus: 400, message: 'fal answered HTTP 400: 400 Bad Request nginx' });
    const long = await c.result(ref);
    expect(long).toMatchObject({ outcome: 'failed', httpStatus: 413, message: expect.stringMatching(/^fal answered HTTP 413: too big x+…$/) });
    expect(long.outcome === 'failed' && long.message.length).toBeLessThan(400);
  });

  it('a 404 with a model’s own detail is that run’s failure; only "request not found" (or no detail) says the result is gone', async () => {
    const c = await clientAnswering([
      { status: 404, headers: { 'x-fal-request-id': 'r1' }, body: { detail: 'Image at https://example.com/in.png could not be downloaded' } },
      { status: 404, headers: {}, body: { detail: 'not found' } },
      { status: 404, headers: {}, body: { detail: 'Request r1 not found' } },
      { status: 404, headers: {}, body: {} },
    ]);
    expect(await c.result(ref)).toMatchObject({
      outcome: 'failed',
      httpStatus: 404,
      message: 'Image at https://example.com/in.png could not be downloaded',
    });
    for (let i = 0; i < 3; i++) expect(await c.result(ref)).toMatchObject({ outcome: 'expired' });
  });

  it('only a 200 is a result: a 202 (still running) or a 204 is fetched again', async () => {
    const c = await clientAnswering([
      { status: 202, headers: { 'x-fal-request-id': 'r1' }, body: { status: 'IN_PROGRESS', request_id: 'r1' } },
      { status: 204, headers: {}, body: null, raw: '' },
    ]);
    for (let i = 0; i < 2; i++) {
      const err = await c.result(ref).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ProviderError);
      expect((err as ProviderError).transient).toBe(true);
    }
  });

  it('a 200 result whose JSON holds more objects than one answer may: ends the run unread, like one over the byte bound', async () => {
    const many = { text: 'x', chunks: Array.from({ length: LIMITS.apiResponseShape.containers }, (_, i) => ({ timestamp: [i, i + 1], text: 'w' })) };
    const c = await clientAnswering([{ status: 200, headers: { 'x-fal-request-id': 'r1' }, body: many }]);
    const r = await c.result(ref);
    expect(r).toMatchObject({ outcome: 'failed', httpStatus: 200, errorType: RESULT_UNREAD });
    expect(r.outcome === 'failed' && r.message).toMatch(/more than 250,000 objects and arrays/);
  });

  it('a result larger than one answer may be (files inline, sync_mode) ends the run with what to do, not a fetch repeated until fal forgets it', async () => {
    const big = { images: [{ url: `data:image/png;base64,${'A'.repeat(LIMITS.apiResponseBytes)}`, content_type: 'image/png' }], seed: 1 };
    // Twice: once with its length declared, once sent without one (chunked).
    const c = await clientAnswering([
      { status: 200, headers: { 'x-fal-request-id': 'r1' }, body: big },
      { status: 200, headers: { 'x-fal-request-id': 'r1', 'transfer-encoding': 'chunked' }, body: big },
    ]);
    for (let i = 0; i < 2; i++) {
      const r = await c.result(ref);
      expect(r).toMatchObject({ outcome: 'failed', httpStatus: 200 });
      expect(r.outcome === 'failed' && r.message).toMatch(/over Kiln's limit of 32 MB .*sync_mode/);
    }
  });
});
