import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { Unzip, UnzipInflate, Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import type { HistoryStoreFull, InputFileRecord, PredictionSnapshot } from './types.ts';
import { safeRelativePath } from '../vault/media-handler.ts';
import { snapshotFiles as filesOf } from '../vault/snapshot-files.ts';

// Export a selection (or everything) as a folder or a .zip: manifest.json + media/<vault path>.
// Import merges it back: predictions already present (same id or same provider id) are skipped,
// so importing the same export twice changes nothing. Zips are streamed both ways (fflate's
// streaming Zip/Unzip), so a history with large videos never has to fit in memory.

export const MANIFEST_FORMAT = 'kiln-history';
export const MANIFEST_VERSION = 1;

const Manifest = z.object({
  format: z.literal(MANIFEST_FORMAT),
  version: z.number().int().max(MANIFEST_VERSION),
  exportedAt: z.number(),
  predictions: z.array(
    z.object({
      record: z.looseObject({ id: z.string().min(1).max(100), model: z.string(), provider: z.literal('replicate'), createdAt: z.number(), input: z.record(z.string(), z.unknown()) }),
      outputs: z.array(z.looseObject({ index: z.number().int(), kind: z.string(), state: z.string(), path: z.string().nullable(), thumbPath: z.string().nullable() })),
    }),
  ),
  inputFiles: z.array(z.looseObject({ id: z.string().regex(/^[0-9a-f]{1,64}$/), path: z.string(), mime: z.string(), size: z.number() })).default([]),
});

/** Fills what an older or hand-made manifest may leave out, so restore never hits a NOT NULL. */
const RECORD_DEFAULTS: Omit<PredictionSnapshot['record'], 'id' | 'model' | 'provider' | 'createdAt' | 'input' | 'statusSince'> = {
  providerId: null, version: null, target: 'model', inputSchema: null, status: 'succeeded', saveState: 'none',
  providerCreatedAt: null, startedAt: null, completedAt: null, timeline: [], logs: '', progress: null, text: null,
  output: null, error: null, metrics: null, urls: {}, cancelAfter: null, retryOf: null, favourite: false, note: null,
  submitAttempts: 0, cancelRequested: false, dataRemoved: false,
};


function inputRefs(input: Record<string, unknown>): string[] {
  const refs: string[] = [];
  const visit = (v: unknown) => {
    if (typeof v === 'string') {
      const m = /^kiln-file:([0-9a-f]{1,64})$/.exec(v);
      if (m) refs.push(m[1]!);
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') Object.values(v).forEach(visit);
  };
  visit(input);
  return refs;
}

export async function exportHistory(opts: { history: HistoryStoreFull; vaultRoot: string; dest: string; ids?: string[]; now: number }): Promise<{ path: string; count: number }> {
  if (fs.existsSync(opts.dest)) throw new Error(`export destination already exists: ${opts.dest}`);
  const ids = opts.ids ?? opts.history.allIds();
  const predictions: PredictionSnapshot[] = [];
  const inputFiles = new Map<string, InputFileRecord>();
  for (const id of ids) {
    const s = opts.history.snapshot(id);
    if (!s) continue;
    predictions.push(s);
    for (const ref of inputRefs(s.record.input)) {
      const f = opts.history.getInputFile(ref);
      if (f) inputFiles.set(f.id, f);
    }
  }
  const manifest = { format: MANIFEST_FORMAT, version: MANIFEST_VERSION, exportedAt: opts.now, predictions, inputFiles: [...inputFiles.values()] };
  const media = [...new Set([...predictions.flatMap(filesOf), ...[...inputFiles.values()].map((f) => f.path)])].filter((rel) => fs.existsSync(path.join(opts.vaultRoot, rel)));

  if (opts.dest.toLowerCase().endsWith('.zip')) {
    await writeZip(opts.dest, manifest, opts.vaultRoot, media);
  } else {
    fs.mkdirSync(opts.dest, { recursive: true });
    for (const rel of media) {
      const to = path.join(opts.dest, 'media', rel);
      fs.mkdirSync(path.dirname(to), { recursive: true });
      await fs.promises.copyFile(path.join(opts.vaultRoot, rel), to);
    }
    // The manifest goes last: a folder with a manifest is a complete export.
    fs.writeFileSync(path.join(opts.dest, 'manifest.json'), JSON.stringify(manifest, null, 2));
  }
  return { path: opts.dest, count: predictions.length };
}

async function writeZip(dest: string, manifest: unknown, root: string, media: string[]) {
  const tmp = `${dest}.partial-${randomBytes(4).toString('hex')}`;
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const out = fs.createWriteStream(tmp);
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

async function extractZip(file: string, into: string) {
  const writers = new Set<fs.WriteStream>();
  const done: Promise<unknown>[] = [];
  let failure: Error | null = null;
  const unzip = new Unzip((f) => {
    const rel = safeRelativePath(f.name);
    if (rel === null || f.name.endsWith('/')) return; // zip-slip and directories: skipped
    const to = path.join(into, rel);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    const w = fs.createWriteStream(to);
    writers.add(w);
    done.push(once(w, 'close'));
    f.ondata = (err, data, final) => {
      if (err) failure = err;
      else w.write(data);
      if (final || err) {
        w.end();
        writers.delete(w);
      }
    };
    f.start();
  });
  unzip.register(UnzipInflate);
  for await (const c of fs.createReadStream(file)) {
    unzip.push(c as Uint8Array);
    for (const w of writers) if (w.writableNeedDrain) await once(w, 'drain');
  }
  unzip.push(new Uint8Array(0), true);
  await Promise.all(done);
  if (failure) throw failure;
}

export async function importHistory(opts: { history: HistoryStoreFull; vaultRoot: string; source: string; tmpParent: string }): Promise<{ imported: number; skipped: number }> {
  let dir = opts.source;
  let cleanup: string | null = null;
  if (fs.statSync(opts.source).isFile()) {
    cleanup = path.join(opts.tmpParent, `import-${randomBytes(6).toString('hex')}`);
    fs.mkdirSync(cleanup, { recursive: true });
    await extractZip(opts.source, cleanup);
    dir = cleanup;
  }
  try {
    const raw = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    const manifest = Manifest.parse(raw);
    let imported = 0;
    let skipped = 0;
    const copy = async (rel: string) => {
      const safe = safeRelativePath(rel);
      if (safe === null) return; // a manifest must never place files outside the vault
      const from = path.join(dir, 'media', safe);
      const to = path.join(opts.vaultRoot, safe);
      if (!fs.existsSync(from) || fs.existsSync(to)) return;
      fs.mkdirSync(path.dirname(to), { recursive: true });
      await fs.promises.copyFile(from, to);
    };
    for (const f of manifest.inputFiles) {
      if (opts.history.getInputFile(f.id)) continue;
      await copy(f.path);
      opts.history.addInputFile({ id: f.id, path: f.path, name: (f.name as string | null) ?? null, mime: f.mime, size: f.size, sha256: (f.sha256 as string | null) ?? null, createdAt: Number(f.createdAt ?? 0) });
    }
    for (const s of manifest.predictions as unknown as PredictionSnapshot[]) {
      const dup = opts.history.has(s.record.id) || (s.record.providerId ? opts.history.getByProviderId(s.record.providerId) !== null : false);
      if (dup) {
        skipped++;
        continue;
      }
      for (const rel of filesOf(s)) await copy(rel);
      const record = { ...RECORD_DEFAULTS, ...s.record, statusSince: s.record.statusSince ?? s.record.createdAt };
      const outputs = s.outputs.map((o) => ({ ...o, predictionId: s.record.id, path: o.path && safeRelativePath(o.path), thumbPath: o.thumbPath && safeRelativePath(o.thumbPath) }));
      imported += opts.history.restore([{ record, outputs }]);
    }
    return { imported, skipped };
  } finally {
    if (cleanup) fs.rmSync(cleanup, { recursive: true, force: true });
  }
}
