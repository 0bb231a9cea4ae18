import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { Unzip, UnzipInflate, Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import { LIMITS, formatBytes } from '../../../shared/limits.ts';
import type { JsonShapeBounds } from '../../../shared/json-shape.ts';
import { safeRelativePath } from '../vault/media-handler.ts';

// The .zip side of export/import, streamed both ways with fflate so a history with large videos
// never has to fit in memory. Extraction treats the archive as hostile: names are confined
// (zip-slip), only regular files are written, and the archive is bounded in entries, total size,
// per-entry expansion and expansion of the whole archive, checked on the bytes actually inflated
// (not on the sizes an entry declares, which a data descriptor leaves out) — a zip bomb is refused
// after at most its allowance has been written, never after the whole thing.

/** LIMITS.archive's shape with plain numbers (tests pass smaller ones). */
export type ArchiveLimits = { [K in Exclude<keyof typeof LIMITS.archive, 'manifestShape'>]: number } & { manifestShape: JsonShapeBounds };

export class ArchiveRefused extends Error {}

/** Entries this small are never refused for their ratio (a tiny, repetitive JSON may compress 500×). */
const RATIO_FLOOR_BYTES = 1024 * 1024;
/** An archive may always inflate to this much, whatever its ratio (a small export of repetitive JSON). */
const ARCHIVE_RATIO_FLOOR_BYTES = 16 * 1024 * 1024;

export async function writeZip(dest: string, manifest: unknown, root: string, media: string[]): Promise<void> {
  const tmp = `${dest}.partial-${randomBytes(4).toString('hex')}`;
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const out = fs.createWriteStream(tmp, { flags: 'wx', mode: 0o600 });
  // Listened to from the start: a write stream's 'error' with no listener takes the process down.
  const finished = new Promise<void>((resolve, reject) => {
    out.once('finish', resolve);
    out.once('error', reject);
  });
  finished.catch(() => {});
  let failure: Error | null = null;
  const zip = new Zip((err, chunk, final) => {
    if (err) failure = err;
    else out.write(chunk);
    if (final) out.end();
  });
  const drain = async () => {
    if (out.writableNeedDrain) await once(out, 'drain');
  };
  const m = new ZipDeflate('manifest.json', { level: 6 });
  zip.add(m);
  m.push(new TextEncoder().encode(JSON.stringify(manifest, null, 2)), true);
  for (const rel of media) {
    // Media is already compressed (PNG, WebP, MP4): store it as is.
    const entry = new ZipPassThrough(`media/${rel}`);
    zip.add(entry);
    for await (const c of fs.createReadStream(path.join(root, rel))) {
      entry.push(c as Uint8Array);
      await drain();
    }
    entry.push(new Uint8Array(0), true);
  }
  zip.end();
  await finished.catch((err: Error) => {
    failure ??= err;
  });
  if (failure) {
    fs.rmSync(tmp, { force: true });
    throw failure;
  }
  fs.renameSync(tmp, dest);
}

export async function extractZip(file: string, into: string, limits: ArchiveLimits = LIMITS.archive): Promise<void> {
  const archiveBytes = fs.statSync(file).size;
  const writers = new Set<fs.WriteStream>();
  const done: Promise<unknown>[] = [];
  let failure: Error | null = null;
  let entries = 0;
  // Bytes inflated so far, counted as they come out of the inflater: an entry written with a data
  // descriptor (Kiln's own streamed exports, or a crafted bomb) declares no sizes at all, so the
  // sizes in its header cannot be what bounds the archive.
  let total = 0;
  const archiveCap = Math.min(limits.totalBytes, Math.max(ARCHIVE_RATIO_FLOOR_BYTES, archiveBytes * limits.ratio));
  const refuse = (msg: string) => {
    failure ??= new ArchiveRefused(msg);
  };
  /** Counts `n` more inflated bytes; false (and the import refused) once the archive is over its bounds. */
  const inflated = (n: number): boolean => {
    total += n;
    if (total > limits.totalBytes) refuse(`the archive expands to more than ${formatBytes(limits.totalBytes)} (the import limit)`);
    else if (total > archiveCap)
      refuse(`the archive expands more than ${limits.ratio}× its ${formatBytes(archiveBytes)} (to over ${formatBytes(archiveCap)}; a zip bomb?): refused`);
    return failure === null;
  };
  const unzip = new Unzip((f) => {
    if (failure) return;
    if (++entries > limits.entries) return refuse(`the archive has more than ${limits.entries.toLocaleString('en')} entries (the import limit)`);
    const rel = safeRelativePath(f.name);
    if (rel === null || f.name.endsWith('/')) {
      // Zip-slip and directories: skipped, but still inflated (and counted) into nothing — an entry
      // never started keeps its compressed bytes in fflate's buffers until the end.
      f.ondata = (err, data) => {
        if (err || failure || !inflated(data.length)) f.terminate();
      };
      f.start();
      return;
    }
    if (f.originalSize !== undefined && f.originalSize > limits.totalBytes)
      return refuse(`${f.name} claims ${formatBytes(f.originalSize)}, over the ${formatBytes(limits.totalBytes)} import limit`);
    // Compressed size from the local header; archives written in a streaming fashion leave it out,
    // and then no entry can be larger compressed than the archive itself.
    const packed = f.size !== undefined && f.size > 0 ? f.size : archiveBytes;
    const entryCap = Math.max(RATIO_FLOOR_BYTES, packed * limits.ratio);
    const to = path.join(into, rel);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    const w = fs.createWriteStream(to, { flags: 'wx', mode: 0o600 });
    w.on('error', (err) => (failure ??= err));
    writers.add(w);
    done.push(once(w, 'close').catch(() => {}));
    let written = 0;
    const stop = () => {
      f.terminate();
      w.destroy();
      writers.delete(w);
    };
    f.ondata = (err, data, final) => {
      if (failure) return stop();
      if (err) {
        failure = err;
        return stop();
      }
      written += data.length;
      if (written > entryCap) {
        refuse(`${f.name} expands more than ${limits.ratio}× its compressed size (a zip bomb?): refused`);
        return stop();
      }
      if (!inflated(data.length)) return stop();
      w.write(data);
      if (final) {
        w.end();
        writers.delete(w);
      }
    };
    f.start();
  });
  unzip.register(UnzipInflate);
  for await (const c of fs.createReadStream(file)) {
    unzip.push(c as Uint8Array);
    if (failure) break;
    for (const w of writers) if (w.writableNeedDrain) await once(w, 'drain');
  }
  if (!failure) unzip.push(new Uint8Array(0), true);
  for (const w of writers) if (failure) w.destroy();
  await Promise.all(done);
  if (failure) throw failure;
}
