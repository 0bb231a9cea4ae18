import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { LIMITS, formatBytes } from '../../../shared/limits.ts';
import { KilnError } from '../../../shared/ipc.ts';
import type { HistoryStore } from '../records/types.ts';
import type { Publisher } from '../events/publisher.ts';
import { FILE_MODE, privateDir } from '../data-dir.ts';
import { dirFor } from './finalize.ts';
import { outputFileName } from './outputs.ts';
import { THUMB_SIZE } from './thumbs.ts';

// Video poster frames (ARCHITECTURE.md, "Storage", issue 14). The backend has no video decoder (no ffmpeg), the
// renderer has one (H.264 in Electron and Chromium): the page decodes a frame, sends it once as a
// small JPEG/WebP over `media:poster`, and from then on the card's thumbnail is served from the
// vault like an image's. Everything arriving here is untrusted: bounded, sniffed, decoded and
// re-encoded by sharp (the hostile bytes themselves are never stored), and written only to the path
// the vault derives from the run's own id and output index.

const MAX_POSTER_PIXELS = 4096 * 4096;

/** JPEG (FF D8 FF) or WebP (RIFF....WEBP): the only formats a canvas hands out that we accept. */
export function posterMagic(bytes: Uint8Array): 'jpeg' | 'webp' | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  const ascii = (a: number, b: number) => Buffer.from(bytes.subarray(a, b)).toString('latin1');
  if (bytes.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  return null;
}

export interface PosterDeps {
  root: string;
  history: HistoryStore;
  publisher: Publisher;
  tmpName: (ext: string) => string;
}

export async function savePoster(deps: PosterDeps, id: string, index: number, bytes: Uint8Array): Promise<{ thumbPath: string }> {
  if (bytes.length === 0) throw new KilnError({ code: 'bad_request', message: 'The poster image is empty.' });
  if (bytes.length > LIMITS.posterBytes)
    throw new KilnError({ code: 'too_large', message: `The poster image is larger than the limit (posterBytes, ${formatBytes(LIMITS.posterBytes)}).` });
  if (!posterMagic(bytes)) throw new KilnError({ code: 'bad_request', message: 'The poster must be a JPEG or WebP image.' });
  const rec = deps.history.get(id);
  if (!rec) throw new KilnError({ code: 'not_found', message: 'That run is not in the history.' });
  const out = deps.history.getOutputs(id).find((o) => o.index === index);
  if (!out) throw new KilnError({ code: 'not_found', message: `That run has no output ${index}.` });
  if (out.kind !== 'video' || out.state !== 'saved') throw new KilnError({ code: 'bad_request', message: 'Posters are only kept for saved video outputs.' });
  // dirFor sanitises the id; the index is an integer from the history row, not from the request.
  const rel = path.posix.join('thumbs', ...dirFor(rec).split(path.sep), outputFileName(out.index, '.webp'));
  const abs = path.join(deps.root, rel);
  const tmp = deps.tmpName('.webp');
  try {
    await sharp(bytes, { limitInputPixels: MAX_POSTER_PIXELS, animated: false })
      .resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 78 })
      .toFile(tmp);
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    throw new KilnError({ code: 'bad_request', message: `The poster image could not be decoded: ${err instanceof Error ? err.message : String(err)}` });
  }
  await privateDir(path.dirname(abs));
  await fs.promises.chmod(tmp, FILE_MODE);
  await fs.promises.rename(tmp, abs);
  deps.history.updateOutput(id, out.index, { thumbPath: rel });
  deps.publisher.changed(id);
  return { thumbPath: rel };
}
