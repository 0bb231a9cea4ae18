import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { fileTypeFromBuffer, fileTypeFromFile } from 'file-type';
import type { MediaVaultFull, StagedFile } from './types.ts';
import type { Clock, FetchLike, Logger, StartWorker } from '../types.ts';
import type { HistoryStore, OutputRecord, PredictionRecord } from '../records/types.ts';
import { hasAdmin } from '../records/types.ts';
import type { Publisher } from '../events/publisher.ts';
import { planOutputs, toOutputRecords, type PlannedOutput } from './outputs.ts';
import { DISK_FULL_MESSAGE, DownloadError, downloadToFile, isDiskFull } from './download.ts';
import { finalizeFile } from './finalize.ts';
import { extForMime, extFromName, mimeForExt, safeExt } from './mime.ts';
import { downloadCap, GIVE_UP, MAX_SAVE_PASSES, saveNote } from './save-policy.ts';
import { FILE_MODE, privateDirSync, tightenTree } from '../data-dir.ts';
import type { DownloadKind } from '../../../shared/limits.ts';
import { isInside, safeRelativePath } from './media-handler.ts';
import { createTrash } from './trash.ts';
import { outputsExpireAt } from '../records/retention.ts';
import { replicateNetTrust, type ProviderNetTrust, type ResolveHost } from '../net/trust.ts';
import type { ProviderId } from '../../../shared/domain/provider.ts';
import { backoffDelay } from '../../../shared/backoff.ts';
import { ownProcessDir } from './process-dir.ts';
import { storageUsage, clearStorage } from './storage.ts';
import { savePoster } from './poster.ts';
import { mp4TaggerInChild, type Mp4Tagger } from './mp4-tag-child.ts';

export interface VaultOptions {
  dataDir: string;
  fetch: FetchLike;
  clock: Clock;
  log: Logger;
  history: HistoryStore;
  publisher: Publisher;
  /**
   * Replicate's API base: with getToken, Replicate's network trust when `trust` does not give one
   * (tests that build a vault for Replicate alone).
   */
  replicateBaseUrl: string;
  /** Each provider's network trust (net/trust.ts): the vault judges a run's downloads by its provider's. */
  trust?: Partial<Record<ProviderId, ProviderNetTrust>>;
  /** Where an output host's name leads: one resolving to a private address is refused (net/trust.ts). */
  resolveHost?: ResolveHost;
  /** Downloads running at once across all predictions. */
  concurrency?: number;
  /** Attempts per output within one save pass, and the first back-off (doubling, with jitter). */
  retry?: { attempts: number; baseMs: number };
  /** A save pass that failed for a retryable reason (network, disk full) runs again after this. */
  retryLaterMs?: number;
  /** How long deleted runs are kept for "Recently deleted" (default 30 days; tests shorten it). */
  undoWindowMs?: number;
  /** Replicate's token, for output hosts that demand it (sent only to trusted origins; see download.ts). */
  getToken?: () => Promise<string | null>;
  /** Test seam for disk-full faults: how download temp files are opened. */
  openFile?: (p: string) => Promise<fs.promises.FileHandle>;
  /** Download size caps per kind in bytes (Settings → Downloads); LIMITS.download fills the gaps. */
  downloadLimits?: () => Partial<Record<DownloadKind, number>>;
  /** How the MP4 tag worker starts (types.ts StartWorker); Node's fork when not given. */
  startWorker?: StartWorker;
}

const RETRYABLE = new Set(['transient', 'disk-full']);

// The media vault (ARCHITECTURE.md, "Storage"): every output saved locally the moment a prediction succeeds.
// Layout under <dataDir>/media (the root the kiln-media handler serves):
//   <yyyy>/<mm>/<predictionId>/out-<i>.<ext> (+ .json sidecar for non-PNG)   outputs
//   thumbs/<yyyy>/<mm>/<predictionId>/out-<i>.webp                           thumbnails
//   inputs/<id>.<ext>                                                         staged user files
// Temp files and the delete trash live beside it (<dataDir>/.vault-tmp/<pid>, .trash/<pid>), never served.
export function createVault(opts: VaultOptions): MediaVaultFull {
  const root = path.join(opts.dataDir, 'media');
  privateDirSync(root);
  // Once per data folder: files an older Kiln saved 0644 become owner-only, in the background.
  const modesMarker = path.join(opts.dataDir, '.vault-modes-v1');
  if (!fs.existsSync(modesMarker)) {
    void tightenTree(root)
      .then(() => fs.promises.writeFile(modesMarker, '', { mode: FILE_MODE }))
      .catch((err) => opts.log.warn('could not tighten media permissions', { err: String(err) }));
  }
  // Anything left in a dead process's tmp is a download a crash interrupted; saveOutputs redoes it.
  const tmpDir = ownProcessDir(path.join(opts.dataDir, '.vault-tmp'));

  const { history, publisher, log, clock } = opts;
  const replicateTrust = replicateNetTrust(opts.replicateBaseUrl, opts.getToken ?? (async () => null));
  /** A run's downloads are judged by its own provider's trust; a provider without one gets no key and no http origin. */
  const trustFor = (provider: ProviderId | undefined): Pick<ProviderNetTrust, 'bases' | 'key'> & { authorization?: ProviderNetTrust['authorization'] } => {
    const p = provider ?? 'replicate';
    const t = opts.trust?.[p];
    if (t) return t;
    if (p === 'replicate') return replicateTrust;
    return { bases: [], key: { bases: [] } };
  };
  const retry = opts.retry ?? { attempts: 4, baseMs: 1000 };
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  const retryLaterMs = opts.retryLaterMs ?? 60_000;
  const abort = new AbortController();
  const inflight = new Map<string, Promise<void>>();
  const laterTimers = new Map<string, unknown>();
  const sleepers = new Set<{ handle: unknown; resolve: () => void }>();
  let closed = false;

  /** At most `limit` of fn at once; the rest wait their turn in order (a queue of resolvers, nothing more). */
  function limiter(limit: number) {
    let running = 0;
    const waiting: (() => void)[] = [];
    return async function withSlot<T>(fn: () => Promise<T>): Promise<T> {
      if (running >= limit) await new Promise<void>((r) => waiting.push(r));
      running++;
      try {
        return await fn();
      } finally {
        running--;
        waiting.shift()?.();
      }
    };
  }
  // Bounded parallelism shared by every prediction's downloads.
  const withSlot = limiter(concurrency);
  // ...and of whole save passes: when 1,000 runs succeed together (ARCHITECTURE.md, "Performance targets"), only a few passes
  // hold their record, output rows, file checks and thumbnail at once; the rest wait as a bare
  // queue entry, not as 1,000 half-started passes with their history writes and card updates
  // (docs/DECISIONS.md, "Memory when 1,000 finish"). Twice the download slots, so one pass
  // finalizing (magic check, PNG text, thumbnail) never leaves a download slot idle.
  const withPass = limiter(2 * concurrency);

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const s = { handle: null as unknown, resolve };
      s.handle = clock.setTimeout(() => {
        sleepers.delete(s);
        resolve();
      }, ms);
      sleepers.add(s);
    });
  }

  // MP4 tags are written by a child process each (mp4-tag-child.ts), one at a time: a remux is
  // bound by the disk, and each child is a whole Node process while it runs.
  const mp4 = mp4TaggerInChild({ log, startWorker: opts.startWorker });
  const withRemux = limiter(1);
  const tagMp4: Mp4Tagger = (src, dest, ext, tags) => withRemux(() => mp4.tag(src, dest, ext, tags));

  const tmpName = (ext: string) => path.join(tmpDir, `${randomBytes(8).toString('hex')}${safeExt(ext)}`);
  const finalize = (rec: PredictionRecord, out: OutputRecord, tmp: string, claimedMime: string | null, plannedExt: string, sha: string, size: number) =>
    finalizeFile({ root, log, tmpName, tagMp4 }, rec, out, tmp, claimedMime, plannedExt, sha, size);

  /** Any error as a DownloadError; a full disk is named as such wherever it happened (rename, thumbnail…). */
  const asDownloadError = (err: unknown): DownloadError =>
    err instanceof DownloadError
      ? err
      : isDiskFull(err)
        ? new DownloadError('disk-full', DISK_FULL_MESSAGE)
        : new DownloadError('transient', String((err as Error)?.message ?? err));

  async function saveOne(rec: PredictionRecord, out: OutputRecord, plan: PlannedOutput | undefined): Promise<string | null> {
    history.updateOutput(rec.id, out.index, { state: 'saving', error: null });
    publisher.changed(rec.id);
    try {
      let patch: Partial<OutputRecord>;
      if (plan?.inline) {
        const tmp = tmpName(plan.ext);
        await fs.promises.writeFile(tmp, plan.inline, { mode: FILE_MODE });
        const sha = createHash('sha256').update(plan.inline).digest('hex');
        patch = await finalize(rec, out, tmp, plan.mime, plan.ext, sha, plan.inline.length);
      } else if (out.remoteUrl) {
        if (rec.dataRemoved) throw new DownloadError('expired', 'the provider removed this output (data_removed)');
        const url = out.remoteUrl;
        const ext = plan?.ext ?? '.bin';
        const cap = downloadCap(out.kind, opts.downloadLimits?.());
        let lastErr: DownloadError | null = null;
        patch = {};
        for (let attempt = 1; attempt <= retry.attempts && !closed; attempt++) {
          const tmp = tmpName(ext);
          try {
            const r = await withSlot(() =>
              downloadToFile({
                fetch: opts.fetch,
                url,
                dest: tmp,
                trust: trustFor(rec.provider),
                resolveHost: opts.resolveHost,
                signal: abort.signal,
                openFile: opts.openFile,
                maxBytes: cap.bytes,
                limitName: cap.name,
              }),
            );
            patch = await finalize(rec, out, tmp, r.contentType ?? out.mime, ext, r.sha256, r.size);
            lastErr = null;
            break;
          } catch (err) {
            await fs.promises.rm(tmp, { force: true });
            lastErr = asDownloadError(err);
            // A refusal (403/410) once the provider's retention has passed is the file having expired.
            const goneAt = outputsExpireAt(rec);
            if ((lastErr.status === 403 || lastErr.status === 410) && goneAt !== null && clock.now() >= goneAt) {
              lastErr = new DownloadError(
                'expired',
                `the provider no longer has this output (HTTP ${lastErr.status} after its retention period)`,
                lastErr.status,
              );
            }
            if (lastErr.failure !== 'transient' || attempt === retry.attempts) break;
            await sleep(backoffDelay(attempt, { baseMs: retry.baseMs, maxMs: retry.baseMs * 2 ** retry.attempts }));
          }
        }
        if (lastErr) throw lastErr;
        if (closed && !patch.state) throw new DownloadError('transient', 'vault closed');
      } else {
        throw new DownloadError('permanent', 'output has neither content nor a URL');
      }
      history.updateOutput(rec.id, out.index, { ...patch, failure: null, attempts: 0 });
      return null;
    } catch (err) {
      const e = asDownloadError(err);
      // Retryable failures are counted per pass; past MAX_SAVE_PASSES they are final too, so a host
      // that never recovers is not asked forever. A full disk is the user's to fix: never counted.
      const attempts = (out.attempts ?? 0) + (e.failure === 'transient' ? 1 : 0);
      const final = !RETRYABLE.has(e.failure) || attempts >= MAX_SAVE_PASSES;
      const error = e.failure === 'transient' && final ? `gave up after ${attempts} tries: ${e.message}` : e.message;
      history.updateOutput(rec.id, out.index, { state: e.failure === 'expired' ? 'expired' : 'failed', error, failure: final ? GIVE_UP : e.failure, attempts });
      if (e.failure !== 'expired') log.warn('output not saved', { id: rec.id, index: out.index, failure: e.failure, final, reason: e.message });
      return final ? GIVE_UP : e.failure;
    } finally {
      publisher.changed(rec.id);
    }
  }

  /** One save pass, from the row as it is now (a pass waits its turn: the caller's record may be stale, or the row deleted). */
  async function doSave(id: string): Promise<void> {
    const rec = closed ? null : history.get(id);
    if (!rec || rec.status !== 'succeeded') return;
    const planned = planOutputs(rec);
    let outputs = history.getOutputs(rec.id);
    if (outputs.length === 0 && planned.length > 0) {
      history.setOutputs(rec.id, toOutputRecords(planned));
      outputs = history.getOutputs(rec.id);
    }
    // Given-up outputs wait for the user's Re-download; nothing retries them on its own.
    const todo = outputs.filter(
      (o) => o.state !== 'saved' && o.state !== 'expired' && o.state !== 'missing' && !(o.state === 'failed' && o.failure === GIVE_UP),
    );
    if (todo.length > 0) {
      history.update(rec.id, { saveState: 'saving' });
      publisher.changed(rec.id);
    }
    const failures = await Promise.all(todo.map((o) => saveOne(rec, o, planned[o.index])));
    if (closed) return;
    const after = history.getOutputs(rec.id);
    // Output already gone at the provider (data_removed: output is null) before we saw it.
    const nothingLeft = after.length === 0 && rec.dataRemoved;
    const saveState = nothingLeft
      ? 'expired'
      : after.some((o) => o.state === 'failed' || o.state === 'pending' || o.state === 'saving')
        ? 'save-failed'
        : after.some((o) => o.state === 'expired')
          ? 'expired'
          : 'saved';
    const note = saveNote(after);
    history.update(rec.id, { saveState, ...(note !== undefined ? { note } : {}) });
    publisher.changed(rec.id);
    if (saveState === 'save-failed' && failures.some((f) => f !== null && RETRYABLE.has(f))) {
      const passes = Math.max(1, ...after.map((o) => o.attempts ?? 0));
      // Later passes back off up to 64× the first wait (an hour at the default minute).
      retryLater(rec.id, backoffDelay(passes, { baseMs: retryLaterMs, maxMs: retryLaterMs * 64 }));
    }
  }

  /** One later save pass per prediction, for failures that may pass (network, full disk). */
  function retryLater(id: string, ms: number) {
    if (closed || laterTimers.has(id)) return;
    laterTimers.set(
      id,
      clock.setTimeout(() => {
        laterTimers.delete(id);
        const again = history.get(id);
        if (again && !closed) void vault.saveOutputs(again);
      }, ms),
    );
  }

  function staged(id: string, relPath: string, mime: string, size: number): StagedFile {
    return { ref: `kiln-file:${id}`, path: relPath, absPath: path.join(root, relPath), mime, size };
  }

  async function stageBytes(source: { bytes?: Uint8Array; file?: string }, name: string | null, claimedMime: string): Promise<StagedFile> {
    const id = randomBytes(10).toString('hex');
    const tmp = tmpName('');
    if (source.bytes) await fs.promises.writeFile(tmp, source.bytes, { mode: FILE_MODE });
    else {
      await fs.promises.copyFile(source.file!, tmp);
      await fs.promises.chmod(tmp, FILE_MODE);
    }
    const detected = source.bytes ? await fileTypeFromBuffer(source.bytes) : await fileTypeFromFile(tmp);
    const mime = detected?.mime ?? claimedMime;
    const nameExt = name ? extFromName(name) : null;
    const ext = safeExt(detected ? `.${detected.ext}` : (nameExt ?? extForMime(mime) ?? '.bin'));
    const relPath = `inputs/${id}${ext}`;
    privateDirSync(path.join(root, 'inputs'));
    const hash = createHash('sha256');
    for await (const c of fs.createReadStream(tmp)) hash.update(c as Buffer);
    const { size } = await fs.promises.stat(tmp);
    await fs.promises.rename(tmp, path.join(root, relPath));
    if (hasAdmin(history)) history.addInputFile({ id, path: relPath, name, mime, size, sha256: hash.digest('hex'), createdAt: clock.now() });
    return staged(id, relPath, mime, size);
  }

  const trash = createTrash({ dataDir: opts.dataDir, root, clock, log, history, publisher, keepMs: opts.undoWindowMs });

  const vault: MediaVaultFull = {
    root,

    saveOutputs(rec) {
      // Only the id waits in the queue, never the record: when 1,000 runs succeed together, 1,000
      // records (input, output, logs, schema) held until their turn would outlive several young-
      // generation collections and be promoted, growing V8's old space for the whole burst.
      const id = rec.id;
      const existing = inflight.get(id);
      if (existing) return existing;
      const p = withPass(() => doSave(id))
        .catch((err) => {
          const full = isDiskFull(err);
          if (full) log.warn(`saving outputs: ${DISK_FULL_MESSAGE}`, { id, err: String(err) });
          else log.error('saving outputs failed unexpectedly', { id, err: String(err) });
          try {
            history.update(id, { saveState: 'save-failed', ...(full ? { note: DISK_FULL_MESSAGE } : {}) });
            publisher.changed(id);
          } catch {
            // the prediction may have been deleted meanwhile, or the disk is too full for this write too
          }
          // A full disk anywhere (even the history write) is retried later, as the message promises.
          if (full) retryLater(id, retryLaterMs);
        })
        .finally(() => inflight.delete(id));
      inflight.set(id, p);
      return p;
    },

    stageInput: (name, mime, bytes) => stageBytes({ bytes }, name, mime),

    stageInputFromPath: (absPath) => stageBytes({ file: absPath }, path.basename(absPath), mimeForExt(path.extname(absPath))),

    resolveStaged(ref) {
      const m = /^kiln-file:([0-9a-f]{1,64})$/.exec(ref);
      if (!m || !hasAdmin(history)) return null;
      const f = history.getInputFile(m[1]!);
      if (!f) return null;
      const abs = vault.resolve(f.path);
      if (!abs || !fs.existsSync(abs)) return null;
      return staged(f.id, f.path, f.mime, f.size);
    },

    resolve(relPath) {
      const safe = safeRelativePath(relPath);
      if (safe === null) return null;
      const abs = path.join(root, safe);
      return isInside(root, abs) ? abs : null;
    },

    checkFiles(predictionId) {
      let n = 0;
      for (const o of history.getOutputs(predictionId)) {
        if (o.state !== 'saved' || !o.path) continue;
        const abs = vault.resolve(o.path);
        if (abs && fs.existsSync(abs)) continue;
        history.updateOutput(predictionId, o.index, { state: 'missing', error: 'the file was deleted outside Kiln' });
        n++;
      }
      if (n > 0) publisher.changed(predictionId);
      return n;
    },

    async redownload(predictionId) {
      const rec = history.get(predictionId);
      if (!rec) return;
      vault.checkFiles(predictionId);
      for (const o of history.getOutputs(predictionId)) {
        if (o.state === 'missing' || o.state === 'failed' || o.state === 'pending' || (o.state === 'expired' && !rec.dataRemoved)) {
          // The user's Re-download is the manual retry: a given-up output starts over.
          history.updateOutput(predictionId, o.index, { state: 'pending', error: null, failure: null, attempts: 0 });
        }
      }
      await (inflight.get(predictionId) ?? Promise.resolve());
      await vault.saveOutputs(rec);
    },

    deletePredictions: (ids) => trash.remove(ids),
    undoDelete: (token) => trash.undo(token),
    recentlyDeleted: trash,
    usage: () => storageUsage({ root, dataDir: opts.dataDir, history }),
    savePoster: (id, index, bytes) => savePoster({ root, history, publisher, tmpName }, id, index, bytes),
    clear: (what) => clearStorage({ root, tmpDir, history, what, busy: () => inflight.size > 0 }),

    async close() {
      closed = true;
      abort.abort();
      for (const t of laterTimers.values()) clock.clearTimeout(t);
      laterTimers.clear();
      for (const s of sleepers) {
        clock.clearTimeout(s.handle);
        s.resolve();
      }
      sleepers.clear();
      // A remux still running ends now: its output is kept as downloaded, with a JSON sidecar.
      mp4.close();
      await Promise.allSettled([...inflight.values()]);
      trash.close();
    },
  };
  return vault;
}
