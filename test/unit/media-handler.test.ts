import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { handleMediaRequest, parseRange, safeRelativePath } from '../../electron/backend/vault/media-handler.ts';
import { tempDir, removeTempDirs } from './history-helpers.ts';

afterAll(removeTempDirs);

async function bodyOf(body: Readable | Uint8Array | null): Promise<Buffer> {
  if (body === null) return Buffer.alloc(0);
  if (body instanceof Uint8Array) return Buffer.from(body);
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks);
}

let root: string;
let outside: string;
const video = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256));

beforeAll(() => {
  const base = tempDir('kiln-media-');
  root = path.join(base, 'vault');
  outside = path.join(base, 'secret.txt');
  fs.mkdirSync(path.join(root, 'media/2026/11/p1'), { recursive: true });
  fs.writeFileSync(path.join(root, 'media/2026/11/p1/out-0.mp4'), video);
  fs.writeFileSync(path.join(root, 'media/2026/11/p1/out-1.png'), Buffer.from('png-ish'));
  fs.writeFileSync(path.join(root, 'media/2026/11/p1/a b.txt'), 'spaced');
  fs.writeFileSync(outside, 'TOP SECRET');
  fs.symlinkSync(outside, path.join(root, 'media/escape.txt'));
  fs.symlinkSync(path.dirname(outside), path.join(root, 'media/escape-dir'));
  fs.symlinkSync(path.join(root, 'media/2026/11/p1/out-1.png'), path.join(root, 'media/inside-link.png'));
});

describe('kiln-media handler: serving', () => {
  it('serves a file whole with type, length and Accept-Ranges', async () => {
    const r = await handleMediaRequest(root, 'media/2026/11/p1/out-0.mp4', {});
    expect(r.status).toBe(200);
    expect(r.headers['Content-Type']).toBe('video/mp4');
    expect(r.headers['Content-Length']).toBe('1000');
    expect(r.headers['Accept-Ranges']).toBe('bytes');
    expect((await bodyOf(r.body)).equals(video)).toBe(true);
    const png = await handleMediaRequest(root, '/media/2026/11/p1/out-1.png');
    expect(png.headers['Content-Type']).toBe('image/png');
  });

  it('serves media sandboxed, so an SVG opened directly cannot script Kiln’s origin', async () => {
    fs.writeFileSync(path.join(root, 'media/2026/11/p1/out-2.svg'), '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    const r = await handleMediaRequest(root, 'media/2026/11/p1/out-2.svg', {});
    expect(r.status).toBe(200);
    expect(r.headers['Content-Security-Policy']).toMatch(/^sandbox;.*default-src 'none'/);
    expect(r.headers['X-Content-Type-Options']).toBe('nosniff');
  });

  it('decodes percent-encoded names once', async () => {
    const r = await handleMediaRequest(root, 'media/2026/11/p1/a%20b.txt');
    expect(r.status).toBe(200);
    expect((await bodyOf(r.body)).toString()).toBe('spaced');
  });

  it('answers a single range with 206 and Content-Range', async () => {
    const r = await handleMediaRequest(root, 'media/2026/11/p1/out-0.mp4', { range: 'bytes=100-199' });
    expect(r.status).toBe(206);
    expect(r.headers['Content-Range']).toBe('bytes 100-199/1000');
    expect(r.headers['Content-Length']).toBe('100');
    expect((await bodyOf(r.body)).equals(video.subarray(100, 200))).toBe(true);
    const open = await handleMediaRequest(root, 'media/2026/11/p1/out-0.mp4', { range: 'bytes=990-' });
    expect(open.headers['Content-Range']).toBe('bytes 990-999/1000');
    const suffix = await handleMediaRequest(root, 'media/2026/11/p1/out-0.mp4', { range: 'bytes=-10' });
    expect((await bodyOf(suffix.body)).equals(video.subarray(990))).toBe(true);
    const clamp = await handleMediaRequest(root, 'media/2026/11/p1/out-0.mp4', { range: 'bytes=900-5000' });
    expect(clamp.headers['Content-Range']).toBe('bytes 900-999/1000');
  });

  it('answers an unsatisfiable range with 416', async () => {
    const r = await handleMediaRequest(root, 'media/2026/11/p1/out-0.mp4', { range: 'bytes=1000-' });
    expect(r.status).toBe(416);
    expect(r.headers['Content-Range']).toBe('bytes */1000');
  });

  it('serves the whole file for a multi-range or malformed range', async () => {
    expect((await handleMediaRequest(root, 'media/2026/11/p1/out-0.mp4', { range: 'bytes=0-1,5-6' })).status).toBe(200);
    expect((await handleMediaRequest(root, 'media/2026/11/p1/out-0.mp4', { range: 'items=0-1' })).status).toBe(200);
  });

  it('404s a missing file and a directory', async () => {
    expect((await handleMediaRequest(root, 'media/nope.png')).status).toBe(404);
    expect((await handleMediaRequest(root, 'media/2026')).status).toBe(404);
  });

  it('follows symlinks that stay inside the vault', async () => {
    expect((await handleMediaRequest(root, 'media/inside-link.png')).status).toBe(200);
  });
});

describe('kiln-media handler: refuses everything outside the vault', () => {
  const attacks = [
    '../secret.txt',
    'media/../../secret.txt',
    '%2e%2e/secret.txt',
    '%2E%2E%2Fsecret.txt',
    'media/%2e%2e/%2e%2e/secret.txt',
    '..%2fsecret.txt',
    '..\\secret.txt',
    'media\\..\\..\\secret.txt',
    '//etc/passwd',
    'C:/Windows/win.ini',
    'c:%5cwindows',
    'media/2026/11/p1/out-1.png%00.txt',
    'media/./2026/11/p1/out-1.png',
    '%',
    '',
  ];
  for (const a of attacks) {
    it(`refuses ${JSON.stringify(a)}`, async () => {
      const r = await handleMediaRequest(root, a);
      expect([403, 404]).toContain(r.status);
      expect((await bodyOf(r.body)).toString()).not.toContain('TOP SECRET');
    });
  }

  it('refuses the traversal forms with 403 before touching the disk', async () => {
    for (const a of ['../secret.txt', '%2e%2e/secret.txt', '..\\secret.txt', '//etc/passwd', 'a%00b']) {
      expect((await handleMediaRequest(root, a)).status).toBe(403);
    }
  });

  it('refuses symlinks that resolve outside the vault with 403', async () => {
    expect((await handleMediaRequest(root, 'media/escape.txt')).status).toBe(403);
    expect((await handleMediaRequest(root, 'media/escape-dir/secret.txt')).status).toBe(403);
  });

  it('an absolute path with one leading slash stays inside the vault (URL form), so /etc/passwd is a 404', async () => {
    expect((await handleMediaRequest(root, '/etc/passwd')).status).toBe(404);
  });
});

describe('helpers', () => {
  it('safeRelativePath normalises the URL form', () => {
    expect(safeRelativePath('/media/a.png')).toBe('media/a.png');
    expect(safeRelativePath('media//a.png')).toBeNull();
  });
  it('parseRange', () => {
    expect(parseRange('bytes=0-0', 10)).toEqual({ start: 0, end: 0 });
    expect(parseRange('bytes=5-2', 10)).toBeNull();
    expect(parseRange('bytes=-0', 10)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-', 0)).toBe('unsatisfiable');
    expect(parseRange('bytes=-20', 10)).toEqual({ start: 0, end: 9 });
  });
});
