import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { openHistory } from '../../../electron/backend/history/store.ts';
import type { HistoryStoreFull, PredictionRecord } from '../../../electron/backend/history/types.ts';
import { createVault } from '../../../electron/backend/vault/vault.ts';
import { createPublisher } from '../../../electron/backend/events/publisher.ts';
import { systemClock } from '../../../electron/backend/types.ts';
import { recordingLog, tempDir, removeTempDirs } from '../../unit/history-helpers.ts';

afterAll(removeTempDirs);

// Hostile and failing output hosts on 127.0.0.1 (issue 10, items 4, 6, 8, 10): a redirect to a
// forbidden host, outputs over their size cap (declared, and an endless stream), executable
// files, outputs that can only fail again, and a disk that fills up halfway through a save.

const MB = 1024 * 1024;
let provider: http.Server; // the configured provider origin: downloads from it are allowed
let forbidden: http.Server; // stands in for 169.254.169.254: must never be contacted
let origin = '';
let forbiddenOrigin = '';
const hits = new Map<string, number>();
let forbiddenHits = 0;
let pngBytes: Buffer;
let bigPng: Buffer;

beforeAll(async () => {
  pngBytes = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#3366cc' } })
    .png()
    .toBuffer();
  bigPng = await sharp(Buffer.from(Array.from({ length: 300 * 300 * 3 }, (_, i) => (i * 2654435761) >>> 24)), { raw: { width: 300, height: 300, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
  forbidden = http.createServer((_req, res) => {
    forbiddenHits++;
    res.writeHead(200, { 'content-type': 'image/png' });
    res.end(pngBytes);
  });
  await new Promise<void>((r) => forbidden.listen(0, '127.0.0.1', r));
  forbiddenOrigin = `http://127.0.0.1:${(forbidden.address() as AddressInfo).port}`;
  provider = http.createServer((req, res) => {
    const url = req.url ?? '';
    hits.set(url, (hits.get(url) ?? 0) + 1);
    const send = (status: number, type: string, body: Buffer | string, extra: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': type, 'content-length': String(Buffer.byteLength(body)), ...extra });
      res.end(body);
    };
    if (url === '/img.png') return send(200, 'image/png', pngBytes);
    if (url === '/big.png') return send(200, 'image/png', bigPng);
    if (url === '/to-metadata.png') return send(302, 'text/plain', '', { location: `${forbiddenOrigin}/latest/meta-data/iam` });
    if (url === '/to-name.png') return send(302, 'text/plain', '', { location: 'https://meta.evil.test/latest/meta-data/iam' });
    if (url === '/hop-1.png') return send(301, 'text/plain', '', { location: '/hop-2.png' });
    if (url === '/hop-2.png') return send(307, 'text/plain', '', { location: `${origin}/img.png` });
    if (url.startsWith('/loop')) return send(302, 'text/plain', '', { location: `/loop${Number(url.slice(5) || 0) + 1}.png` });
    if (url === '/declared-huge.png') {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(3 * MB) });
      res.end(); // never sends it: the header alone must be enough to refuse
      return;
    }
    if (url === '/endless.png') {
      // No Content-Length, then more bytes than any cap allows (bounded here so today's code ends).
      res.writeHead(200, { 'content-type': 'image/png' });
      let sent = 0;
      const chunk = Buffer.concat([pngBytes, Buffer.alloc(64 * 1024 - pngBytes.length)]);
      const pump = () => {
        while (sent < 6 * MB) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => (sent = Infinity));
      pump();
      return;
    }
    if (url === '/tool.exe') return send(200, 'application/octet-stream', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(510, 0x90)]));
    if (url === '/run.sh') return send(200, 'application/x-sh', '#!/bin/sh\necho pwned\n');
    if (url === '/login.png') return send(200, 'image/png', '<!doctype html><html><body>Log in</body></html>');
    if (url === '/always-503.png') return send(503, 'text/plain', 'busy');
    send(404, 'text/plain', 'no');
  });
  await new Promise<void>((r) => provider.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => provider.close(() => r()));
  await new Promise<void>((r) => forbidden.close(() => r()));
});

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

function setup(extra: Partial<Parameters<typeof createVault>[0]> = {}, dir = tempDir('kiln-vfault-')) {
  const log = recordingLog();
  const history = openHistory({ dataDir: dir, log, clock: systemClock });
  const publisher = createPublisher({ clock: systemClock, view: (id) => history.view(id), emit: () => {}, intervalMs: 5 });
  const vault = createVault({
    dataDir: dir,
    fetch,
    clock: systemClock,
    log,
    history,
    publisher,
    replicateBaseUrl: `${origin}/v1`,
    retry: { attempts: 2, baseMs: 5 },
    retryLaterMs: 60_000,
    ...extra,
  });
  cleanup.push(
    () => history.close(),
    () => publisher.flushNow(),
    () => vault.close(),
  );
  return { dir, log, history, vault };
}

function succeeded(history: HistoryStoreFull, id: string, output: unknown): PredictionRecord {
  history.insertIntent({ id, provider: 'replicate', model: 'owner/model', version: 'v1', target: 'model', input: { prompt: `prompt ${id}` } });
  return history.update(id, { status: 'succeeded', providerId: `prov-${id}`, output });
}
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('redirects are checked before they are followed', () => {
  it('a redirect to a disallowed host is refused without contacting it', async () => {
    const { history, vault } = setup();
    forbiddenHits = 0;
    await vault.saveOutputs(succeeded(history, 'r1', [`${origin}/to-metadata.png`]));
    expect(forbiddenHits).toBe(0);
    const [o] = history.getOutputs('r1');
    expect(o).toMatchObject({ state: 'failed', failure: 'gave-up' });
    expect(o!.error).toMatch(/disallowed origin/);
  });

  it('allowed hops are followed (relative and absolute Location), a loop is cut off', async () => {
    const { history, vault } = setup();
    await vault.saveOutputs(succeeded(history, 'r2', [`${origin}/hop-1.png`]));
    expect(history.getOutputs('r2')[0]).toMatchObject({ state: 'saved', kind: 'image' });
    await vault.saveOutputs(succeeded(history, 'r3', [`${origin}/loop0.png`]));
    expect(history.getOutputs('r3')[0]!.error).toMatch(/too many redirects/);
    expect(hits.get('/loop7.png')).toBeUndefined();
  });
});

describe('a host name is judged by where it leads', () => {
  // The names are not real: the resolver is the test's, and a fetch that reaches a name at all is
  // recorded (and sent to the provider origin's picture, standing in for a public CDN).
  const names: Record<string, string[]> = {
    'cdn.evil.test': ['93.184.216.34', '10.0.0.5'],
    'meta.evil.test': ['169.254.169.254'],
    'v6.evil.test': ['::1'],
    'cdn.good.test': ['93.184.216.34', '2606:2800:220:1::1'],
  };
  const resolveHost = async (h: string) => {
    if (!names[h]) throw new Error(`getaddrinfo ENOTFOUND ${h}`);
    return names[h];
  };
  const contacted: string[] = [];
  const viaNames: typeof fetch = (input, init) => {
    const u = new URL(String(input));
    if (u.protocol === 'https:') {
      contacted.push(u.hostname);
      return fetch(`${origin}${u.pathname}`, init);
    }
    return fetch(input, init);
  };

  it('a name that resolves to a private address (any of its addresses) is refused without contacting it', async () => {
    const { history, vault } = setup({ fetch: viaNames, resolveHost });
    contacted.length = 0;
    await vault.saveOutputs(succeeded(history, 'n1', ['https://cdn.evil.test/img.png', 'https://v6.evil.test/img.png']));
    const outs = history.getOutputs('n1');
    expect(outs.map((o) => [o.state, o.failure])).toEqual([
      ['failed', 'gave-up'],
      ['failed', 'gave-up'],
    ]);
    expect(outs[0]!.error).toMatch(/cdn\.evil\.test: it resolves to a local or private address \(10\.0\.0\.5\)/);
    expect(outs[1]!.error).toMatch(/\(::1\)/);
    expect(contacted).toEqual([]);
  });

  it('so is a redirect hop to one; a public name is fetched; a name that does not resolve is tried again later', async () => {
    const { history, vault } = setup({ fetch: viaNames, resolveHost });
    contacted.length = 0;
    await vault.saveOutputs(succeeded(history, 'n2', ['https://cdn.good.test/to-name.png', 'https://cdn.good.test/img.png', 'https://nowhere.test/img.png']));
    const [hop, good, unresolved] = history.getOutputs('n2');
    expect(hop!.error).toMatch(/meta\.evil\.test: it resolves to a local or private address \(169\.254\.169\.254\)/);
    expect(good).toMatchObject({ state: 'saved', kind: 'image' });
    expect(unresolved!.error).toMatch(/could not resolve https:\/\/nowhere\.test: getaddrinfo ENOTFOUND/);
    expect(unresolved!.failure).not.toBe('gave-up');
    expect(contacted.sort()).toEqual(['cdn.good.test', 'cdn.good.test']);
  });
});

describe('size caps per kind', () => {
  it('a declared Content-Length over the cap is refused before any byte is written, naming the limit', async () => {
    const { history, vault } = setup({ downloadLimits: () => ({ image: 1 * MB }) });
    await vault.saveOutputs(succeeded(history, 's1', [`${origin}/declared-huge.png`]));
    const [o] = history.getOutputs('s1');
    expect(o).toMatchObject({ state: 'failed', failure: 'gave-up' });
    expect(o!.error).toMatch(/larger than the 1 MB limit for images/);
    expect(history.get('s1')!.note).toMatch(/^Not saved: .*1 MB limit for images.*Re-download/);
  });

  it('an endless stream is cut at the cap while streaming; nothing is kept', async () => {
    const { history, vault, dir } = setup({ downloadLimits: () => ({ image: 1 * MB }) });
    await vault.saveOutputs(succeeded(history, 's2', [`${origin}/endless.png`]));
    const [o] = history.getOutputs('s2');
    expect(o!.state).toBe('failed');
    expect(o!.error).toMatch(/1 MB limit for images/);
    expect(fs.readdirSync(path.join(dir, '.vault-tmp', String(process.pid)))).toEqual([]);
    expect(fs.readdirSync(path.join(dir, 'media'))).toEqual([]);
  });
});

describe('executable outputs', () => {
  it('are saved under a neutral extension, whatever the URL or the bytes say', async () => {
    const { history, vault } = setup();
    await vault.saveOutputs(succeeded(history, 'x1', [`${origin}/tool.exe`, `${origin}/run.sh`]));
    const outs = history.getOutputs('x1');
    expect(outs.map((o) => o.state)).toEqual(['saved', 'saved']);
    for (const o of outs) expect(path.extname(o.path!)).toBe('.bin');
    expect(fs.readdirSync(path.dirname(vault.resolve(outs[0]!.path!)!)).filter((n) => /\.(exe|sh)$/.test(n))).toEqual([]);
  });
});

describe('permanent failures are given up on; the user retries', () => {
  it('content that is not what it claims is not fetched again by later passes, only by Re-download', async () => {
    const { history, vault } = setup({ retryLaterMs: 10 });
    hits.delete('/login.png');
    const rec = succeeded(history, 'p1', [`${origin}/login.png`]);
    await vault.saveOutputs(rec);
    await wait(100);
    await vault.saveOutputs(history.get('p1')!); // what every start of the engine does with save-failed runs
    expect(hits.get('/login.png')).toBe(1);
    expect(history.getOutputs('p1')[0]).toMatchObject({ state: 'failed', failure: 'gave-up' });
    expect(history.get('p1')).toMatchObject({ saveState: 'save-failed' });
    expect(history.get('p1')!.note).toMatch(/Not saved: expected image.*Re-download to try again/);
    await vault.redownload('p1');
    expect(hits.get('/login.png')).toBe(2);
  });

  it('a host that always fails is retried a bounded number of passes, then given up with a clear state', async () => {
    const { history, vault } = setup({ retryLaterMs: 5, retry: { attempts: 1, baseMs: 1 } });
    hits.delete('/always-503.png');
    await vault.saveOutputs(succeeded(history, 'p2', [`${origin}/always-503.png`]));
    const end = Date.now() + 10_000;
    while (history.getOutputs('p2')[0]!.failure !== 'gave-up' && Date.now() < end) await wait(20);
    const [o] = history.getOutputs('p2');
    expect(o).toMatchObject({ state: 'failed', failure: 'gave-up' });
    expect(o!.error).toMatch(/gave up after 6 tries: HTTP 503/);
    const n = hits.get('/always-503.png');
    await wait(500);
    expect(hits.get('/always-503.png')).toBe(n);
  });
});

// A real full disk where the machine lets us mount a small tmpfs (root on Linux); the injected
// /dev/full write in vault.test.ts covers the download step everywhere else.
function mountTmpfs(bytes: number): string | null {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return null;
  const dir = tempDir('kiln-tmpfs-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { stdio: 'ignore' });
    cleanup.unshift(() => void execFileSync('umount', ['-l', dir], { stdio: 'ignore' }));
    return dir;
  } catch {
    return null;
  }
}

describe('disk full', () => {
  it('a disk that fills during the save (after the download) says "Disk full — free space, Kiln will retry", and Kiln does', async (ctx) => {
    const dir = mountTmpfs(4 * MB);
    if (!dir) return ctx.skip();
    const { history, vault } = setup({ retryLaterMs: 300 }, dir);
    // Room for the download, not for the metadata-tagged copy written next to it.
    const free = () => Number(fs.statfsSync(dir).bavail) * Number(fs.statfsSync(dir).bsize);
    const filler = path.join(dir, 'filler');
    fs.writeFileSync(filler, Buffer.alloc(Math.max(0, free() - Math.floor(bigPng.length * 1.5))));
    await vault.saveOutputs(succeeded(history, 'd1', [`${origin}/big.png`]));
    const [o] = history.getOutputs('d1');
    expect(o).toMatchObject({ state: 'failed', failure: 'disk-full', error: 'Disk full — free space, Kiln will retry' });
    expect(history.get('d1')!.note).toBe('Disk full — free space, Kiln will retry');
    fs.rmSync(filler);
    const end = Date.now() + 10_000;
    while (history.get('d1')!.saveState !== 'saved' && Date.now() < end) await wait(50);
    expect(history.get('d1')).toMatchObject({ saveState: 'saved', note: null });
  });

  it('a disk too full for even the history write: not "failed unexpectedly", and retried once there is room', async (ctx) => {
    const dir = mountTmpfs(4 * MB);
    if (!dir) return ctx.skip();
    const { history, vault, log } = setup({ retryLaterMs: 300 }, dir);
    const rec = succeeded(history, 'd2', [`${origin}/img.png`]);
    const filler = path.join(dir, 'filler');
    fs.writeFileSync(filler, Buffer.alloc(Number(fs.statfsSync(dir).bavail) * Number(fs.statfsSync(dir).bsize)));
    await vault.saveOutputs(rec);
    expect(log.lines.filter((l) => /unexpectedly/.test(l.msg))).toEqual([]);
    expect(log.lines.some((l) => l.msg.includes('Disk full — free space, Kiln will retry'))).toBe(true);
    fs.rmSync(filler);
    const end = Date.now() + 10_000;
    while (history.get('d2')!.saveState !== 'saved' && Date.now() < end) await wait(50);
    expect(history.get('d2')!.saveState).toBe('saved');
  });
});
