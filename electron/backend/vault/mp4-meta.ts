import fs from 'node:fs';
import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { ALL_FORMATS, Conversion, FilePathSource, FilePathTarget, Input, MovOutputFormat, Mp4OutputFormat, Output, type MetadataTags } from 'mediabunny';
import { FILE_MODE } from '../data-dir.ts';

/** What a remux gives: the tagged file's size and hash, or why it was not written. */
export type Mp4TagResult = { size: number; sha256: string } | { why: string };

// Kiln's metadata inside MP4/MOV files (ARCHITECTURE.md, "Storage"): the iTunes-style `ilst` atoms of `moov/udta/meta`
// that players and file managers show: ©nam (title = prompt), ©cmt (comment = the same JSON the PNG
// text chunks and sidecars carry), desc (model), ©day (created), ©too (Kiln). mediabunny cannot
// edit an atom in place, so the file is remuxed with every track COPIED (`copy.mode: 'forced'`):
// never re-encoded. It reads through a bounded cache (FilePathSource) and writes to a file with the
// moov at the end (no fast start), so memory is the sample tables, not the media. The vault runs it
// in a child process (mp4-tag-child.ts): the packets' buffers are garbage V8 collects late.

/** mediabunny's read cache (default 8 MiB): packets are copied through, never re-read. */
const READ_CACHE_BYTES = 2 * 1024 * 1024;

/**
 * Copies src to dest with `tags` in moov/udta/meta. Returns `{ why }` (dest removed, src untouched)
 * when the file cannot be remuxed without re-encoding or anything else fails.
 */
export async function writeMp4WithTags(src: string, dest: string, ext: string, tags: MetadataTags): Promise<Mp4TagResult> {
  const input = new Input({ source: new FilePathSource(src, { maxCacheSize: READ_CACHE_BYTES }), formats: ALL_FORMATS });
  try {
    const output = new Output({
      format: ext === '.mov' ? new MovOutputFormat({ fastStart: false }) : new Mp4OutputFormat({ fastStart: false }),
      // Unchunked: each packet is written as it comes, waiting for the file (backpressure), instead
      // of gathering 16 MiB chunks of which several were measured in flight at once.
      target: new FilePathTarget(dest, { chunked: false }),
    });
    const conversion = await Conversion.init({ input, output, copy: { mode: 'forced' }, tags, showWarnings: false });
    if (!conversion.isValid || conversion.discardedTracks.length > 0) {
      await output.cancel();
      await fs.promises.rm(dest, { force: true });
      const reasons = conversion.discardedTracks.map((d) => `${d.track.type} track: ${d.reason}`).join('; ');
      return { why: `cannot copy every track without re-encoding (${reasons || 'invalid conversion'})` };
    }
    await conversion.execute();
  } catch (err) {
    await fs.promises.rm(dest, { force: true });
    return { why: err instanceof Error ? err.message : String(err) };
  } finally {
    input.dispose();
  }
  await fs.promises.chmod(dest, FILE_MODE);
  const hash = createHash('sha256');
  let size = 0;
  await pipeline(fs.createReadStream(dest), async (chunks: AsyncIterable<Buffer>) => {
    for await (const c of chunks) {
      hash.update(c);
      size += c.length;
    }
  });
  return { size, sha256: hash.digest('hex') };
}

/** Reads the tags back (tests, and a future "show metadata" view). */
export async function readMp4Tags(file: string): Promise<MetadataTags> {
  const input = new Input({ source: new FilePathSource(file), formats: ALL_FORMATS });
  try {
    return await input.getMetadataTags();
  } finally {
    input.dispose();
  }
}
