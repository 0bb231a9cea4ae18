import sharp from 'sharp';

// Thumbnails for the gallery: ~512 px WebP. The backend has no video decoder (no ffmpeg): a video's
// poster frame is decoded by the renderer and kept through `media:poster` (./poster.ts).
export const THUMB_SIZE = 512;

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

export function makeThumbnail(src: string, dest: string): Promise<{ width: number | null; height: number | null }> {
  return oneAtATime(async () => {
    const meta = await sharp(src, { animated: false, limitInputPixels: 268_402_689 }).metadata();
    await sharp(src, { animated: false })
      .rotate()
      .resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 78 })
      .toFile(dest);
    const rotated = (meta.orientation ?? 1) >= 5;
    const w = meta.width ?? null;
    const h = meta.pageHeight ?? meta.height ?? null;
    return rotated ? { width: h, height: w } : { width: w, height: h };
  });
}
