import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WsWebSocket from 'ws';
import { createBackend, type Backend } from '../../electron/backend/index.ts';
import { createNodeDeps } from '../../electron/backend/node-deps.ts';
import { silentLogger } from '../../electron/backend/log/logger.ts';
import { startWebServer, type WebServer } from '../../electron/web/server.ts';
import { connectWebKiln, mediaPathUrl, type TransportState } from '../../renderer/src/platform/ws-kiln.ts';
import { createMemoryKiln } from '../../renderer/src/platform/memory-kiln.ts';
import { KilnError } from '../../shared/ipc.ts';
import { deriveCapability, mediaSignature, WEB_TOKEN_RETRY_KEY, WEB_TOKEN_STORAGE_KEY } from '../../shared/capability.ts';
import { takeWebToken } from '../../renderer/src/platform/web-token.ts';

// The renderer's browser-mode transport (renderer/src/platform/ws-kiln.ts) against the real server,
// in Node: `ws` stands in for the browser's WebSocket (same onopen/onmessage/onclose surface) and
// sends the Origin header a browser would.
describe('window.kiln over the WebSocket', () => {
  let dir: string;
  let backend: Backend;
  let server: WebServer;
  let rendererDir: string;

  function impl(port: number) {
    return class extends WsWebSocket {
      constructor(url: string) {
        super(url, { headers: { origin: `http://127.0.0.1:${port}` } });
      }
    } as unknown as typeof WebSocket;
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-wsc-'));
    rendererDir = path.join(dir, 'renderer');
    fs.mkdirSync(rendererDir);
    fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html>');
    backend = await createBackend(createNodeDeps({ dataDir: path.join(dir, 'data'), mode: 'web', log: silentLogger, env: {} }));
    server = await startWebServer({ backend, rendererDir, port: 0, log: silentLogger });
  });
  afterAll(async () => {
    await server?.close();
    await backend?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('invokes, receives events, throws KilnError with the code, and reconnects after a server restart', async () => {
    const port = server.port;
    const kiln = await connectWebKiln({ wsUrl: `ws://127.0.0.1:${port}/ws`, token: server.token, WebSocketImpl: impl(port), queueTimeoutMs: 10_000 });
    const states: TransportState[] = [];
    kiln.onState((s) => states.push(s));
    try {
      const pongs: string[] = [];
      kiln.on('app:pong', (p) => pongs.push(p.nonce));
      expect(await kiln.invoke('app:ping', { nonce: 'x1' })).toEqual({ ok: true });
      expect(pongs).toEqual(['x1']);

      // Links open in a new tab of the page's own browser; only https.
      const opened: unknown[] = [];
      const g = globalThis as { open?: unknown };
      const prevOpen = g.open;
      g.open = (...a: unknown[]) => void opened.push(a);
      try {
        expect(await kiln.invoke('shell:openExternal', { url: 'https://replicate.com/x' })).toEqual({ ok: true });
        await expect(kiln.invoke('shell:openExternal', { url: 'file:///etc/passwd' })).rejects.toMatchObject({ code: 'forbidden' });
      } finally {
        g.open = prevOpen;
      }
      expect(opened).toEqual([['https://replicate.com/x', '_blank', 'noopener,noreferrer']]);

      const err = await kiln.invoke('secrets:status', { provider: 'nope' as 'replicate' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KilnError);
      expect((err as KilnError).code).toBe('bad_request');

      // Restart on the same port and token: the transport reconnects and a queued invoke goes through.
      await server.close();
      for (let i = 0; i < 100 && kiln.state() === 'open'; i++) await new Promise((r) => setTimeout(r, 20));
      expect(kiln.state()).not.toBe('open');
      const queued = kiln.invoke('app:info', {});
      server = await startWebServer({ backend, rendererDir, port, token: server.token, log: silentLogger });
      expect(await queued).toMatchObject({ name: 'Kiln', mode: 'web' });
      expect(states).toContain('closed');
      expect(states.at(-1)).toBe('open');
    } finally {
      kiln.close();
    }
  });

  it('fails the first connection with a readable error when the token is wrong', async () => {
    await expect(
      connectWebKiln({ wsUrl: `ws://127.0.0.1:${server.port}/ws`, token: 'wrong', WebSocketImpl: impl(server.port), connectTimeoutMs: 5_000 }),
    ).rejects.toThrow(/token/);
  });

  it('builds media URLs with each path segment encoded and a per-file signature instead of the token', () => {
    const key = deriveCapability('t'.repeat(32), 'media');
    const url = mediaPathUrl('', 'outputs/a b/c#1.png', key);
    expect(url).toBe(`/media/outputs/a%20b/c%231.png?sig=${mediaSignature(key, 'outputs/a b/c#1.png')}`);
    expect(url).not.toContain('t'.repeat(32));
    expect(mediaPathUrl('', 'x.png', null)).toBe('/media/x.png');
  });

  it('says "rejected" (not reconnecting forever) when Kiln comes back with a new token', async () => {
    const port = server.port;
    const probe = async () => {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/`, { method: 'HEAD', headers: { 'X-Kiln-Token': oldToken } });
        return res.status === 403 ? ('rejected' as const) : ('accepted' as const);
      } catch {
        return 'unreachable' as const;
      }
    };
    const oldToken = server.token;
    const kiln = await connectWebKiln({ wsUrl: `ws://127.0.0.1:${port}/ws`, token: oldToken, WebSocketImpl: impl(port), probe, queueTimeoutMs: 20_000 });
    const states: TransportState[] = [];
    kiln.onState((st) => states.push(st));
    try {
      await server.close();
      for (let i = 0; i < 100 && kiln.state() === 'open'; i++) await new Promise((r) => setTimeout(r, 20));
      const queued = kiln.invoke('app:info', {}).catch((e: unknown) => e);
      server = await startWebServer({ backend, rendererDir, port, token: 'n'.repeat(32), log: silentLogger });
      for (let i = 0; i < 200 && kiln.state() !== 'rejected'; i++) await new Promise((r) => setTimeout(r, 50));
      expect(kiln.state()).toBe('rejected');
      expect(await queued).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/Kiln restarted.*new link/) });
      expect(states).not.toContain('open');
    } finally {
      kiln.close();
    }
  });
});

describe('the page token (browser mode)', () => {
  function place(href: string, stored: Record<string, string> = {}) {
    const store = new Map(Object.entries(stored));
    const replaced: string[] = [];
    return {
      replaced,
      store,
      p: {
        location: { href },
        history: { state: { a: 1 }, replaceState: (_d: unknown, _u: string, url: string) => void replaced.push(url) },
        storage: {
          getItem: (k: string) => store.get(k) ?? null,
          setItem: (k: string, v: string) => void store.set(k, v),
          removeItem: (k: string) => void store.delete(k),
        },
      },
    };
  }

  it('takes the token out of the address bar into sessionStorage, keeping the rest of the URL', () => {
    const t = place('http://127.0.0.1:5/?token=abc&x=1#card', { [WEB_TOKEN_RETRY_KEY]: '1' });
    expect(takeWebToken(t.p)).toBe('abc');
    expect(t.replaced).toEqual(['/?x=1#card']);
    expect(t.store.get(WEB_TOKEN_STORAGE_KEY)).toBe('abc');
    expect(t.store.has(WEB_TOKEN_RETRY_KEY)).toBe(false);
  });

  it('reads it back from sessionStorage when the address bar has none', () => {
    const t = place('http://127.0.0.1:5/', { [WEB_TOKEN_STORAGE_KEY]: 'abc' });
    expect(takeWebToken(t.p)).toBe('abc');
    expect(t.replaced).toEqual([]);
    expect(takeWebToken(place('http://127.0.0.1:5/').p)).toBe(null);
  });
});

describe('in-memory KilnApi for renderer unit tests', () => {
  it('validates requests against the contract, like the real router', async () => {
    const kiln = createMemoryKiln({ 'predictions:create': (req) => ({ ids: Array.from({ length: req.count }, (_, i) => `p${i}`) }) });
    expect(await kiln.invoke('predictions:create', { model: 'a/b', input: {}, count: 2 })).toEqual({ ids: ['p0', 'p1'] });
    expect(kiln.calls).toEqual([{ channel: 'predictions:create', req: { model: 'a/b', input: {}, count: 2 } }]);
    await expect(kiln.invoke('predictions:create', { model: 'a/b' } as never)).rejects.toMatchObject({ code: 'bad_request' });
    await expect(kiln.invoke('app:info', {})).rejects.toMatchObject({ code: 'not_implemented' });
    await expect(kiln.invoke('bogus:x' as never, {} as never)).rejects.toMatchObject({ code: 'unknown_channel' });
  });

  it('delivers events and lets tests swap handlers', async () => {
    const kiln = createMemoryKiln();
    const got: unknown[] = [];
    const off = kiln.on('network:changed', (p) => got.push(p));
    kiln.emit('network:changed', { online: false, detail: 'x' });
    off();
    kiln.emit('network:changed', { online: true, detail: null });
    expect(got).toEqual([{ online: false, detail: 'x' }]);
    kiln.handle('app:ping', () => ({ ok: true }));
    expect(await kiln.invoke('app:ping', { nonce: 'n' })).toEqual({ ok: true });
    expect(kiln.mode).toBe('memory');
  });
});
