import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { createBackend, type Backend } from '../../electron/backend/index.ts';
import { createNodeDeps } from '../../electron/backend/node-deps.ts';
import { silentLogger } from '../../electron/backend/log/logger.ts';
import { startWebServer, type WebServer } from '../../electron/web/server.ts';
import { checkBindHost, contentSecurityPolicy, isAllowedHostHeader, isAllowedOrigin, isLoopbackHost, withAssetPrefix } from '../../electron/web/security.ts';
import { readRequest } from '../../electron/web/request.ts';
import { createHmac } from 'node:crypto';
import { canonicalMediaPath, deriveCapability, mediaSignature } from '../../shared/capability.ts';
import type { WireToClient } from '../../shared/ipc.ts';

describe('browser-mode security decisions', () => {
  it('recognises loopback hosts only', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '192.168.1.5', '::', 'example.com', '128.0.0.1']) expect(isLoopbackHost(h), h).toBe(false);
  });

  it('refuses a non-loopback bind unless the host was given explicitly, and warns when it was', () => {
    expect(checkBindHost('127.0.0.1', false)).toEqual({ ok: true, warning: null });
    const refused = checkBindHost('0.0.0.0', false);
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.reason).toMatch(/--host 0\.0\.0\.0/);
    const allowed = checkBindHost('0.0.0.0', true);
    expect(allowed.ok && allowed.warning).toMatch(/reachable from other machines/);
  });

  it('accepts only our own origin on the WebSocket', () => {
    expect(isAllowedOrigin('http://127.0.0.1:4000', '127.0.0.1', 4000)).toBe(true);
    expect(isAllowedOrigin('http://localhost:4000', '127.0.0.1', 4000)).toBe(true);
    expect(isAllowedOrigin('http://127.0.0.1:4001', '127.0.0.1', 4000)).toBe(false);
    expect(isAllowedOrigin('https://evil.example', '127.0.0.1', 4000)).toBe(false);
    expect(isAllowedOrigin('null', '127.0.0.1', 4000)).toBe(false);
    expect(isAllowedOrigin(undefined, '127.0.0.1', 4000)).toBe(false);
    expect(isAllowedOrigin('http://10.0.0.2:4000', '10.0.0.2', 4000)).toBe(true);
  });

  it('accepts only our own names in the Host header (DNS rebinding)', () => {
    expect(isAllowedHostHeader('127.0.0.1:4000', '127.0.0.1', 4000)).toBe(true);
    expect(isAllowedHostHeader('localhost:4000', '127.0.0.1', 4000)).toBe(true);
    expect(isAllowedHostHeader('[::1]:4000', '127.0.0.1', 4000)).toBe(true);
    expect(isAllowedHostHeader('evil.example:4000', '127.0.0.1', 4000)).toBe(false);
    expect(isAllowedHostHeader('127.0.0.1:4001', '127.0.0.1', 4000)).toBe(false);
    expect(isAllowedHostHeader(undefined, '127.0.0.1', 4000)).toBe(false);
    expect(isAllowedHostHeader('kiln.lan:4000', 'kiln.lan', 4000)).toBe(true);
    // An explicit --host 0.0.0.0 is reached by any of the machine's names (the token still applies).
    expect(isAllowedHostHeader('192.168.1.20:4000', '0.0.0.0', 4000)).toBe(true);
    expect(isAllowedOrigin('http://192.168.1.20:4000', '0.0.0.0', 4000)).toBe(true);
    expect(isAllowedOrigin('http://192.168.1.20:4001', '0.0.0.0', 4000)).toBe(false);
  });

  it('reads the token from the query or a header, never from a cookie, and never throws on a target', () => {
    expect(readRequest('/?token=a', {})?.token).toBe('a');
    expect(readRequest('/', { 'x-kiln-token': 'b' })?.token).toBe('b');
    expect(readRequest('/', { cookie: 'kiln_token_5=c; x=%' })?.token).toBe(null);
    expect(readRequest('/', { 'x-kiln-token': ['a', 'b'] as unknown as string })?.token).toBe(null);
    for (const t of ['http://[/ws', 'http://127.0.0.1/ws', '//evil/ws', '*', '', 'x'.repeat(10), `/${'a'.repeat(9000)}`])
      expect(readRequest(t, {}), t).toBe(null);
    expect(readRequest(undefined, {})).toBe(null);
    expect(readRequest('/ws?%zz=1', {})?.pathname).toBe('/ws');
  });

  it('derives narrow keys from the token: assets and one media file each, never the token itself', () => {
    const assets = deriveCapability('t'.repeat(32), 'assets');
    const media = deriveCapability('t'.repeat(32), 'media');
    expect(assets).toMatch(/^[0-9a-f]{32}$/);
    expect(assets).not.toBe(media);
    expect(deriveCapability('u'.repeat(32), 'media')).not.toBe(media);
    expect(mediaSignature(media, 'outputs/a.png')).not.toBe(mediaSignature(media, 'outputs/b.png'));
    // A standard HMAC-SHA256, whichever key signed last (the keyed state is reused between calls).
    for (const [key, rel] of [
      [media, 'outputs/a.png'],
      [assets, 'outputs/a.png'],
      [media, 'thumbs/é 1.webp'],
      [media, 'outputs/a.png'],
    ]) {
      expect(mediaSignature(key!, rel!)).toBe(createHmac('sha256', key!).update(`kiln-media:${rel}`).digest('hex').slice(0, 32));
    }
    expect(canonicalMediaPath('/outputs//a b.png')).toBe('outputs/a b.png');
    expect(withAssetPrefix('<script src="./assets/x.js"></script><link rel="stylesheet" href="./assets/x.css">', '/s/k/')).toBe(
      '<script src="/s/k/assets/x.js"></script><link rel="stylesheet" href="/s/k/assets/x.css">',
    );
  });

  it('builds a CSP without remote scripts that connects only to its own socket', () => {
    const csp = contentSecurityPolicy({ connectSrc: ['ws://127.0.0.1:9'] });
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self' ws://127.0.0.1:9;");
    expect(csp).not.toMatch(/unsafe-eval|script-src[^;]*https:/);
    const electron = contentSecurityPolicy({ connectSrc: [], mediaSchemes: ['kiln-media:'] });
    expect(electron).toContain("connect-src 'self';");
    expect(electron).toContain("img-src 'self' kiln-media: data:");
    expect(electron).toContain("media-src 'self' kiln-media: blob:");
  });
});

describe("the page's own CSP (what Electron enforces)", () => {
  it('allows no network connections, no remote or inline scripts, no plugins', () => {
    const meta = fs.readFileSync('renderer/index.html', 'utf8').match(/http-equiv="Content-Security-Policy"\s+content="([^"]+)"/)![1]!;
    const policy = Object.fromEntries(
      meta
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([k, ...v]) => [k, v]),
    );
    expect(policy['connect-src']).toEqual(["'none'"]);
    expect(policy['script-src']).toEqual(["'self'"]);
    expect(policy['object-src']).toEqual(["'none'"]);
    expect(meta).not.toMatch(/unsafe-eval|unsafe-inline/);
  });
});

describe('browser-mode server', () => {
  let dir: string;
  let backend: Backend;
  let server: WebServer;
  let base: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-web-'));
    const renderer = path.join(dir, 'renderer');
    fs.mkdirSync(path.join(renderer, 'assets'), { recursive: true });
    // The real page's head, with its Electron meta CSP.
    const realHead = fs.readFileSync('renderer/index.html', 'utf8').match(/<meta\s+http-equiv="Content-Security-Policy"[^>]*>/)![0];
    fs.writeFileSync(path.join(renderer, 'index.html'), `<!doctype html><head>${realHead}</head><title>Kiln</title>`);
    fs.writeFileSync(path.join(renderer, 'assets', 'app.js'), 'console.log(1)');
    fs.writeFileSync(path.join(dir, 'secret.txt'), 'outside');
    backend = await createBackend(createNodeDeps({ dataDir: path.join(dir, 'data'), mode: 'web', log: silentLogger, env: {} }));
    await backend.start();
    server = await startWebServer({ backend, rendererDir: renderer, port: 0, log: silentLogger });
    base = `http://127.0.0.1:${server.port}`;
  });

  afterAll(async () => {
    await server?.close();
    await backend?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prints a loopback URL carrying the token', () => {
    expect(server.url).toBe(`${base}/?token=${server.token}`);
    expect(server.token.length).toBeGreaterThanOrEqual(32);
  });

  it('answers 403 without the token or with a wrong one', async () => {
    expect((await fetch(`${base}/`)).status).toBe(403);
    expect((await fetch(`${base}/?token=nope`)).status).toBe(403);
    expect((await fetch(`${base}/?token=${server.token}x`)).status).toBe(403);
    expect((await fetch(`${base}/assets/app.js`)).status).toBe(403);
    expect((await fetch(`${base}/media/a.png`)).status).toBe(403);
  });

  it('refuses a rebound Host even with the right token', async () => {
    const http = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: server.port, path: `/?token=${server.token}`, headers: { host: `evil.example:${server.port}` } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it('serves the page with strict headers, no cookie, and asset URLs that work without the token', async () => {
    const res = await fetch(server.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain(`connect-src 'self' ws://127.0.0.1:${server.port}`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('set-cookie')).toBeNull();
    // The page's meta CSP (Electron's: connect-src 'none') would intersect with the header and cut the socket.
    const html = await res.text();
    expect(html).toContain('<title>Kiln</title>');
    expect(html).not.toMatch(/Content-Security-Policy/i);
    const assetPath = `/s/${deriveCapability(server.token, 'assets')}/assets/app.js`;
    const asset = await fetch(`${base}${assetPath}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${base}/s/${'0'.repeat(32)}/assets/app.js`)).status).toBe(403);
    expect((await fetch(`${base}${assetPath.replace('app.js', '../../../secret.txt')}`)).status).not.toBe(200);
  });

  it('answers a reload without the token with a 403 page that retries once from sessionStorage', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(403);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    const html = await res.text();
    expect(html).toContain('sessionStorage');
    expect(html).toContain('Kiln restarted');
    expect(html).not.toContain(server.token);
  });

  it('never serves files outside the renderer folder', async () => {
    const h = { 'x-kiln-token': server.token };
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const res = await fetch(`${base}${p}`, { headers: h });
      expect(res.status, p).toBe(404);
      expect(await res.text()).not.toContain('outside');
    }
    expect((await fetch(`${base}/`, { method: 'POST', headers: h })).status).toBe(405);
  });

  it('serves vault media through the shared media handler, and nothing outside the vault', async () => {
    const root = backend.services.vault.root;
    fs.mkdirSync(path.join(root, 'outputs'), { recursive: true });
    fs.writeFileSync(path.join(root, 'outputs', 'a b.txt'), '0123456789');
    const mediaKey = deriveCapability(server.token, 'media');
    const signed = await fetch(`${base}/media/outputs/a%20b.txt?sig=${mediaSignature(mediaKey, 'outputs/a b.txt')}`);
    expect(signed.status).toBe(200);
    // One file's signature opens that file only.
    fs.writeFileSync(path.join(root, 'outputs', 'other.txt'), 'other');
    expect((await fetch(`${base}/media/outputs/other.txt?sig=${mediaSignature(mediaKey, 'outputs/a b.txt')}`)).status).toBe(403);
    const ok = await fetch(`${base}/media/outputs/a%20b.txt?token=${server.token}`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('0123456789');
    const part = await fetch(`${base}/media/outputs/a%20b.txt?token=${server.token}`, { headers: { range: 'bytes=2-4' } });
    expect(part.status).toBe(206);
    expect(await part.text()).toBe('234');
    const escape = await fetch(`${base}/media/..%2Fsettings.json?token=${server.token}`);
    expect([403, 404]).toContain(escape.status);
    expect(await escape.text()).not.toContain('theme');
  });

  function connect(headers: Record<string, string>, query = `?token=${server.token}`): Promise<WebSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws${query}`, { headers });
      ws.once('open', () => resolve(ws));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  it('refuses the WebSocket from another origin, with no origin, or without the token', async () => {
    await expect(connect({ origin: 'https://evil.example' })).rejects.toThrow('HTTP 403');
    await expect(connect({})).rejects.toThrow('HTTP 403');
    await expect(connect({ origin: base }, '?token=wrong')).rejects.toThrow('HTTP 403');
  });

  it('carries invokes as envelopes and backend events over the WebSocket', async () => {
    const ws = await connect({ origin: base });
    const frames: WireToClient[] = [];
    ws.on('message', (d) => frames.push(JSON.parse(String(d)) as WireToClient));
    const waitFor = async (pred: (f: WireToClient) => boolean) => {
      for (let i = 0; i < 200; i++) {
        const f = frames.find(pred);
        if (f) return f;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error('frame never arrived');
    };
    ws.send(JSON.stringify({ type: 'invoke', id: 1, channel: 'app:ping', payload: { nonce: 'abc' } }));
    expect(await waitFor((f) => f.type === 'event')).toEqual({ type: 'event', event: 'app:pong', payload: { nonce: 'abc' } });
    expect(await waitFor((f) => f.type === 'result' && f.id === 1)).toEqual({ type: 'result', id: 1, envelope: { ok: true, value: { ok: true } } });
    ws.send(JSON.stringify({ type: 'invoke', id: 2, channel: 'nope:x', payload: {} }));
    expect(await waitFor((f) => f.type === 'result' && f.id === 2)).toMatchObject({ envelope: { ok: false, error: { code: 'unknown_channel' } } });
    ws.send(JSON.stringify({ type: 'invoke', id: 3, channel: 'app:info', payload: {} }));
    expect(await waitFor((f) => f.type === 'result' && f.id === 3)).toMatchObject({ envelope: { ok: true, value: { mode: 'web' } } });
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.send('not json');
    expect(await closed).toBe(1007);
  });
});
