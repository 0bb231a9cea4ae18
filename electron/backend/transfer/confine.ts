import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { OutputRecord, PredictionRecord, PredictionSnapshot } from '../records/types.ts';
import { isTerminal } from '../../../shared/domain/status.ts';
import { LIMITS, formatBytes } from '../../../shared/limits.ts';
import { isInside, safeRelativePath } from '../vault/media-handler.ts';
import { isExecutableExt } from '../vault/mime.ts';
import { planOutputs, toOutputRecords } from '../vault/outputs.ts';
import { dirFor } from '../vault/finalize.ts';
import { boundLogs } from '../providers/bounds.ts';
import { boundText, NO_ERROR_MESSAGE } from '../engine/record-rules.ts';
import { FILE_MODE } from '../data-dir.ts';

// The rules that keep an archive's paths where they belong, for import and export alike: a path is
// a clean vault-relative name (no `..`, no absolute, no percent tricks, no executable extension),
// a file is a regular file reached without following a link, and a copy never leaves its root.

const MAX_PATH = 1000;

/** The path as written if it is already a clean vault-relative one, else null (never "repaired"). */
export function cleanArchivePath(p: unknown): string | null {
  if (typeof p !== 'string' || p.length === 0 || p.length > MAX_PATH) return null;
  if (safeRelativePath(p) !== p) return null; // also refuses anything percent-decoding would change
  if (isExecutableExt(path.extname(p))) return null;
  return p;
}

/** A regular file inside `root`, reached without following a link anywhere on the way. */
function isConfinedFile(root: string, abs: string): boolean {
  try {
    if (!fs.lstatSync(abs).isFile()) return false; // a symlink is not a file here
    return isInside(fs.realpathSync(root), fs.realpathSync(abs));
  } catch {
    return false;
  }
}

export function isVaultFile(vaultRoot: string, rel: string): boolean {
  return cleanArchivePath(rel) !== null && isConfinedFile(vaultRoot, path.join(vaultRoot, rel));
}

/**
 * Copies `from` to `<destRoot>/<rel>`; false (nothing written) when the path or the source is not
 * acceptable. The source is opened with O_NOFOLLOW after its checks, so a link swapped in between
 * is refused too; `budget` bounds what a folder import may copy in total. A file already at the
 * destination is not the copy — it may be another run's — unless `adopt` says nobody owns it (a
 * run's own file left in the vault, its history row lost), and then true without writing.
 */
export async function copyConfined(
  from: string,
  destRoot: string,
  rel: string,
  opts: { sourceRoot?: string; budget?: { left: number; limit: number }; adopt?: (rel: string) => boolean } = {},
): Promise<boolean> {
  if (cleanArchivePath(rel) === null) return false;
  const to = path.join(destRoot, rel);
  if (!isInside(destRoot, to)) return false;
  if (fs.lstatSync(to, { throwIfNoEntry: false })) return opts.adopt?.(rel) === true && isConfinedFile(destRoot, to);
  if (opts.sourceRoot && !isConfinedFile(opts.sourceRoot, from)) return false;
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(from, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0));
  } catch {
    return false;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) return false;
    if (opts.budget) {
      if (st.size > opts.budget.left) throw new Error(`the import is larger than the ${formatBytes(opts.budget.limit)} limit`);
      opts.budget.left -= st.size;
    }
    fs.mkdirSync(path.dirname(to), { recursive: true, mode: 0o700 });
    // The folder we write into must itself resolve inside the root (no planted link on the way).
    if (!isInside(fs.realpathSync(destRoot), path.join(fs.realpathSync(path.dirname(to)), path.basename(to)))) return false;
    await pipeline(fh.createReadStream({ autoClose: false }), fs.createWriteStream(to, { flags: 'wx', mode: FILE_MODE }));
    return true;
  } finally {
    await fh.close().catch(() => {});
  }
}

/** The vault folders a run's files live in (vault.ts layout: finalize.ts dirFor), as archive paths. */
export function ownFolders(rec: Pick<PredictionRecord, 'createdAt' | 'id'>): { outputs: string; thumbs: string } {
  const own = dirFor(rec).split(path.sep).join('/');
  return { outputs: `${own}/`, thumbs: `thumbs/${own}/` };
}

/**
 * An imported run as Kiln will keep it: paths clean and inside the run's own vault folders or null
 * (a path naming another run's file would make that file this run's: shown as its output, trashed
 * with it), text cut to a live run's bounds the way the live path cuts it, no follow-up URLs (only
 * the https web page, opened by a click), and a run that was still going when exported ends as
 * failed here — following it would mean requests nobody asked for. Types were checked by the
 * manifest's schema (transfer.ts).
 */
export function sanitizeSnapshot(raw: PredictionSnapshot, defaults: Partial<PredictionRecord>): PredictionSnapshot {
  const r = { ...defaults, ...raw.record } as PredictionRecord;
  const web = typeof r.urls?.web === 'string' && /^https:\/\//i.test(r.urls.web) ? r.urls.web : null;
  // As a provider's answer is bounded (providers/bounds.ts, engine/record-rules.ts): the tail of the
  // logs, the head of the text (with the note saying so), the head of an error; a note is a
  // one-line message like an error, the user's own notes are bounded like a prompt.
  const text = r.text === null || r.text === undefined ? { text: null, note: null } : boundText(r.text);
  const clip = (v: string | null | undefined, max: number) => (v === null || v === undefined ? null : boundText(v, max).text);
  const record: PredictionRecord = {
    ...r,
    statusSince: r.statusSince ?? r.createdAt,
    urls: web ? { web } : {},
    cancelRequested: false,
    logs: boundLogs(r.logs ?? ''),
    text: text.text,
    note: text.note ?? clip(r.note, LIMITS.errorTextChars),
    error: r.error ? { code: r.error.code, message: clip(r.error.message, LIMITS.errorTextChars) || NO_ERROR_MESSAGE } : null,
    userNotes: clip(r.userNotes, LIMITS.promptChars),
  };
  if (!isTerminal(record.status)) {
    Object.assign(record, {
      status: 'failed',
      completedAt: record.completedAt ?? record.createdAt,
      error: { code: 'imported', message: 'This run was still in progress when it was exported; Kiln does not follow imported runs. Retry to run it again.' },
    });
  }
  const own = ownFolders(record);
  const under = (p: unknown, folder: string) => {
    const clean = cleanArchivePath(p);
    return clean !== null && clean.startsWith(folder) ? clean : null;
  };
  let outputs: OutputRecord[] = raw.outputs.map((o) => ({
    ...o,
    predictionId: record.id,
    path: under(o.path, own.outputs),
    thumbPath: under(o.thumbPath, own.thumbs),
    error: clip(o.error, LIMITS.errorTextChars),
    failure: null,
    attempts: 0,
  }));
  if (record.status === 'succeeded' && outputs.length === 0 && record.output !== null && record.output !== undefined) {
    // Rows the vault would otherwise plan and download by itself on the next start.
    outputs = toOutputRecords(planOutputs(record)).map((o) => ({ ...o, predictionId: record.id, state: 'missing' as const }));
  }
  const allExpired = outputs.length > 0 && outputs.every((o) => o.state === 'expired');
  record.saveState = record.status !== 'succeeded' ? 'none' : allExpired || record.saveState === 'expired' ? 'expired' : 'saved';
  return { record, outputs };
}
