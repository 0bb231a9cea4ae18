import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { TooLargeToThumbnail, makeThumbnail } from '../../../electron/backend/vault/thumbs.ts';
import { tempDir, removeTempDirs } from '../../unit/history-helpers.ts';

afterAll(removeTempDirs);

// Decompression bombs (ARCHITECTURE.md, "Security"): a picture's file size says nothing of what
// decoding it takes. A GIF, an AVIF, an interlaced PNG or a progressive JPEG is decoded whole before
// it is shrunk, so a few KB claiming thousands of pixels a side took a gigabyte of the main process
// for its thumbnail. Real sharp, real files; the vault's side is in vault.test.ts.

const solid = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: '#c81e1e' }, limitInputPixels: false });

let dir = '';
const file = (name: string) => path.join(dir, name);

beforeAll(async () => {
  dir = tempDir('kiln-bombs-');
  await solid(6000, 6000).gif().toFile(file('bomb.gif')); // ~25 KB → 36 MP decoded whole
  await solid(4000, 4000).avif().toFile(file('bomb.avif')); // ~1 KB → 16 MP of AV1 decoded whole
  await solid(8000, 8000).png({ progressive: true }).toFile(file('interlaced.png')); // Adam7: no row-by-row decode
  await solid(8000, 8000).png().toFile(file('plain.png')); // streams: thumbnailed whatever its size
  await solid(1200, 800).gif().toFile(file('small.gif'));
  await solid(1024, 1024).avif().toFile(file('small.avif'));
  await solid(8000, 6000).jpeg({ progressive: true }).withMetadata({ orientation: 6 }).toFile(file('rotated-progressive.jpg'));
}, 60_000);

describe('thumbnails refuse pictures whose decode would be a bomb', () => {
  it.each([
    ['bomb.gif', 6000, 6000],
    ['bomb.avif', 4000, 4000],
    ['interlaced.png', 8000, 8000],
    // The size reported is the one the user sees: EXIF orientation 6 turns 8000×6000 upright.
    ['rotated-progressive.jpg', 6000, 8000],
  ])('%s is refused, with its size', async (name, width, height) => {
    const err = await makeThumbnail(file(name), file(`${name}.thumb.webp`)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooLargeToThumbnail);
    expect(err).toMatchObject({ width, height });
    expect(fs.existsSync(file(`${name}.thumb.webp`))).toBe(false);
  });

  it.each([
    ['plain.png', 8000, 8000],
    ['small.gif', 1200, 800],
    ['small.avif', 1024, 1024],
  ])('%s is thumbnailed', async (name, width, height) => {
    expect(await makeThumbnail(file(name), file(`${name}.thumb.webp`))).toEqual({ width, height });
    const t = await sharp(file(`${name}.thumb.webp`)).metadata();
    expect(t.format).toBe('webp');
    expect(Math.max(t.width!, t.height!)).toBeLessThanOrEqual(512);
  });
});
