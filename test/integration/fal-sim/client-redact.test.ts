// ARCHITECTURE.md, "Security": a server that echoes the key back in an error has it redacted before anything stores,
// shows or logs it. A real HTTP server that does exactly that, on 127.0.0.1.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFalClient, ProviderError } from '../../../electron/backend/providers/fal/client.ts';

const KEY = '0b7e1f2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b:9f8e7d6c5b4a39281706f5e4d3c2b1a0';
let server: Server | null = null;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

describe('fal client: a key echoed back by the server', () => {
  it("is redacted from errors and from a failed run's message", async () => {
    server = createServer((req, res) => {
      const auth = String(req.headers.authorization ?? '');
      const secret = auth.split(':')[1] ?? '';
      const status = req.method === 'POST' ? 401 : 500;
      res.writeHead(status, { 'content-type': 'application/json', 'x-fal-request-id': 'r1' });
      res.end(JSON.stringify({ detail: `bad header "${auth}" (secret ${secret})`, error_type: 'runner_server_error' }));
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const c = createFalClient({
      bases: { queueUrl: `${base}/queue`, apiUrl: `${base}/api`, storageUrl: `${base}/rest` },
      fetch,
      getKey: async () => KEY,
      userAgent: 'kiln-test',
    });
    const err = await c.submit({ endpointId: 'fal-ai/flux/dev', input: {} }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as Error).message).toContain('[redacted]');
    expect((err as Error).message).not.toContain(KEY.split(':')[1]);
    const r = await c.result({ endpointId: 'fal-ai/flux/dev', requestId: 'r1' });
    expect(r.outcome).toBe('failed');
    const msg = r.outcome === 'failed' ? r.message : '';
    expect(msg).toContain('[redacted]');
    expect(msg).not.toContain(KEY.split(':')[0]);
    expect(msg).not.toContain(KEY.split(':')[1]);
  });
});
