import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { openHistory } from '../../../electron/backend/history/store.ts';
import type { HistoryStoreFull, PredictionRecord } from '../../../electron/backend/history/types.ts';
import { createVault } from '../../../electron/backend/vault/vault.ts';
import { createPublisher } from '../../../electron/backend/events/publisher.ts';
import { systemClock } from '../../../electron/backend/types.ts';
import { readTextChunks } from '../../../electron/backend/vault/png-text.ts';
import { handleMediaRequest } from '../../../electron/backend/vault/media-handler.ts';
import { dirFor } from '../../../electron/backend/vault/finalize.ts';
import { readMp4Tags } from '../../../electron/backend/vault/mp4-meta.ts';
import { videoFixture } from '../../replicate-sim/outputs.ts';
import { recordingLog, tempDir, removeTempDirs } from '../../unit/history-helpers.ts';

afterAll(removeTempDirs);

// Real files, real HTTP on 127.0.0.1 (a tiny fault server: the simulator cannot serve HTML-as-PNG
// or a lying Content-Length), real SQLite.

let server: http.Server;
let origin = '';
let pngBytes: Buffer;
let bombGif: Buffer;
const svg =
  '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="#c81e1e"/></svg>';
const hits = new Map<string, number>();
let active = 0;
let maxActive = 0;

beforeAll(async () => {
  pngBytes = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#3366cc' } })
    .png()
    .toBuffer();
  const webp = await sharp({ create: { width: 100, height: 50, channels: 3, background: '#cc3366' } })
    .webp()
    .toBuffer();
  bombGif = await sharp({ create: { width: 6000, height: 6000, channels: 3, background: '#c81e1e' }, limitInputPixels: false })
    .gif()
    .toBuffer(); // ~25 KB that decodes whole to 36 MP (thumbnail-bombs.test.ts)
  const mp4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.from([0, 0, 2, 0]), Buffer.from('isomiso2'), Buffer.alloc(4096, 7)]);
  server = http.createServer((req, res) => {
    const url = req.url ?? '';
    hits.set(url, (hits.get(url) ?? 0) + 1);
    const send = (status: number, type: string, body: Buffer | string, extra: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': type, 'content-length': String(Buffer.byteLength(body)), ...extra });
      res.end(body);
    };
    if (url === '/img.png') return send(200, 'image/png', pngBytes);
    if (url === '/pic.webp') return send(200, 'image/webp', webp);
    if (url === '/bomb.gif') return send(200, 'image/gif', bombGif);
    if (url === '/clip.mp4') return send(200, 'video/mp4', mp4);
    if (url === '/real.mp4') return send(200, 'video/mp4', videoFixture());
    if (url === '/html.png') return send(200, 'image/png', '<!doctype html><html><body>Login required</body></html>');
    if (url === '/recraft/output.svg') return send(200, 'image/svg+xml', svg);
    if (url === '/fal/vector') return send(200, 'application/octet-stream', svg);
    if (url === '/fake.svg') return send(200, 'image/svg+xml', '<!doctype html><html><body>Login required</body></html>');
    if (url === '/broken.svg') return send(200, 'image/svg+xml', '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect></svg>');
    if (url === '/refs.svg')
      // A white square that names a picture on the web, a file of the system and one beside it in the vault.
      return send(
        200,
        'image/svg+xml',
        `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="64" height="64"><rect width="64" height="64" fill="#fff"/>` +
          `<image href="${origin}/tracker.png" width="64" height="64"/><image xlink:href="${origin}/tracker.png?x" width="64" height="64"/>` +
          `<image href="file:///etc/passwd" width="64" height="64"/><image href="sibling.png" width="64" height="64"/></svg>`,
      );
    if (url === '/uploads/cat.jpg' || url === '/tracker.png' || url.startsWith('/tracker.png?')) return send(200, 'image/png', pngBytes);
    if (url === '/files/x/pytorch_lora_weights.safetensors') return send(200, 'application/octet-stream', Buffer.from('\x13\0\0\0\0\0\0\0{"__metadata__":{}}'));
    if (url === '/files/x/mesh') return send(200, 'application/octet-stream', 'v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n'); // OBJ: text, no magic bytes
    if (url === '/files/x/prog') return send(200, 'application/octet-stream', 'echo hi');
    if (url === '/gone.png') return send(404, 'text/plain', 'not found');
    if (url === '/flaky.png') return hits.get(url)! <= 2 ? send(503, 'text/plain', 'busy') : send(200, 'image/png', pngBytes);
    if (url.startsWith('/slow/')) {
      active++;
      maxActive = Math.max(maxActive, active);
      setTimeout(() => {
        active--;
        send(200, 'image/png', pngBytes);
      }, 60);
      return;
    }
    if (url === '/short.png') {
      // Promises more bytes than it sends, then closes: a truncated transfer.
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(pngBytes.length + 1000) });
      res.write(pngBytes);
      setTimeout(() => res.destroy(), 20);
      return;
    }
    send(404, 'text/plain', 'no');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

function setup(extra: Partial<Parameters<typeof createVault>[0]> = {}) {
  const dir = tempDir('kiln-vault-');
  const log = recordingLog();
  const history = openHistory({ dataDir: dir, log, clock: systemClock });
  const changed: string[] = [];
  const publisher = createPublisher({ clock: systemClock, view: (id) => history.view(id), emit: () => {}, intervalMs: 5 });
  const origChanged = publisher.changed;
  publisher.changed = (id: string) => {
    changed.push(id);
    origChanged(id);
  };
  const vault = createVault({
    dataDir: dir,
    fetch,
    clock: systemClock,
    log,
    history,
    publisher,
    replicateBaseUrl: `${origin}/v1`,
    retry: { attempts: 3, baseMs: 5 },
    retryLaterMs: 60_000,
    undoWindowMs: 200,
    ...extra,
  });
  cleanup.push(
    () => history.close(),
    () => publisher.flushNow(),
    () => vault.close(),
  );
  return { dir, log, history, vault, changed };
}

function succeeded(
  history: HistoryStoreFull,
  id: string,
  output: unknown,
  extra: Partial<PredictionRecord> = {},
  input: Record<string, unknown> = {},
): PredictionRecord {
  history.insertIntent({
    id,
    provider: 'replicate',
    model: 'owner/model',
    version: 'v1',
    target: 'model',
    input: { prompt: `prompt ${id}`, seed: 7, ...input },
  });
  return history.update(id, { status: 'succeeded', providerId: `prov-${id}`, output, ...extra });
}

const tmpFiles = (dir: string) => fs.readdirSync(path.join(dir, '.vault-tmp', String(process.pid)));

describe('vault: saving outputs', () => {
  it('saves a PNG with text chunks, a thumbnail, sha256 and dimensions, then marks the prediction saved', async () => {
    const { history, vault, changed, dir } = setup();
    const rec = succeeded(history, 'a1', [`${origin}/img.png`]);
    await vault.saveOutputs(rec);
    const [o] = history.getOutputs('a1');
    expect(o).toMatchObject({ state: 'saved', kind: 'image', mime: 'image/png', width: 640, height: 480 });
    expect(o!.path).toMatch(/^\d{4}\/\d{2}\/a1\/out-0\.png$/);
    const abs = vault.resolve(o!.path!)!;
    const chunks = readTextChunks(fs.readFileSync(abs));
    expect(chunks).toMatchObject({ provider: 'replicate', model: 'owner/model', version: 'v1', prediction_id: 'prov-a1', kiln_id: 'a1', seed: '7' });
    expect(JSON.parse(chunks.input!)).toEqual({ prompt: 'prompt a1', seed: 7 });
    expect(o!.size).toBe(fs.statSync(abs).size);
    const { createHash } = await import('node:crypto');
    expect(o!.sha256).toBe(createHash('sha256').update(fs.readFileSync(abs)).digest('hex'));
    const thumb = await sharp(vault.resolve(o!.thumbPath!)!).metadata();
    expect(thumb.format).toBe('webp');
    expect(Math.max(thumb.width!, thumb.height!)).toBeLessThanOrEqual(512);
    expect(fs.existsSync(`${abs}.json`)).toBe(false); // PNG carries its own metadata
    expect(history.get('a1')!.saveState).toBe('saved');
    expect(changed.filter((c) => c === 'a1').length).toBeGreaterThan(1);
    expect(tmpFiles(dir)).toEqual([]);
    // and the media handler serves it
    expect((await handleMediaRequest(vault.root, o!.path!)).status).toBe(200);
  });

  it('saves a picture too large to decode whole, with its size and no thumbnail, and says why', async () => {
    const { history, vault, log } = setup();
    await vault.saveOutputs(succeeded(history, 'g1', [`${origin}/bomb.gif`]));
    const [o] = history.getOutputs('g1');
    expect(o).toMatchObject({ state: 'saved', kind: 'image', thumbPath: null, width: 6000, height: 6000, size: bombGif.length });
    expect(history.get('g1')!.saveState).toBe('saved');
    expect(log.lines.find((l) => l.msg.startsWith('no thumbnail'))?.fields?.why).toMatch(/6000×6000 gif/);
  });

  it('non-PNG files get a sidecar JSON; text output is stored as a .txt file', async () => {
    const { history, vault } = setup();
    await vault.saveOutputs(succeeded(history, 'b1', [`${origin}/pic.webp`, `${origin}/clip.mp4`]));
    const outs = history.getOutputs('b1');
    expect(outs.map((o) => [o.kind, o.state])).toEqual([
      ['image', 'saved'],
      ['video', 'saved'],
    ]);
    const side = JSON.parse(fs.readFileSync(`${vault.resolve(outs[1]!.path!)}.json`, 'utf8'));
    expect(side).toMatchObject({ model: 'owner/model', prediction_id: 'prov-b1', seed: '7', input: { prompt: 'prompt b1', seed: 7 } });
    expect(outs[1]!.thumbPath).toBeNull(); // no poster frames (no ffmpeg)
    await vault.saveOutputs(succeeded(history, 't1', ['The ', 'answer']));
    const [t] = history.getOutputs('t1');
    expect(t).toMatchObject({ kind: 'text', state: 'saved' });
    expect(fs.readFileSync(vault.resolve(t!.path!)!, 'utf8')).toBe('The answer');
  });

  it("a real MP4 gets Kiln's metadata in moov/udta/meta (remuxed, no sidecar), 0600, hash of the final bytes", async () => {
    const { history, vault, dir } = setup();
    await vault.saveOutputs(succeeded(history, 'v1', [`${origin}/real.mp4`]));
    const [o] = history.getOutputs('v1');
    expect(o).toMatchObject({ state: 'saved', kind: 'video', mime: 'video/mp4' });
    const abs = vault.resolve(o!.path!)!;
    const tags = await readMp4Tags(abs);
    expect(tags.title).toBe('prompt v1');
    expect(JSON.parse(tags.comment!)).toMatchObject({ provider: 'replicate', model: 'owner/model', prediction_id: 'prov-v1', kiln_id: 'v1', seed: '7' });
    expect(fs.existsSync(`${abs}.json`)).toBe(false);
    expect(fs.statSync(abs).mode & 0o777).toBe(0o600);
    expect(o!.size).toBe(fs.statSync(abs).size);
    const { createHash } = await import('node:crypto');
    expect(o!.sha256).toBe(createHash('sha256').update(fs.readFileSync(abs)).digest('hex'));
    expect(tmpFiles(dir)).toEqual([]);
  });

  it('rejects an HTML page served as an image: failed, save-failed, nothing left behind', async () => {
    const { history, vault, dir } = setup();
    await vault.saveOutputs(succeeded(history, 'h1', [`${origin}/html.png`]));
    const [o] = history.getOutputs('h1');
    expect(o!.state).toBe('failed');
    expect(o!.error).toMatch(/HTML/);
    expect(o!.path).toBeNull();
    expect(history.get('h1')!.saveState).toBe('save-failed');
    expect(tmpFiles(dir)).toEqual([]);
  });

  it('a truncated transfer (Content-Length larger than the body) is never saved', async () => {
    const { history, vault, dir } = setup();
    await vault.saveOutputs(succeeded(history, 's1', [`${origin}/short.png`]));
    const [o] = history.getOutputs('s1');
    expect(o!.state).toBe('failed');
    expect(history.get('s1')!.saveState).toBe('save-failed');
    expect(tmpFiles(dir)).toEqual([]);
    expect(fs.existsSync(path.join(vault.root, '1970'))).toBe(false);
  });

  it('retries 5xx with back-off and then succeeds', async () => {
    const { history, vault } = setup();
    hits.delete('/flaky.png');
    await vault.saveOutputs(succeeded(history, 'f1', [`${origin}/flaky.png`]));
    expect(hits.get('/flaky.png')).toBe(3);
    expect(history.get('f1')!.saveState).toBe('saved');
  });

  it('404 means the provider already removed it: expired, and dataRemoved skips the fetch', async () => {
    const { history, vault } = setup();
    await vault.saveOutputs(succeeded(history, 'g1', [`${origin}/gone.png`]));
    expect(history.getOutputs('g1')[0]!.state).toBe('expired');
    expect(history.get('g1')!.saveState).toBe('expired');
    expect(history.view('g1')!.expiresAt).toBeNull();
    hits.delete('/img.png');
    await vault.saveOutputs(succeeded(history, 'g2', [`${origin}/img.png`], { dataRemoved: true }));
    expect(history.get('g2')!.saveState).toBe('expired');
    // Replicate nulls `output` once data is removed: nothing to save is expired, not saved.
    await vault.saveOutputs(succeeded(history, 'g3', null, { dataRemoved: true }));
    expect(history.get('g3')!.saveState).toBe('expired');
    expect(hits.get('/img.png')).toBeUndefined();
  });

  it('disk full: clear error, save-failed, no half file, and a retry is scheduled', async () => {
    const { history, vault, dir } = setup({ openFile: () => fs.promises.open('/dev/full', 'w'), retryLaterMs: 10 * 60_000 });
    await vault.saveOutputs(succeeded(history, 'd1', [`${origin}/img.png`]));
    const [o] = history.getOutputs('d1');
    expect(o!.state).toBe('failed');
    expect(o!.error).toMatch(/disk full/i);
    expect(history.get('d1')!.saveState).toBe('save-failed');
    expect(history.listUnsaved().map((r) => r.id)).toContain('d1');
    expect(tmpFiles(dir)).toEqual([]);
  });

  it('after disk full, the scheduled retry saves it once space is back', async () => {
    let opens = 0;
    const { history, vault } = setup({ openFile: (p) => fs.promises.open(opens++ === 0 ? '/dev/full' : p, 'w'), retryLaterMs: 50 });
    await vault.saveOutputs(succeeded(history, 'd2', [`${origin}/img.png`]));
    expect(history.get('d2')!.saveState).toBe('save-failed');
    const end = Date.now() + 5000;
    while (history.get('d2')!.saveState !== 'saved' && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(history.get('d2')!.saveState).toBe('saved');
    expect(history.getOutputs('d2')[0]!.error).toBeNull();
  });

  it('bounds parallel downloads across predictions', async () => {
    const { history, vault } = setup({ concurrency: 2 });
    maxActive = 0;
    await Promise.all([
      vault.saveOutputs(
        succeeded(
          history,
          'p1',
          [1, 2, 3].map((i) => `${origin}/slow/${i}.png`),
        ),
      ),
      vault.saveOutputs(
        succeeded(
          history,
          'p2',
          [4, 5, 6].map((i) => `${origin}/slow/${i}.png`),
        ),
      ),
    ]);
    expect(maxActive).toBe(2);
    expect(history.get('p1')!.saveState).toBe('saved');
    expect(history.get('p2')!.saveState).toBe('saved');
  });

  it('a pass that waits its turn reads the row then: a run deleted meanwhile is skipped, not saved from the stale record', async () => {
    // One download slot, so two passes run and the third waits in the queue (docs/DECISIONS.md,
    // "Memory when 1,000 finish": the queue holds ids, not records).
    const { history, vault, log } = setup({ concurrency: 1 });
    hits.delete('/slow/deleted.png');
    const first = vault.saveOutputs(succeeded(history, 'q1', [`${origin}/slow/q1.png`]));
    const second = vault.saveOutputs(succeeded(history, 'q2', [`${origin}/slow/q2.png`]));
    const waiting = vault.saveOutputs(succeeded(history, 'q3', [`${origin}/slow/deleted.png`]));
    history.removeMany(['q3'], { skipFavourites: false });
    await Promise.all([first, second, waiting]);
    expect(hits.get('/slow/deleted.png')).toBeUndefined();
    expect(log.lines.filter((l) => l.level === 'error' || l.level === 'warn')).toEqual([]);
    expect(history.get('q1')!.saveState).toBe('saved');
    expect(history.get('q2')!.saveState).toBe('saved');
  });

  it('refuses a plain-http URL from another origin', async () => {
    const { history, vault } = setup();
    await vault.saveOutputs(succeeded(history, 'r1', ['http://127.0.0.1:9/evil.png']));
    expect(history.getOutputs('r1')[0]).toMatchObject({ state: 'failed' });
    expect(history.getOutputs('r1')[0]!.error).toMatch(/refusing/);
  });

  it('is idempotent and resumable: a second call does not download again; concurrent calls share one pass', async () => {
    const { history, vault } = setup();
    hits.delete('/pic.webp');
    const rec = succeeded(history, 'i1', [`${origin}/pic.webp`]);
    await Promise.all([vault.saveOutputs(rec), vault.saveOutputs(rec)]);
    await vault.saveOutputs(rec);
    expect(hits.get('/pic.webp')).toBe(1);
    // A crash mid-save leaves the output `saving`: the next pass redoes it.
    history.updateOutput('i1', 0, { state: 'saving' });
    history.update('i1', { saveState: 'saving' });
    await vault.saveOutputs(history.get('i1')!);
    expect(hits.get('/pic.webp')).toBe(2);
    expect(history.get('i1')!.saveState).toBe('saved');
  });

  it('a file deleted outside the app becomes missing and redownload brings it back', async () => {
    const { history, vault } = setup();
    await vault.saveOutputs(succeeded(history, 'm1', [`${origin}/img.png`]));
    const p = history.getOutputs('m1')[0]!.path!;
    fs.rmSync(vault.resolve(p)!);
    expect(vault.checkFiles('m1')).toBe(1);
    expect(history.view('m1')!.outputs[0]!.state).toBe('missing');
    await vault.redownload('m1');
    expect(history.getOutputs('m1')[0]!.state).toBe('saved');
    expect(fs.existsSync(vault.resolve(p)!)).toBe(true);
  });
});

describe('vault: what an answer holds', () => {
  const raster = async (file: string) => sharp(file).raw().toBuffer({ resolveWithObject: true });

  it("saves an SVG (recraft-v3-svg's .svg URL, fal's stated image/svg+xml, a data URI) as a picture with a thumbnail, served sandboxed", async () => {
    const { history, vault } = setup();
    await vault.saveOutputs(succeeded(history, 'sv1', `${origin}/recraft/output.svg`));
    const [o] = history.getOutputs('sv1');
    expect(o).toMatchObject({ state: 'saved', kind: 'image', mime: 'image/svg+xml', width: 40, height: 20 });
    expect(o!.path).toMatch(/\/out-0\.svg$/);
    expect(fs.readFileSync(vault.resolve(o!.path!)!, 'utf8')).toBe(svg);
    expect(history.get('sv1')!.saveState).toBe('saved');
    const thumb = await raster(vault.resolve(o!.thumbPath!)!);
    expect([thumb.info.width, thumb.info.height]).toEqual([40, 20]);
    const [r, g, b] = thumb.data;
    expect(r! > 180 && g! < 60 && b! < 60).toBe(true); // the SVG's red, drawn (WebP is lossy)
    // Opened directly it is a document that may hold scripts: served as data, in a sandbox.
    const served = await handleMediaRequest(vault.root, o!.path!);
    expect(served.status).toBe(200);
    expect(served.headers['Content-Type']).toBe('image/svg+xml');
    expect(served.headers['Content-Security-Policy']).toMatch(/^sandbox;.*default-src 'none'/);
    expect(served.headers['X-Content-Type-Options']).toBe('nosniff');

    await vault.saveOutputs(succeeded(history, 'sv2', { images: [{ url: `${origin}/fal/vector`, content_type: 'image/svg+xml', file_name: 'vector' }] }));
    expect(history.getOutputs('sv2').map((x) => [x.kind, x.state, x.mime, x.path?.split('/').pop()])).toEqual([
      ['json', 'saved', 'application/json', 'out-0.json'],
      ['image', 'saved', 'image/svg+xml', 'out-1.svg'],
    ]);
    await vault.saveOutputs(succeeded(history, 'sv3', `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`));
    expect(history.getOutputs('sv3')[0]).toMatchObject({ state: 'saved', kind: 'image', mime: 'image/svg+xml', width: 40 });
  });

  it('refuses an HTML page served as an SVG', async () => {
    const { history, vault } = setup();
    await vault.saveOutputs(succeeded(history, 'sv4', `${origin}/fake.svg`));
    const [o] = history.getOutputs('sv4');
    expect(o).toMatchObject({ state: 'failed', path: null });
    expect(o!.error).toMatch(/HTML/);
  });

  it('an SVG that names other files: the thumbnail fetches nothing and reads nothing, not even beside it', async () => {
    const { history, vault } = setup();
    hits.delete('/tracker.png');
    hits.delete('/tracker.png?x');
    const rec = succeeded(history, 'sv5', `${origin}/refs.svg`);
    // A picture beside the SVG in its run's folder (librsvg would read one next to a file it loads from disk).
    fs.mkdirSync(path.join(vault.root, dirFor(rec)), { recursive: true });
    fs.writeFileSync(path.join(vault.root, dirFor(rec), 'sibling.png'), pngBytes);
    await vault.saveOutputs(rec);
    const [o] = history.getOutputs('sv5');
    expect(o).toMatchObject({ state: 'saved', kind: 'image' });
    expect(hits.get('/tracker.png')).toBeUndefined();
    expect(hits.get('/tracker.png?x')).toBeUndefined();
    const { data } = await raster(vault.resolve(o!.thumbPath!)!);
    expect(data.every((b) => b >= 250)).toBe(true); // white: nothing was drawn from any of them (the PNG beside it is blue)
  });

  it('an SVG whose thumbnail cannot be made is still saved', async () => {
    const { history, vault, log } = setup();
    await vault.saveOutputs(succeeded(history, 'sv6', `${origin}/broken.svg`));
    expect(history.getOutputs('sv6')[0]).toMatchObject({ state: 'saved', kind: 'image', mime: 'image/svg+xml', thumbPath: null });
    expect(history.get('sv6')!.saveState).toBe('saved');
    expect(log.lines.some((l) => l.msg.startsWith('thumbnail failed'))).toBe(true);
  });

  it("never downloads the run's own input back as an output", async () => {
    const { history, vault } = setup();
    hits.delete('/uploads/cat.jpg');
    // andreasjansson/clip-features: the input beside its embedding.
    const clip = [{ input: `${origin}/uploads/cat.jpg`, embedding: [0.1, 0.2] }];
    await vault.saveOutputs(succeeded(history, 'e1', clip));
    // And an answer that names the input under another key.
    await vault.saveOutputs(
      succeeded(history, 'e2', { source: `${origin}/uploads/cat.jpg`, mask: `${origin}/img.png` }, {}, { image: `${origin}/uploads/cat.jpg` }),
    );
    expect(hits.get('/uploads/cat.jpg')).toBeUndefined();
    expect(history.getOutputs('e1').map((o) => [o.kind, o.state])).toEqual([['json', 'saved']]);
    expect(JSON.parse(fs.readFileSync(vault.resolve(history.getOutputs('e1')[0]!.path!)!, 'utf8'))).toEqual(clip[0]);
    expect(history.getOutputs('e2').map((o) => [o.kind, o.remoteUrl])).toEqual([
      ['json', null],
      ['image', `${origin}/img.png`],
    ]);
    expect(history.get('e2')!.saveState).toBe('saved');
  });

  it("fal's sync_mode: the data: URI is saved once, as the picture; the JSON names it", async () => {
    const { history, vault } = setup();
    const uri = `data:image/png;base64,${pngBytes.toString('base64')}`;
    await vault.saveOutputs(succeeded(history, 'd1', { images: [{ url: uri, width: 640, height: 480, content_type: 'image/png' }], seed: 3 }));
    const [json, image] = history.getOutputs('d1');
    expect(image).toMatchObject({ state: 'saved', kind: 'image', mime: 'image/png', width: 640, height: 480 });
    expect(image!.path).toMatch(/\/out-1\.png$/);
    const text = fs.readFileSync(vault.resolve(json!.path!)!, 'utf8');
    expect(text).not.toContain(pngBytes.toString('base64').slice(0, 64));
    expect(JSON.parse(text).images[0].url).toMatch(/^data:image\/png;base64,… \(saved as out-1\.png, [\d.]+ KB\)$/);
    expect(json!.size).toBeLessThan(1000);
  });

  it('keeps a model file under its own name (fal LoRA weights), the file_name beside an extension-less URL, never a program', async () => {
    const { history, vault } = setup();
    const file = (url: string, file_name: string) => ({ url: `${origin}${url}`, file_name, content_type: 'application/octet-stream' });
    await vault.saveOutputs(
      succeeded(history, 'l1', {
        diffusers_lora_file: file('/files/x/pytorch_lora_weights.safetensors', 'pytorch_lora_weights.safetensors'),
        model_mesh: file('/files/x/mesh', 'model.obj'),
        script: file('/files/x/prog', 'run.application'),
      }),
    );
    expect(history.getOutputs('l1').map((o) => [o.state, o.path?.split('/').pop()])).toEqual([
      ['saved', 'out-0.json'],
      ['saved', 'out-1.safetensors'],
      ['saved', 'out-2.obj'],
      ['saved', 'out-3.bin'],
    ]);
  });
});

describe('vault: delete with undo, staging, storage', () => {
  it('delete moves rows and files out at once; undo restores both; after the window they are gone', async () => {
    const { history, vault, dir } = setup();
    await vault.saveOutputs(succeeded(history, 'x1', [`${origin}/img.png`]));
    await vault.saveOutputs(succeeded(history, 'x2', [`${origin}/pic.webp`]));
    succeeded(history, 'fav', ['hello']);
    history.setFavourite('fav', true);
    const p1 = vault.resolve(history.getOutputs('x1')[0]!.path!)!;
    const r = vault.deletePredictions(['x1', 'x2', 'fav']);
    expect(r).toMatchObject({ deleted: 2, skippedFavourites: 1 });
    expect(history.get('x1')).toBeNull();
    expect(fs.existsSync(p1)).toBe(false);
    expect(vault.undoDelete(r.undoToken).restored).toBe(2);
    expect(history.getOutputs('x1')[0]!.state).toBe('saved');
    expect(fs.existsSync(p1)).toBe(true);
    const r2 = vault.deletePredictions(['x1']);
    await new Promise((res) => setTimeout(res, 400));
    expect(vault.undoDelete(r2.undoToken).restored).toBe(0);
    expect(fs.existsSync(p1)).toBe(false);
    expect(fs.readdirSync(path.join(dir, '.trash'))).toEqual([]);
    expect(vault.deletePredictions(['fav']).deleted).toBe(1); // a favourite named alone is deleted
  });

  it('Recently deleted outlives the process that deleted: a new vault lists, restores with files, and purges', async () => {
    const { history, vault, dir } = setup({ undoWindowMs: undefined });
    await vault.saveOutputs(succeeded(history, 'k1', [`${origin}/img.png`]));
    await vault.saveOutputs(succeeded(history, 'k2', [`${origin}/pic.webp`]));
    const p1 = vault.resolve(history.getOutputs('k1')[0]!.path!)!;
    const r = vault.deletePredictions(['k1', 'k2']);
    expect(r.deleted).toBe(2);
    await vault.close();
    // A later process on the same data folder.
    const publisher = createPublisher({ clock: systemClock, view: (id) => history.view(id), emit: () => {}, intervalMs: 5 });
    const again = createVault({ dataDir: dir, fetch, clock: systemClock, log: recordingLog(), history, publisher, replicateBaseUrl: `${origin}/v1` });
    cleanup.push(() => again.close());
    const bin = again.recentlyDeleted!;
    const items = bin.list();
    expect(items.map((i) => i.id).sort()).toEqual(['k1', 'k2']);
    expect(items[0]!.keepUntil - items[0]!.deletedAt).toBe(30 * 86_400_000);
    expect(bin.undo(r.undoToken, ['k1']).restored).toBe(1);
    expect(history.getOutputs('k1')[0]!.state).toBe('saved');
    expect(fs.existsSync(p1)).toBe(true);
    expect(bin.list().map((i) => i.id)).toEqual(['k2']);
    expect(bin.purge(r.undoToken, ['k2'])).toBe(1);
    expect(bin.list()).toEqual([]);
    expect(fs.readdirSync(path.join(dir, '.trash'))).toEqual([]);
    expect(history.get('k2')).toBeNull();
  });

  it('stages input files into the vault and resolves refs', async () => {
    const { vault } = setup();
    const s = await vault.stageInput('me.png', 'application/octet-stream', new Uint8Array(pngBytes));
    expect(s.ref).toMatch(/^kiln-file:[0-9a-f]+$/);
    expect(s.path).toMatch(/^inputs\/[0-9a-f]+\.png$/);
    expect(s.mime).toBe('image/png'); // sniffed, not trusted
    expect(fs.readFileSync(s.absPath).equals(pngBytes)).toBe(true);
    expect(vault.resolveStaged(s.ref)).toMatchObject({ path: s.path, size: pngBytes.length });
    const src = path.join(tempDir(), 'notes.txt');
    fs.writeFileSync(src, 'hello');
    const s2 = await vault.stageInputFromPath(src);
    expect(s2).toMatchObject({ mime: 'text/plain; charset=utf-8', size: 5 });
    expect(vault.resolveStaged('kiln-file:nope')).toBeNull();
    expect(vault.resolveStaged('../../etc')).toBeNull();
  });

  it('reports storage per kind and clears thumbnails and unreferenced files', async () => {
    const { history, vault } = setup();
    await vault.saveOutputs(succeeded(history, 'u1', [`${origin}/img.png`, `${origin}/clip.mp4`]));
    fs.writeFileSync(path.join(vault.root, 'stray.bin'), Buffer.alloc(1234));
    const u = await vault.usage();
    expect(u.byKind.image!.files).toBe(1);
    expect(u.byKind.video!.files).toBe(1);
    expect(u.thumbnails.files).toBe(1);
    expect(u.database).toBeGreaterThan(0);
    const t = await vault.clear('thumbnails');
    expect(t.freedBytes).toBe(u.thumbnails.bytes);
    expect(history.getOutputs('u1')[0]!.thumbPath).toBeNull();
    const c = await vault.clear('unsaved');
    expect(c.freedBytes).toBe(1234);
    expect(history.getOutputs('u1').every((o) => fs.existsSync(vault.resolve(o.path!)!))).toBe(true);
  });
});
