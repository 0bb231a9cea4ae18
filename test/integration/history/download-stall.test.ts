import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { DownloadError, downloadToFile } from '../../../electron/backend/vault/download.ts';
import { tempDir, removeTempDirs } from '../../unit/history-helpers.ts';

afterAll(removeTempDirs);

// A file host that sends the headers and a first chunk, then goes silent without closing.
describe('a stalled download', () => {
  it('a host that drips a few bytes at a time is given up on too: only real progress keeps a download', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const timers: ReturnType<typeof setInterval>[] = [];
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': '100000' });
      timers.push(setInterval(() => res.write(Buffer.alloc(10)), 50));
    });
    server.on('connection', (s) => sockets.add(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const dest = path.join(tempDir(), 'drip.png.part');
    try {
      const started = Date.now();
      const err = await downloadToFile({
        fetch,
        url: `${base}/x.png`,
        dest,
        trust: { bases: [`${base}/v1`], key: { bases: [`${base}/v1`] } },
        idleTimeoutMs: 300,
      }).catch((e) => e);
      expect(err).toBeInstanceOf(DownloadError);
      expect((err as DownloadError).message).toMatch(/stalled/);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(fs.existsSync(dest)).toBe(false);
    } finally {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    }
  }, 60_000);

  it('is given up on after the idle timeout, as a transient failure, leaving no file behind', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': '100000' });
      res.write(Buffer.alloc(1000));
    });
    server.on('connection', (s) => sockets.add(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const dest = path.join(tempDir(), 'out.png.part');
    try {
      const err = await downloadToFile({
        fetch,
        url: `${base}/x.png`,
        dest,
        trust: { bases: [`${base}/v1`], key: { bases: [`${base}/v1`] } },
        idleTimeoutMs: 300,
      }).catch((e) => e);
      expect(err).toBeInstanceOf(DownloadError);
      expect((err as DownloadError).failure).toBe('transient');
      expect((err as DownloadError).message).toMatch(/stalled: less than 64 KB in/);
      expect(fs.existsSync(dest)).toBe(false);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    }
  });
});
