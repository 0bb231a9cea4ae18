import fs from 'node:fs';
import path from 'node:path';
import sharp, { type Metadata } from 'sharp';
import { FILE_MODE, privateDir } from '../data-dir.ts';
import { LIMITS, formatBytes } from '../../../shared/limits.ts';

// Thumbnails for the gallery: ~512 px WebP. The backend has no video decoder (no ffmpeg): a video's
// poster frame is decoded by the renderer and kept through `media:poster` (./poster.ts).
export const THUMB_SIZE = 512;

/** sharp's own default (16383²): even a loader that streams is not asked for more. */
const SHARP_MAX_PIXELS = 268_402_689;

// Each image is thumbnailed once, in the background of the main process: libvips's operation cache
// and one worker thread per core only hold memory there (measured: test/bench/memory.bench.ts).
sharp.cache(false);
sharp.concurrency(1);

// One thumbnail at a time, whatever the number of downloads finishing together (1,000 runs ending
// at once, ARCHITECTURE.md, "Performance targets"). Each libvips pipeline runs on a libuv pool thread; run in parallel they
// spread their buffers over several malloc arenas that are never given back, so the main
// process's RSS stays at its peak (docs/DECISIONS.md, "Memory when 1,000 finish"). A thumbnail
// takes milliseconds; a queue of them costs nothing the user sees.
let tail: Promise<unknown> = Promise.resolve();
function oneAtATime<T>(fn: () => Promise<T>): Promise<T> {
  const run = tail.then(fn, fn);
  tail = run.catch(() => {});
  return run;
}

/**
 * An image whose decode would take more memory than a thumbnail may (LIMITS.thumbDecodeBytes): it is
 * saved, with its size, but gets no thumbnail, and the gallery does not decode it whole either
 * (LIMITS.previewPixels).
 */
export class TooLargeToThumbnail extends Error {
  readonly width: number;
  readonly height: number;
  constructor(width: number, height: number, format: string) {
    super(`a ${width}×${height} ${format} would take more than ${formatBytes(LIMITS.thumbDecodeBytes)} to decode for a thumbnail`);
    this.width = width;
    this.height = height;
  }
}

/**
 * Bytes a loader holds per pixel when it must decode the whole picture before it can shrink it, or
 * null for one that streams or shrinks while decoding (baseline JPEG, plain PNG, WebP, SVG: a few
 * rows at a time, so only sharp's own pixel limit applies). The file's size says nothing: an
 * 863-byte AVIF of 8000×8000 held 1.3 GB, a 174 KB GIF of 16000×16000 1.2 GB, an 800 KB
 * interlaced PNG 0.9 GB (peak RSS of `makeThumbnail`, per pixel: AVIF ~20, GIF ~4.5, interlaced PNG
 * and progressive JPEG ~3.3). Formats not named here are taken to decode whole, generously.
 */
export function wholeDecodeBytesPerPixel(format: string | undefined, progressive: boolean): number | null {
  switch (format) {
    case 'jpeg':
    case 'png':
      return progressive ? 4 : null;
    case 'webp':
    case 'svg':
      return null;
    case 'gif':
      return 5;
    case 'heif':
      return 20;
    default:
      return 8;
  }
}

/** The header only: what the picture claims to be, before anything is decoded. */
const header = (file: string) => sharp(file, { animated: false, limitInputPixels: SHARP_MAX_PIXELS }).metadata();

/**
 * The most of an SVG drawn for a thumbnail. Its text is read into memory (svgInput) and librsvg
 * holds its whole tree besides, several times the text: a quarter of the thumbnail's memory
 * leaves room for both. A vector model's SVG is some hundreds of KB.
 */
const SVG_THUMB_MAX_BYTES = LIMITS.thumbDecodeBytes / 4;

/**
 * An SVG is drawn from its bytes, never from its path. librsvg (behind sharp) fetches nothing
 * from the network and refuses `file:` URLs and `../`, but resolves a relative name
 * (`<image href="out-0.png">`) against the file it was loaded from, so an SVG could draw a
 * picture beside it in the vault into its thumbnail. From memory there is no base: it draws only
 * itself (test/integration/history/vault.test.ts).
 */
async function svgInput(file: string): Promise<Buffer> {
  const { size } = await fs.promises.stat(file);
  if (size > SVG_THUMB_MAX_BYTES) throw new Error(`an SVG of ${formatBytes(size)} is more than ${formatBytes(SVG_THUMB_MAX_BYTES)} to draw for a thumbnail`);
  return fs.promises.readFile(file);
}

/** Its size as seen (EXIF orientations 5–8 turn it a quarter), one frame of an animation. */
function uprightSize(meta: Metadata): { width: number | null; height: number | null } {
  const w = meta.width ?? null;
  const h = meta.pageHeight ?? meta.height ?? null;
  return (meta.orientation ?? 1) >= 5 ? { width: h, height: w } : { width: w, height: h };
}

/** A picture's size as seen, from its header alone; null when sharp cannot read it. */
export function pictureSize(file: string): Promise<{ width: number | null; height: number | null } | null> {
  return header(file).then(uprightSize, () => null);
}

export function makeThumbnail(src: string, dest: string): Promise<{ width: number | null; height: number | null }> {
  return oneAtATime(async () => {
    const meta = await header(src);
    const size = uprightSize(meta);
    const perPixel = wholeDecodeBytesPerPixel(meta.format, meta.isProgressive === true);
    if (size.width !== null && size.height !== null && perPixel !== null && size.width * size.height * perPixel > LIMITS.thumbDecodeBytes) {
      throw new TooLargeToThumbnail(size.width, size.height, meta.format ?? 'image');
    }
    const input = meta.format === 'svg' ? await svgInput(src) : src;
    await sharp(input, { animated: false, limitInputPixels: SHARP_MAX_PIXELS })
      .rotate()
      .resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 78 })
      .toFile(dest);
    return size;
  });
}

/**
 * Whether a file is a thumbnail as Kiln makes them: WebP, one frame, at most THUMB_SIZE a side, read
 * from its header. An imported archive's thumbnails are its claims (a "thumbnail" can be a
 * 16000×16000 GIF under a .webp name); the gallery decodes them as they are.
 */
export async function isKilnThumbnail(file: string): Promise<boolean> {
  try {
    const m = await header(file);
    return m.format === 'webp' && (m.pages ?? 1) === 1 && (m.width ?? Infinity) <= THUMB_SIZE && (m.height ?? Infinity) <= THUMB_SIZE;
  } catch {
    return false;
  }
}

/**
 * An imported picture as the vault would have saved it: its size from its own header, and a
 * thumbnail that is Kiln's — the archive's if it is one, else made again (refused for a bomb, as
 * for a download). `thumb` is where a new one goes; null when none could be had.
 */
export async function vetImportedPicture(
  file: string,
  archivedThumb: string | null,
  thumb: string,
): Promise<{ width: number | null; height: number | null; thumb: string | null }> {
  const size = await pictureSize(file);
  // Not a picture sharp can read: no size, no thumbnail (the card shows the file, as after a failed one).
  if (!size) return { width: null, height: null, thumb: null };
  const { width, height } = size;
  if (archivedThumb && (await isKilnThumbnail(archivedThumb))) return { width, height, thumb: archivedThumb };
  if (archivedThumb && archivedThumb !== thumb) await fs.promises.rm(archivedThumb, { force: true });
  try {
    await privateDir(path.dirname(thumb));
    await makeThumbnail(file, thumb);
    await fs.promises.chmod(thumb, FILE_MODE);
    return { width, height, thumb };
  } catch {
    await fs.promises.rm(thumb, { force: true });
    return { width, height, thumb: null };
  }
}
