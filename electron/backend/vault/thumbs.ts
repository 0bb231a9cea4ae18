import sharp from 'sharp';

// Thumbnails for the gallery: ~512 px WebP. The backend has no video decoder (no ffmpeg): a video's
// poster frame is decoded by the renderer and kept through `media:poster` (./poster.ts).
export const THUMB_SIZE = 512;

// Each image is thumbnailed once, in the background of the main process: libvips's operation cache
// and one worker thread per core only hold memory there (measured: test/bench/memory.bench.ts).
sharp.cache(false);
sharp.concurrency(1);

export async function makeThumbnail(src: string, dest: string): Promise<{ width: number | null; height: number | null }> {
  const meta = await sharp(src, { animated: false, limitInputPixels: 268_402_689 }).metadata();
  await sharp(src, { animated: false }).rotate().resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 78 }).toFile(dest);
  const rotated = (meta.orientation ?? 1) >= 5;
  const w = meta.width ?? null;
  const h = meta.pageHeight ?? meta.height ?? null;
  return rotated ? { width: h, height: w } : { width: w, height: h };
}
