import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { checkMagic } from '../../electron/backend/vault/magic.ts';
import { tempDir, removeTempDirs } from './history-helpers.ts';

afterAll(removeTempDirs);

const dir = tempDir('kiln-magic-');
const write = (name: string, data: Buffer | string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, data);
  return p;
};
// Minimal ISO BMFF header: enough for magic-byte detection of an MP4.
const mp4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.from([0, 0, 2, 0]), Buffer.from('isomiso2'), Buffer.alloc(64)]);

describe('magic-byte checks', () => {
  it('accepts a real image and reports its true type even if the name lies', async () => {
    const p = write(
      'x.png',
      await sharp({ create: { width: 4, height: 4, channels: 3, background: '#000' } })
        .webp()
        .toBuffer(),
    );
    expect(await checkMagic(p, 'image')).toEqual({ ok: true, mime: 'image/webp', ext: '.webp' });
  });

  it('rejects an HTML page claimed as an image, and says so', async () => {
    const v = await checkMagic(write('err.png', '<!DOCTYPE html><html><body>Access denied</body></html>'), 'image');
    expect(v.ok).toBe(false);
    expect(!v.ok && v.reason).toMatch(/HTML/);
  });

  it('rejects a video where an image was claimed and accepts it as video', async () => {
    const p = write('v.mp4', mp4);
    expect((await checkMagic(p, 'image')).ok).toBe(false);
    expect(await checkMagic(p, 'video')).toMatchObject({ ok: true, mime: 'video/mp4' });
  });

  it('does not second-guess text and unknown files', async () => {
    expect((await checkMagic(write('t.txt', 'hello'), 'text')).ok).toBe(true);
    expect((await checkMagic(write('f.bin', 'whatever'), 'file')).ok).toBe(true);
  });
});
