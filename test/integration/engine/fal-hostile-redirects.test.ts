import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { falClient, falSim } from '../fal-sim/helpers.ts';
import { ProviderError } from '../../../electron/backend/providers/errors.ts';
import type { Fault } from '../../fal-sim/types.ts';

// fal's hosts answering with a redirect to another server (here a second one on 127.0.0.1 that
// counts every request it gets). Kiln's fal client never follows one (providers/errors.ts,
// NO_REDIRECT): a followed hop would carry the user's input or file to a host nobody judged, and
// its answer would be read as fal's. Each call must fail as "try again" and the other server must
// never hear from Kiln.

let elsewhere: http.Server;
let elsewhereUrl = '';
const hits: string[] = [];

beforeAll(async () => {
  elsewhere = http.createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'COMPLETED', request_id: 'elsewhere', images: [{ url: 'https://v3.fal.media/files/x/y.png' }] }));
    });
  });
  await new Promise<void>((r) => elsewhere.listen(0, '127.0.0.1', r));
  elsewhereUrl = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => elsewhere.close(() => r())));

const redirect = (endpoint: Fault['endpoint'], status: number): Fault => ({
  endpoint,
  kind: 'reply',
  count: 10,
  reply: { status, headers: { location: `${elsewhereUrl}/taken`, 'content-type': 'text/plain' }, body: '' },
});

const ref = { endpointId: 'fal-ai/flux/dev', requestId: '7c0d2c5e-5a41-4f7e-9a43-0b6f1b2f9c11' };
const bytes = new Uint8Array(1000).fill(7);

describe('fal answers with a redirect: never followed', () => {
  const CASES: [string, Fault['endpoint'], number, (c: ReturnType<typeof falClient>) => Promise<unknown>, boolean][] = [
    ['submit (307 keeps the POST and its input)', 'submit', 307, (c) => c.submit({ endpointId: ref.endpointId, input: { prompt: 'mine' } }), true],
    ['status', 'status', 302, (c) => c.status(ref, { logs: true }), false],
    ['result', 'result', 302, (c) => c.result(ref), false],
    ['cancel', 'cancel', 307, (c) => c.cancel(ref), false],
    ['upload initiate', 'storage', 307, (c) => c.upload(bytes, { contentType: 'image/png', fileName: 'a.png' }), false],
    ['upload PUT of the file', 'upload', 307, (c) => c.upload(bytes, { contentType: 'image/png', fileName: 'a.png' }), false],
    ['status stream', 'stream', 302, (c) => c.streamStatus(ref, { logs: true, onStatus: () => {} }), false],
  ];
  it.each(CASES)('%s: a transient failure, nothing sent elsewhere', async (_name, endpoint, status, act, ambiguous) => {
    const s = await falSim({ scenario: { faults: [redirect(endpoint, status)] } });
    hits.length = 0;
    const err = await act(falClient(s)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(hits).toEqual([]);
    expect(err).toBeInstanceOf(ProviderError);
    const { transient, ambiguous: wasAmbiguous, status: said, message } = err as ProviderError;
    expect([transient, wasAmbiguous, said]).toEqual([true, ambiguous, status]);
    expect(message).toContain('redirect');
  });

  it('a multipart upload part answered with a redirect: tried again at fal, never elsewhere', async () => {
    const s = await falSim({ scenario: { faults: [redirect('upload', 307)] } });
    hits.length = 0;
    const err = await falClient(s, { multipartThreshold: 500, partBytes: 400 })
      .upload(bytes, { contentType: 'image/png', fileName: 'a.png' })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(hits).toEqual([]);
    expect((err as ProviderError).transient).toBe(true);
  });
});
