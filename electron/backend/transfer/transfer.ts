import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { HistoryStoreFull, InputFileRecord, PredictionSnapshot } from '../records/types.ts';
import { snapshotFiles as filesOf } from '../vault/snapshot-files.ts';
import { LIMITS, formatBytes } from '../../../shared/limits.ts';
import { PROVIDER_IDS } from '../../../shared/domain/provider.ts';
import { extractZip, writeZip, type ArchiveLimits } from './archive.ts';
import { cleanArchivePath, copyConfined, isVaultFile, sanitizeSnapshot } from './confine.ts';

// Export a selection (or everything) as a folder or a .zip: manifest.json + media/<vault path>.
// Every record carries its provider (replicate or fal; ARCHITECTURE.md, "Fixed interfaces"), so a fal run comes back a fal run.
// Import merges it back: predictions already present (same id or same provider id) are skipped,
// so importing the same export twice changes nothing. An archive is untrusted input (docs/ARCHITECTURE.md, "Where each rule lives"):
// every path is confined (confine.ts), links are never followed, sizes are bounded (archive.ts),
// and nothing in it is fetched — an output not in the archive arrives as "missing", for the user's
// Re-download. Export writes only inside its destination and only regular files of the vault.

export const MANIFEST_FORMAT = 'kiln-history';
export const MANIFEST_VERSION = 1;

const Manifest = z.object({
  format: z.literal(MANIFEST_FORMAT),
  version: z.number().int().max(MANIFEST_VERSION),
  exportedAt: z.number(),
  predictions: z.array(
    z.object({
      record: z.looseObject({
        id: z.string().min(1).max(100),
        model: z.string(),
        provider: z.enum(PROVIDER_IDS, { error: () => `a prediction's provider is not one Kiln knows (${PROVIDER_IDS.join(', ')})` }),
        createdAt: z.number(),
        input: z.record(z.string(), z.unknown()),
      }),
      outputs: z.array(
        z.looseObject({ index: z.number().int(), kind: z.string(), state: z.string(), path: z.string().nullable(), thumbPath: z.string().nullable() }),
      ),
    }),
  ),
  inputFiles: z.array(z.looseObject({ id: z.string().regex(/^[0-9a-f]{1,64}$/), path: z.string(), mime: z.string(), size: z.number() })).default([]),
});

/** Fills what an older or hand-made manifest may leave out, so restore never hits a NOT NULL. */
const RECORD_DEFAULTS: Omit<PredictionSnapshot['record'], 'id' | 'model' | 'provider' | 'createdAt' | 'input' | 'statusSince'> = {
  providerId: null,
  version: null,
  target: 'model',
  inputSchema: null,
  status: 'succeeded',
  saveState: 'none',
  providerCreatedAt: null,
  startedAt: null,
  completedAt: null,
  timeline: [],
  logs: '',
  progress: null,
  text: null,
  output: null,
  error: null,
  metrics: null,
  urls: {},
  cancelAfter: null,
  retryOf: null,
  favourite: false,
  note: null,
  submitAttempts: 0,
  cancelRequested: false,
  dataRemoved: false,
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

export async function exportHistory(opts: {
  history: HistoryStoreFull;
  vaultRoot: string;
  dest: string;
  ids?: string[];
  now: number;
}): Promise<{ path: string; count: number }> {
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
  // Only clean vault-relative paths naming a regular file really inside the vault: a row that says
  // "../secrets.json" (an older import let one in) exports as a row without its file.
  const candidates = [...new Set([...predictions.flatMap(filesOf), ...[...inputFiles.values()].map((f) => f.path)])];
  const media = candidates.filter((rel) => isVaultFile(opts.vaultRoot, rel));

  if (opts.dest.toLowerCase().endsWith('.zip')) {
    await writeZip(opts.dest, manifest, opts.vaultRoot, media);
  } else {
    fs.mkdirSync(opts.dest, { recursive: true });
    const mediaDir = path.join(opts.dest, 'media');
    for (const rel of media) await copyConfined(path.join(opts.vaultRoot, rel), mediaDir, rel);
    // The manifest goes last: a folder with a manifest is a complete export.
    fs.writeFileSync(path.join(opts.dest, 'manifest.json'), JSON.stringify(manifest, null, 2), { flag: 'wx' });
  }
  return { path: opts.dest, count: predictions.length };
}

export async function importHistory(opts: {
  history: HistoryStoreFull;
  vaultRoot: string;
  source: string;
  tmpParent: string;
  limits?: ArchiveLimits;
}): Promise<{ imported: number; skipped: number }> {
  const limits = opts.limits ?? LIMITS.archive;
  let dir = fs.realpathSync(opts.source); // the user's own choice may be a link; nothing inside it may
  let cleanup: string | null = null;
  if (fs.statSync(dir).isFile()) {
    cleanup = path.join(opts.tmpParent, `import-${randomBytes(6).toString('hex')}`);
    fs.mkdirSync(cleanup, { recursive: true });
    dir = cleanup;
  }
  try {
    if (cleanup) await extractZip(fs.realpathSync(opts.source), cleanup, limits);
    const manifestFile = path.join(dir, 'manifest.json');
    const st = fs.lstatSync(manifestFile);
    if (!st.isFile()) throw new Error('manifest.json is not a regular file');
    if (st.size > limits.manifestBytes) throw new Error(`manifest.json is larger than the ${formatBytes(limits.manifestBytes)} import limit`);
    const manifest = Manifest.parse(JSON.parse(fs.readFileSync(manifestFile, 'utf8')));
    if (manifest.predictions.length + manifest.inputFiles.length > limits.entries)
      throw new Error(`the manifest lists more than ${limits.entries.toLocaleString('en')} entries (the import limit)`);
    const budget = { left: limits.totalBytes, limit: limits.totalBytes };
    let imported = 0;
    let skipped = 0;
    for (const f of manifest.inputFiles) {
      if (opts.history.getInputFile(f.id)) continue;
      // A staged input is always inputs/<file>; anything else is not an input Kiln made.
      const rel = cleanArchivePath(f.path);
      if (rel === null || !rel.startsWith('inputs/')) continue;
      if (!(await copyConfined(path.join(dir, 'media', rel), opts.vaultRoot, rel, { sourceRoot: dir, budget }))) continue;
      opts.history.addInputFile({
        id: f.id,
        path: rel,
        name: (f.name as string | null) ?? null,
        mime: f.mime,
        size: f.size,
        sha256: (f.sha256 as string | null) ?? null,
        createdAt: Number(f.createdAt ?? 0),
      });
    }
    for (const raw of manifest.predictions as unknown as PredictionSnapshot[]) {
      const dup = opts.history.has(raw.record.id) || (raw.record.providerId ? opts.history.getByProviderId(raw.record.providerId) !== null : false);
      if (dup) {
        skipped++;
        continue;
      }
      const s = sanitizeSnapshot(raw, RECORD_DEFAULTS);
      for (const rel of filesOf(s)) await copyConfined(path.join(dir, 'media', rel), opts.vaultRoot, rel, { sourceRoot: dir, budget });
      imported += opts.history.restore([settleOutputs(s, opts.vaultRoot)]);
    }
    return { imported, skipped };
  } finally {
    if (cleanup) fs.rmSync(cleanup, { recursive: true, force: true });
  }
}

/** An output whose file did not arrive is "missing": shown with Re-download, never fetched by itself. */
function settleOutputs(s: PredictionSnapshot, vaultRoot: string): PredictionSnapshot {
  const outputs = s.outputs.map((o) => {
    if (o.state === 'expired') return o;
    const present = o.path !== null && isVaultFile(vaultRoot, o.path);
    return {
      ...o,
      state: present && o.state === 'saved' ? ('saved' as const) : ('missing' as const),
      thumbPath: o.thumbPath && isVaultFile(vaultRoot, o.thumbPath) ? o.thumbPath : null,
    };
  });
  return { ...s, outputs };
}
