import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { Logger } from '../types.ts';
import type { OutputRecord, PredictionRecord } from '../records/types.ts';
import { DownloadError } from './download.ts';
import { checkMagic } from './magic.ts';
import { TooLargeToThumbnail, makeThumbnail } from './thumbs.ts';
import { PNG_HEADER_BYTES, hasStandardHeader, textChunks } from './png-text.ts';
import { MP4_EXTS, mp4Tags } from './mp4-tags.ts';
import type { Mp4Tagger } from './mp4-tag-child.ts';
import { extForMime, isSvgMime, kindForMime, mimeForExt, safeExt } from './mime.ts';
import { outputFileName } from './outputs.ts';
import { FILE_MODE, privateDir } from '../data-dir.ts';

// The last step of saving one output: judge the bytes (magic), choose its name (never an
// executable extension), embed metadata (PNG text chunks, or a JSON sidecar), rename it into
// place with owner-only permissions, and make a thumbnail.

export function dirFor(rec: Pick<PredictionRecord, 'createdAt' | 'id'>): string {
  const d = new Date(rec.createdAt);
  const yyyy = String(d.getUTCFullYear());
  const mm = String(d.getUTCMonth() + 1).padStart(2, '0');
  return path.join(yyyy, mm, rec.id.replace(/[^A-Za-z0-9_-]/g, '_'));
}

function metadata(rec: PredictionRecord): Record<string, string> {
  const seed = rec.input.seed ?? /seed[:=]\s*(\d+)/i.exec(rec.logs)?.[1] ?? null;
  return {
    Software: 'Kiln',
    provider: rec.provider,
    model: rec.model,
    version: rec.version ?? '',
    prediction_id: rec.providerId ?? '',
    kiln_id: rec.id,
    seed: seed === null ? '' : String(seed),
    input: JSON.stringify(rec.input),
  };
}

/** Splices text chunks after IHDR while copying, so even a huge PNG is never held in memory. */
async function writePngWithText(src: string, dest: string, entries: Record<string, string>): Promise<{ size: number; sha256: string } | null> {
  const fh = await fs.promises.open(src, 'r');
  const head = Buffer.alloc(PNG_HEADER_BYTES);
  try {
    await fh.read(head, 0, PNG_HEADER_BYTES, 0);
  } finally {
    await fh.close();
  }
  if (!hasStandardHeader(head)) return null;
  const hash = createHash('sha256');
  let size = 0;
  const out = fs.createWriteStream(dest, { mode: FILE_MODE });
  const pre = Buffer.concat([head, textChunks(entries)]);
  async function* body() {
    yield pre;
    for await (const c of fs.createReadStream(src, { start: PNG_HEADER_BYTES })) yield c as Buffer;
  }
  await pipeline(
    body(),
    async function* (src2: AsyncIterable<Buffer>) {
      for await (const c of src2) {
        hash.update(c);
        size += c.length;
        yield c;
      }
    },
    out,
  );
  return { size, sha256: hash.digest('hex') };
}

export interface FinalizeContext {
  root: string;
  log: Logger;
  tmpName: (ext: string) => string;
  /** Writes an MP4's tags into dest (vault.ts: in a child process, one at a time). */
  tagMp4: Mp4Tagger;
}

export async function finalizeFile(
  ctx: FinalizeContext,
  rec: PredictionRecord,
  out: OutputRecord,
  tmp: string,
  claimedMime: string | null,
  plannedExt: string,
  sha: string,
  size: number,
): Promise<Partial<OutputRecord>> {
  const rel = (abs: string) => path.relative(ctx.root, abs).split(path.sep).join('/');
  // Said to be SVG by its URL's or planned name, the type the server sent, or the one planned (fal's `content_type`, a data URI's).
  const svg = plannedExt === '.svg' || isSvgMime(claimedMime) || isSvgMime(out.mime);
  const verdict = await checkMagic(tmp, out.kind, { svg });
  if (!verdict.ok) throw new DownloadError('permanent', verdict.reason);
  const mime = verdict.mime ?? (claimedMime?.split(';')[0] || null) ?? mimeForExt(plannedExt);
  // An .exe (by URL or by content) is kept, but as .bin: nothing in the vault is runnable by a click.
  const ext = safeExt(verdict.ext ?? extForMime(mime) ?? plannedExt);
  const kind = out.kind === 'file' && verdict.mime ? kindForMime(verdict.mime) : out.kind;
  const dir = path.join(ctx.root, dirFor(rec));
  await privateDir(dir);
  const finalAbs = path.join(dir, outputFileName(out.index, ext));
  let finalSha = sha;
  let finalSize = size;
  let sidecar = true;
  if (ext === '.png') {
    const tagged = ctx.tmpName('.png');
    const r = await writePngWithText(tmp, tagged, metadata(rec));
    if (r) {
      await fs.promises.rm(tmp, { force: true });
      await fs.promises.rename(tagged, finalAbs);
      finalSha = r.sha256;
      finalSize = r.size;
      sidecar = false;
    } else {
      await fs.promises.rm(tagged, { force: true });
    }
  } else if (MP4_EXTS.has(ext)) {
    // Remuxed (tracks copied, never re-encoded) into a temp file, then renamed; on any failure the
    // downloaded file is kept as it came, with the JSON sidecar carrying the metadata instead.
    const tagged = ctx.tmpName(ext);
    const r = await ctx.tagMp4(tmp, tagged, ext, mp4Tags(metadata(rec), rec.createdAt));
    if ('sha256' in r) {
      await fs.promises.rm(tmp, { force: true });
      await fs.promises.rename(tagged, finalAbs);
      finalSha = r.sha256;
      finalSize = r.size;
      sidecar = false;
    } else {
      await fs.promises.rm(tagged, { force: true });
      ctx.log.warn('MP4 metadata not written; the file is kept unchanged with a JSON sidecar', { id: rec.id, index: out.index, why: r.why });
    }
  }
  if (sidecar) {
    await fs.promises.chmod(tmp, FILE_MODE);
    await fs.promises.rename(tmp, finalAbs);
  }
  if (sidecar && kind !== 'text' && kind !== 'json') {
    await fs.promises.writeFile(
      `${finalAbs}.json`,
      JSON.stringify({ ...metadata(rec), input: rec.input, sha256: finalSha, remoteUrl: out.remoteUrl }, null, 2),
      { mode: FILE_MODE },
    );
  }
  let width: number | null = null;
  let height: number | null = null;
  let thumbPath: string | null = null;
  if (kind === 'image') {
    const thumbAbs = path.join(ctx.root, 'thumbs', dirFor(rec), outputFileName(out.index, '.webp'));
    try {
      await privateDir(path.dirname(thumbAbs));
      ({ width, height } = await makeThumbnail(finalAbs, thumbAbs));
      await fs.promises.chmod(thumbAbs, FILE_MODE);
      thumbPath = rel(thumbAbs);
    } catch (err) {
      if (err instanceof TooLargeToThumbnail) {
        // Saved whole; its size tells the gallery not to decode it either (LIMITS.previewPixels).
        ({ width, height } = err);
        ctx.log.info('no thumbnail: the picture is too large to decode safely', { id: rec.id, index: out.index, why: err.message });
      } else ctx.log.warn('thumbnail failed; the card shows the full image instead', { id: rec.id, index: out.index, err: String(err) });
    }
  }
  return { state: 'saved', kind, path: rel(finalAbs), thumbPath, mime, size: finalSize, sha256: finalSha, width, height, error: null };
}
