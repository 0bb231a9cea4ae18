import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { HistoryStoreFull, InputFileRecord, PredictionSnapshot } from '../records/types.ts';
import { snapshotFiles as filesOf } from '../vault/snapshot-files.ts';
import { LIMITS, formatBytes } from '../../../shared/limits.ts';
import { parseJsonWithin } from '../../../shared/json-shape.ts';
import { PROVIDER_IDS } from '../../../shared/domain/provider.ts';
import { SAVE_STATES } from '../../../shared/domain/status.ts';
import { GroupKind, OutputKind, OutputState, PredictionView, Progress } from '../../../shared/domain/prediction.ts';
import { RunInput } from '../../../shared/run-input.ts';
import { approxJsonSize } from '../../../shared/message-size.ts';
import { extractZip, writeZip, type ArchiveLimits } from './archive.ts';
import { cleanArchivePath, copyConfined, isVaultFile, ownFolders, sanitizeSnapshot } from './confine.ts';
import { vetImportedPicture } from '../vault/thumbs.ts';

// Export a selection (or everything) as a folder or a .zip: manifest.json + media/<vault path>.
// Every record carries its provider (replicate or fal; ARCHITECTURE.md, "Fixed interfaces"), so a fal run comes back a fal run.
// Import merges it back: predictions already present (same id or same provider id) are skipped,
// so importing the same export twice changes nothing. An archive is untrusted input (docs/ARCHITECTURE.md, "Where each rule lives"):
// every path is confined (confine.ts), links are never followed, sizes are bounded (archive.ts),
// and nothing in it is fetched — an output not in the archive arrives as "missing", for the user's
// Re-download. Export writes only inside its destination and only regular files of the vault.

export const MANIFEST_FORMAT = 'kiln-history';
export const MANIFEST_VERSION = 1;

/** Within `max` bytes as JSON (the walk stops early: a huge value costs a walk of `max`, not a copy). */
const jsonWithin = (max: number) => (v: unknown) => approxJsonSize(v, max + 1) <= max;
/** Kiln's run ids (UUIDs) are already what the vault's folder name makes of them (finalize.ts dirFor). */
const RUN_ID = /^[A-Za-z0-9_-]{1,100}$/;

// Every field of an imported run is checked for its type and value, as the live path would have
// produced it; a manifest with a run that does not fit is refused whole, naming the field. Sizes
// follow a live run's bounds: the input as a create request's (RunInput: runInputBytes,
// promptChars), the raw output as an API response's; text fields (logs, text, error, notes) are
// cut where a live run's would be, in sanitizeSnapshot (confine.ts).
const ImportedRecord = z.object({
  id: z.string().regex(RUN_ID, { error: () => `a prediction's id must be 1-100 letters, digits, "-" or "_"` }),
  provider: z.enum(PROVIDER_IDS, { error: () => `a prediction's provider is not one Kiln knows (${PROVIDER_IDS.join(', ')})` }),
  providerId: z.string().min(1).max(200).nullable().optional(),
  model: z.string().min(1).max(200),
  version: z.string().max(100).nullable().optional(),
  target: z.enum(['model', 'version', 'deployment']).optional(),
  input: RunInput,
  inputSchema: z
    .record(z.string(), z.unknown())
    .refine(jsonWithin(LIMITS.modelSchemaBytes), { error: `a prediction's inputSchema is over ${formatBytes(LIMITS.modelSchemaBytes)} (modelSchemaBytes)` })
    .nullable()
    .optional(),
  status: z.string().min(1).max(100).optional(),
  saveState: z.enum(SAVE_STATES).optional(),
  createdAt: z.number().int().min(0).max(8.64e15), // a valid Date: it names the run's vault folder
  providerCreatedAt: z.number().nullable().optional(),
  startedAt: z.number().nullable().optional(),
  completedAt: z.number().nullable().optional(),
  statusSince: z.number().optional(),
  timeline: z.array(z.object({ status: z.string().max(100), at: z.number() })).optional(),
  logs: z.string().optional(),
  progress: Progress.nullable().optional(),
  text: z.string().nullable().optional(),
  output: z
    .unknown()
    .refine(jsonWithin(LIMITS.apiResponseBytes), { error: `a prediction's output is over ${formatBytes(LIMITS.apiResponseBytes)} (apiResponseBytes)` })
    .optional(),
  error: z
    .object({ code: z.string().max(100).nullable(), message: z.string() })
    .nullable()
    .optional(),
  metrics: PredictionView.shape.metrics.optional(),
  urls: z.object({ web: z.string().max(2000).nullable().optional() }).optional(),
  cancelAfter: z.string().max(100).nullable().optional(),
  retryOf: z.string().max(100).nullable().optional(),
  favourite: z.boolean().optional(),
  note: z.string().nullable().optional(),
  submitAttempts: z.number().int().min(0).optional(),
  cancelRequested: z.boolean().optional(),
  dataRemoved: z.boolean().optional(),
  tags: z.array(z.string().max(200)).max(1000).optional(),
  userNotes: z.string().nullable().optional(),
  seed: z.number().int().nullable().optional(),
  cost: z
    .object({ amount: z.number(), currency: z.string().max(10) })
    .nullable()
    .optional(),
  groupId: z.string().max(100).nullable().optional(),
  groupKind: GroupKind.nullable().optional(),
  groupIndex: z.number().int().nullable().optional(),
  sourceId: z.string().max(100).nullable().optional(),
});

const ImportedOutput = z.object({
  index: z.number().int().min(0).max(1_000_000),
  kind: OutputKind,
  state: OutputState,
  remoteUrl: z.string().nullable().optional(),
  path: z.string().nullable(),
  thumbPath: z.string().nullable(),
  mime: z.string().nullable().optional(), // not served (the file's extension is): a server's Content-Type as it came
  size: z.number().nullable().optional(),
  width: z.number().nullable().optional(),
  height: z.number().nullable().optional(),
  sha256: z.string().max(128).nullable().optional(),
  error: z.string().nullable().optional(),
});

const Manifest = z.object({
  format: z.literal(MANIFEST_FORMAT),
  version: z.number().int().max(MANIFEST_VERSION),
  exportedAt: z.number(),
  predictions: z.array(
    z.object({
      record: ImportedRecord,
      outputs: z.array(ImportedOutput).refine((os) => new Set(os.map((o) => o.index)).size === os.length, { error: "a prediction's output indexes repeat" }),
    }),
  ),
  // A staged input as the vault stages it (vault.ts stageBytes): a hex id, its file, a claimed type
  // as files:stage takes one.
  inputFiles: z
    .array(
      z.object({
        id: z.string().regex(/^[0-9a-f]{1,64}$/),
        path: z.string(),
        name: z.string().max(300).nullable().optional(),
        mime: z.string().max(100),
        size: z.number().int().min(0),
        sha256: z.string().max(128).nullable().optional(),
        createdAt: z.number().optional(),
      }),
    )
    .default([]),
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
    const manifest = Manifest.parse(parseJsonWithin(fs.readFileSync(manifestFile, 'utf8'), limits.manifestShape));
    if (manifest.predictions.length + manifest.inputFiles.length > limits.entries)
      throw new Error(`the manifest lists more than ${limits.entries.toLocaleString('en')} entries (the import limit)`);
    const budget = { left: limits.totalBytes, limit: limits.totalBytes };
    // What arrived is what this import copied, or a file already in the run's own place that no
    // row of the history names (its row lost, say to a damaged database): never a file that merely
    // exists at the path the manifest gives, which may be another run's.
    const owned = opts.history.referencedPaths();
    const adopt = (rel: string) => !owned.has(rel) && !(rel.endsWith('.json') && owned.has(rel.slice(0, -'.json'.length)));
    const arrived = new Set<string>();
    const bring = async (rel: string): Promise<boolean> => {
      if (!(await copyConfined(path.join(dir, 'media', rel), opts.vaultRoot, rel, { sourceRoot: dir, budget, adopt }))) return false;
      arrived.add(rel);
      owned.add(rel);
      return true;
    };
    let imported = 0;
    let skipped = 0;
    for (const f of manifest.inputFiles) {
      if (opts.history.getInputFile(f.id)) continue;
      // A staged input is always inputs/<id><ext> (vault.ts stageBytes); anything else is not an
      // input Kiln made, and may be another input's file.
      const rel = cleanArchivePath(f.path);
      if (rel === null || !new RegExp(`^inputs/${f.id}(\\.[a-z0-9]{1,8})?$`).test(rel)) continue;
      if (!(await bring(rel))) continue;
      opts.history.addInputFile({
        id: f.id,
        path: rel,
        name: f.name ?? null,
        mime: f.mime,
        size: f.size,
        sha256: f.sha256 ?? null,
        createdAt: f.createdAt ?? 0,
      });
    }
    for (const raw of manifest.predictions as unknown as PredictionSnapshot[]) {
      const dup = opts.history.has(raw.record.id) || (raw.record.providerId ? opts.history.getByProviderId(raw.record.providerId) !== null : false);
      if (dup) {
        skipped++;
        continue;
      }
      const s = sanitizeSnapshot(raw, RECORD_DEFAULTS);
      for (const rel of filesOf(s)) await bring(rel);
      imported += opts.history.restore([await vetPictures(settleOutputs(s, arrived), opts.vaultRoot)]);
    }
    return { imported, skipped };
  } finally {
    if (cleanup) fs.rmSync(cleanup, { recursive: true, force: true });
  }
}

/**
 * Pictures as the vault would have saved them: sizes read from the files, thumbnails Kiln's own or
 * made again (vault/thumbs.ts). The gallery decides what to decode by both, and an archive's
 * width, height and thumbnail are only its claims.
 */
async function vetPictures(s: PredictionSnapshot, vaultRoot: string): Promise<PredictionSnapshot> {
  const own = ownFolders(s.record);
  const outputs = [];
  for (const o of s.outputs) {
    if (o.kind !== 'image' || o.state !== 'saved' || o.path === null) {
      outputs.push(o);
      continue;
    }
    const thumbRel = `${own.thumbs}out-${o.index}.webp`;
    const v = await vetImportedPicture(path.join(vaultRoot, o.path), o.thumbPath ? path.join(vaultRoot, o.thumbPath) : null, path.join(vaultRoot, thumbRel));
    const thumbPath = v.thumb === null ? null : v.thumb === path.join(vaultRoot, thumbRel) ? thumbRel : o.thumbPath;
    outputs.push({ ...o, width: v.width, height: v.height, thumbPath });
  }
  return { ...s, outputs };
}

/**
 * An output whose file did not arrive is "missing", with no path (a path it does not own would be
 * trashed with it): shown with Re-download, never fetched by itself.
 */
function settleOutputs(s: PredictionSnapshot, arrived: Set<string>): PredictionSnapshot {
  const outputs = s.outputs.map((o) => {
    const present = o.path !== null && arrived.has(o.path);
    return {
      ...o,
      path: present ? o.path : null,
      state: o.state === 'expired' ? ('expired' as const) : present && o.state === 'saved' ? ('saved' as const) : ('missing' as const),
      thumbPath: o.thumbPath && arrived.has(o.thumbPath) ? o.thumbPath : null,
    };
  });
  return { ...s, outputs };
}
