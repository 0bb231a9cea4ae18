import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo, Socket } from 'node:net';
import { DownloadError, downloadToFile } from '../../../electron/backend/vault/download.ts';
import { tempDir, removeTempDirs } from '../../unit/history-helpers.ts';

afterAll(removeTempDirs);

/**
 * Downloads from a file host that announces 100,000 bytes and then sends what `send` writes, with a
 * 300 ms idle timeout: the error it ends with, how long it took, and whether a file was left.
 */
async function downloadFrom(send: (res: http.ServerResponse, timers: ReturnType<typeof setInterval>[]) => void) {
  const sockets = new Set<Socket>();
  const timers: ReturnType<typeof setInterval>[] = [];
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'image/png', 'content-length': '100000' });
    send(res, timers);
  });
  server.on('connection', (s) => sockets.add(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dest = path.join(tempDir(), 'out.png.part');
  try {
    const started = Date.now();
    const err = await downloadToFile({
      fetch,
      url: `${base}/x.png`,
      dest,
      trust: { bases: [`${base}/v1`], key: { bases: [`${base}/v1`] } },
      idleTimeoutMs: 300,
    }).catch((e) => e);
    return { err, ms: Date.now() - started, left: fs.existsSync(dest) };
  } finally {
    for (const t of timers) clearInterval(t);
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  }
}

describe('a stalled download', () => {
  it('a host that drips a few bytes at a time is given up on too: only real progress keeps a download', async () => {
    const { err, ms, left } = await downloadFrom((res, timers) => timers.push(setInterval(() => res.write(Buffer.alloc(10)), 50)));
    expect(err).toBeInstanceOf(DownloadError);
    expect((err as DownloadError).message).toMatch(/stalled/);
    expect(ms).toBeLessThan(5_000);
    expect(left).toBe(false);
  }, 60_000);

  // A file host that sends the headers and a first chunk, then goes silent without closing.
  it('is given up on after the idle timeout, as a transient failure, leaving no file behind', async () => {
    const { err, left } = await downloadFrom((res) => res.write(Buffer.alloc(1000)));
    expect(err).toBeInstanceOf(DownloadError);
    expect((err as DownloadError).failure).toBe('transient');
    expect((err as DownloadError).message).toMatch(/stalled: less than 64 KB in/);
    expect(left).toBe(false);
  });
});
