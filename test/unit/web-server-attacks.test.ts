import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { clientFrame, rawRequest, rawWebSocket, startWebChild, statusOf, upgradeRequest, type WebChild } from '../fixtures/raw-http.ts';

// Issue 10 item 1 and 3: hostile requests against browser mode running in its own process (so a crash
// shows as that process exiting). No request, with or without the token, may end the process or
// break the page, and nothing the page needs rides a cookie that other local ports receive.

describe('browser mode under hostile requests', () => {
  let kiln: WebChild;
  let hostLine: string;

  beforeAll(async () => {
    kiln = await startWebChild();
    hostLine = `Host: 127.0.0.1:${kiln.port}`;
  }, 30_000);
  afterAll(async () => {
    await kiln?.stop();
  });

  async function stillServes() {
    expect(kiln.alive(), 'the browser-mode process is still running').toBe(true);
    const res = await fetch(kiln.url);
    expect(res.status).toBe(200);
  }

  it('survives an unauthenticated WebSocket upgrade with a malformed cookie', async () => {
    const res = await rawRequest(kiln.port, upgradeRequest('/ws', [hostLine, `Origin: ${kiln.origin}`, 'Cookie: x=%']));
    expect(statusOf(res)).toBe(403);
    await stillServes();
  });

  it('survives absolute-form and other unparsable targets, on the socket and on plain HTTP', async () => {
    for (const target of ['http://[/ws', 'http://127.0.0.1/ws', '//evil/ws', '*', '/ws?%zz=1&token=%']) {
      const res = await rawRequest(kiln.port, upgradeRequest(target, [hostLine, `Origin: ${kiln.origin}`]));
      expect([400, 403, 404], `${target}: ${res.split('\r\n')[0]}`).toContain(statusOf(res));
    }
    // No token can be read from an unreadable target: 403, like any request without the token.
    const plain = await rawRequest(kiln.port, `GET http://[/ HTTP/1.1\r\n${hostLine}\r\n\r\n`);
    expect(statusOf(plain)).toBe(403);
    const elsewhere = await rawRequest(kiln.port, upgradeRequest('/not-ws', [hostLine, `Origin: ${kiln.origin}`]));
    expect(statusOf(elsewhere)).toBe(403);
    await stillServes();
  });

  it('survives broken Host and Origin headers, repeated headers and huge headers', async () => {
    const cases: string[][] = [
      ['Host: ['],
      [`Host: 127.0.0.1:${kiln.port}/x`],
      [],
      [hostLine, hostLine],
      [hostLine, 'Origin: http://['],
      [hostLine, 'Origin: %'],
      [hostLine, `Origin: ${kiln.origin}`, `Origin: ${kiln.origin}`],
      [hostLine, `X-Big: ${'x'.repeat(100_000)}`],
    ];
    for (const headers of cases) {
      const res = await rawRequest(kiln.port, upgradeRequest(`/ws?token=${kiln.token}`, headers));
      expect([400, 403, 431], `${headers.join(' | ').slice(0, 80)}: ${res.split('\r\n')[0]}`).toContain(statusOf(res));
    }
    // With the token, a hostile cookie is simply not read.
    const withCookie = await rawRequest(
      kiln.port,
      upgradeRequest(`/ws?token=${kiln.token}`, [hostLine, `Origin: ${kiln.origin}`, `Cookie: ${'a=%;'.repeat(2_000)}`]),
      500,
    );
    expect(statusOf(withCookie)).toBe(101);
    await stillServes();
  });

  it('another origin is refused even with the token: Origin or Sec-Fetch-Site says where a request comes from', async () => {
    const asset = `/assets/app.js?token=${kiln.token}`;
    const get = (headers: string[]) => rawRequest(kiln.port, `GET ${asset} HTTP/1.1\r\n${[hostLine, ...headers].join('\r\n')}\r\nConnection: close\r\n\r\n`);
    expect(statusOf(await get(['Origin: http://evil.example']))).toBe(403);
    expect(statusOf(await get([`Origin: http://127.0.0.1:${kiln.port + 1}`]))).toBe(403);
    expect(statusOf(await get(['Origin: null']))).toBe(403);
    expect(statusOf(await get(['Sec-Fetch-Site: cross-site']))).toBe(403);
    // The page's own requests: its origin, or none, or same-origin / user-typed.
    expect(statusOf(await get([`Origin: ${kiln.origin}`, 'Sec-Fetch-Site: same-origin']))).toBe(200);
    expect(statusOf(await get(['Sec-Fetch-Site: none']))).toBe(200);
    expect(statusOf(await get([]))).toBe(200);
    await stillServes();
  });

  it('a client that goes away mid-file leaves no file open behind it', async () => {
    const open = () => fs.readdirSync(`/proc/${kiln.proc.pid}/fd`).length;
    const abort = () =>
      new Promise<void>((resolve) => {
        const s = net.connect(kiln.port, '127.0.0.1', () => s.write(`GET /assets/big.bin?token=${kiln.token} HTTP/1.1\r\n${hostLine}\r\n\r\n`));
        s.once('data', () => {
          s.destroy();
          resolve();
        });
        s.on('error', () => resolve());
      });
    await abort();
    await new Promise((r) => setTimeout(r, 300));
    const before = open();
    for (let i = 0; i < 20; i++) await abort();
    await new Promise((r) => setTimeout(r, 500));
    expect(open() - before).toBeLessThan(5);
    await stillServes();
  });

  it('survives bad frames from an authenticated client', async () => {
    const frames = [
      Buffer.from([0x81, 0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f]), // unmasked client frame
      clientFrame('x', 0x3), // reserved opcode
      clientFrame(Buffer.from([0xff, 0xfe, 0xfd])), // text that is not UTF-8
      clientFrame('{"type":"invoke","id":1,"channel":"app:info","payload":{}}', 0x1, false), // a fragment, then a new message
      clientFrame('{"type":"invoke","id":1e400,"channel":{},"payload":[]}'),
      clientFrame('null'),
      clientFrame('[1,2'),
      Buffer.from([0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), // a 2^64-1 length
    ];
    for (const f of frames) {
      const s = await rawWebSocket(kiln);
      const closed = new Promise<void>((r) => s.once('close', () => r()));
      s.on('error', () => {});
      s.write(Buffer.concat([f, f[0] === 0x81 && f.length > 2 && (f[1]! & 0x80) === 0 ? Buffer.alloc(0) : clientFrame('y', 0x1)]));
      await Promise.race([closed, new Promise((r) => setTimeout(r, 2_000))]);
      s.destroy();
    }
    await stillServes();
  }, 30_000);

  it("serves the page's scripts and styles even when another local app left a malformed cookie", async () => {
    const page = await fetch(kiln.url);
    const html = await page.text();
    const assets = [...html.matchAll(/\s(?:src|href)="([^"]+)"/g)].map((m) => new URL(m[1]!, kiln.url));
    expect(assets.length).toBe(2);
    // What a browser sends for these: every cookie of 127.0.0.1, ours (if any) and another app's.
    const ours = page.headers.get('set-cookie')?.split(';')[0];
    const cookie = [ours, 'x=%', 'other=%E0%A4%A'].filter(Boolean).join('; ');
    for (const a of assets) {
      const res = await fetch(a, { headers: { cookie } });
      expect(res.status, a.pathname).toBe(200);
      expect(await res.text()).toMatch(/loaded|color/);
    }
    await stillServes();
  });

  it('gives no other local server the token: no cookie is set, and asset URLs carry no token', async () => {
    const page = await fetch(kiln.url);
    expect(page.headers.get('set-cookie')).toBeNull();
    const html = await page.text();
    expect(html).not.toContain(kiln.token);
    // A second server on 127.0.0.1 sees what a browser would send it: nothing from Kiln.
    const seen: string[] = [];
    const other = http.createServer((req, res) => {
      seen.push(JSON.stringify(req.headers));
      res.end('ok');
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', () => r()));
    try {
      const cookie = page.headers.get('set-cookie')?.split(';')[0];
      await fetch(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`, { headers: cookie ? { cookie } : {} });
      expect(seen.join('\n')).not.toContain(kiln.token);
    } finally {
      other.close();
    }
  });
});
