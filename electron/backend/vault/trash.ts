import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Clock, Logger } from '../types.ts';
import type { HistoryStore, PredictionSnapshot } from '../records/types.ts';
import { hasAdmin } from '../records/types.ts';
import { snapshotFiles as filesOf } from './snapshot-files.ts';
import type { Publisher } from '../events/publisher.ts';

// Delete, kept as "Recently deleted". Rows leave the history in one transaction and their files
// move (rename, same disk: instant) to <dataDir>/.trash/<token>/, beside a manifest holding the
// rows, so the gallery and the disk agree at once and nothing is lost to a mis-click: for
// `keepMs` (30 days by default) a deleted run can be restored with its files, from this process
// or a later one; then it is removed for good. Nothing here waits on a long timer (a process
// that ends must not be held open by a 30-day timeout): old entries are swept on start and on
// every delete; only a short test window gets a timer.

export const KEEP_DELETED_MS = 30 * 86_400_000;
/** Entries read for the Recently deleted list; a larger trash is swept oldest-first on delete. */
const MAX_ENTRIES = 2_000;
const MANIFEST = 'manifest.json';
const TOKEN_RE = /^[0-9a-f]{24}$/;

interface Manifest {
  deletedAt: number;
  snapshots: PredictionSnapshot[];
  files: string[];
}

export interface DeletedItem {
  token: string;
  id: string;
  model: string;
  prompt: string | null;
  status: string;
  deletedAt: number;
  keepUntil: number;
}

export interface Trash {
  remove(ids: string[]): { undoToken: string; deleted: number; skippedFavourites: number; ids: string[] };
  /** Restores everything deleted under `token` (or only `ids` of it). */
  undo(token: string, ids?: string[]): { restored: number; ids: string[] };
  list(): DeletedItem[];
  /** Removes for good everything under `token` (or only `ids` of it). */
  purge(token: string, ids?: string[]): number;
  close(): void;
}

export function createTrash(opts: {
  dataDir: string;
  root: string;
  clock: Clock;
  log: Logger;
  history: HistoryStore;
  publisher: Publisher;
  keepMs?: number;
}): Trash {
  const trashRoot = path.join(opts.dataDir, '.trash');
  const keepMs = opts.keepMs ?? KEEP_DELETED_MS;
  const timers = new Map<string, unknown>();
  fs.mkdirSync(trashRoot, { recursive: true, mode: 0o700 });

  function move(fromRoot: string, toRoot: string, rel: string): boolean {
    const from = path.join(fromRoot, rel);
    if (!fs.existsSync(from)) return false;
    const to = path.join(toRoot, rel);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.renameSync(from, to);
    return true;
  }

  function pruneEmptyDirs(base: string, rel: string) {
    let dir = path.dirname(path.join(base, rel));
    for (let i = 0; i < 4 && dir.startsWith(base) && dir !== base; i++) {
      try {
        fs.rmdirSync(dir); // only succeeds when empty
      } catch {
        return;
      }
      dir = path.dirname(dir);
    }
  }

  function read(token: string): Manifest | null {
    if (!TOKEN_RE.test(token)) return null;
    try {
      const m = JSON.parse(fs.readFileSync(path.join(trashRoot, token, MANIFEST), 'utf8')) as Manifest;
      return typeof m.deletedAt === 'number' && Array.isArray(m.snapshots) && Array.isArray(m.files) ? m : null;
    } catch {
      return null;
    }
  }

  function write(token: string, m: Manifest) {
    const file = path.join(trashRoot, token, MANIFEST);
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(m), { mode: 0o600 });
    fs.renameSync(`${file}.tmp`, file);
  }

  function drop(token: string) {
    const t = timers.get(token);
    if (t !== undefined) opts.clock.clearTimeout(t);
    timers.delete(token);
    fs.rmSync(path.join(trashRoot, token), { recursive: true, force: true });
  }

  function tokens(): string[] {
    try {
      return fs.readdirSync(trashRoot);
    } catch {
      return [];
    }
  }

  /** Removes what is past its keep time, what has no readable manifest (an interrupted delete of an
   *  older version, per-process folders), and the oldest beyond MAX_ENTRIES. */
  function sweep() {
    const now = opts.clock.now();
    const live: { token: string; at: number }[] = [];
    for (const token of tokens()) {
      const m = read(token);
      if (!m || now - m.deletedAt >= keepMs || !m.snapshots.length) drop(token);
      else live.push({ token, at: m.deletedAt });
    }
    live.sort((a, b) => b.at - a.at);
    for (const { token } of live.slice(MAX_ENTRIES)) drop(token);
  }

  /** Files of `snaps` go back (or away); the manifest keeps the rest. */
  function take(token: string, m: Manifest, ids: string[] | undefined): { taken: PredictionSnapshot[]; files: string[] } {
    const want = ids ? new Set(ids) : null;
    const taken = want ? m.snapshots.filter((s) => want.has(s.record.id)) : m.snapshots;
    const files = new Set(taken.flatMap(filesOf));
    const rest = m.snapshots.filter((s) => !taken.includes(s));
    if (rest.length) write(token, { deletedAt: m.deletedAt, snapshots: rest, files: m.files.filter((f) => !files.has(f)) });
    return { taken, files: m.files.filter((f) => files.has(f)) };
  }

  sweep();

  return {
    remove(ids) {
      if (!hasAdmin(opts.history)) throw new Error('history store cannot delete');
      sweep();
      // A bulk delete never takes favourites; naming a single favourite deletes it (the user meant it).
      const { removed, skippedFavourites } = opts.history.removeMany(ids, { skipFavourites: new Set(ids).size > 1 });
      const token = randomBytes(12).toString('hex');
      const dir = path.join(trashRoot, token);
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      const files: string[] = [];
      for (const s of removed) {
        for (const rel of filesOf(s)) {
          try {
            if (move(opts.root, dir, rel)) {
              files.push(rel);
              pruneEmptyDirs(opts.root, rel);
            }
          } catch (err) {
            opts.log.warn('could not move a deleted file to the trash', { id: s.record.id, err: String(err) });
          }
        }
      }
      const deletedAt = opts.clock.now();
      if (removed.length) {
        write(token, { deletedAt, snapshots: removed, files });
        if (keepMs < 3_600_000)
          timers.set(
            token,
            opts.clock.setTimeout(() => drop(token), keepMs),
          );
      } else drop(token);
      const removedIds = removed.map((s) => s.record.id);
      if (removedIds.length > 0) opts.publisher.removed(removedIds);
      return { undoToken: token, deleted: removed.length, skippedFavourites, ids: removedIds };
    },

    undo(token, ids) {
      const m = read(token);
      if (!m || !hasAdmin(opts.history) || opts.clock.now() - m.deletedAt >= keepMs) return { restored: 0, ids: [] as string[] };
      const dir = path.join(trashRoot, token);
      const { taken, files } = take(token, m, ids);
      for (const rel of files) {
        try {
          move(dir, opts.root, rel);
        } catch (err) {
          opts.log.warn('could not restore a file from the trash', { rel, err: String(err) });
        }
      }
      const restored = opts.history.restore(taken);
      if (taken.length === m.snapshots.length) drop(token);
      const back = taken.map((s) => s.record.id);
      for (const id of back) opts.publisher.changed(id);
      return { restored, ids: back };
    },

    list() {
      const now = opts.clock.now();
      const out: DeletedItem[] = [];
      for (const token of tokens().slice(0, MAX_ENTRIES)) {
        const m = read(token);
        if (!m || now - m.deletedAt >= keepMs) continue;
        for (const s of m.snapshots) {
          const prompt = typeof s.record.input.prompt === 'string' ? s.record.input.prompt : null;
          out.push({ token, id: s.record.id, model: s.record.model, prompt, status: s.record.status, deletedAt: m.deletedAt, keepUntil: m.deletedAt + keepMs });
        }
      }
      return out.sort((a, b) => b.deletedAt - a.deletedAt || (a.id < b.id ? -1 : 1));
    },

    purge(token, ids) {
      const m = read(token);
      if (!m) return 0;
      const { taken, files } = take(token, m, ids);
      if (taken.length === m.snapshots.length) drop(token);
      else
        for (const rel of files) {
          fs.rmSync(path.join(trashRoot, token, rel), { force: true });
          pruneEmptyDirs(path.join(trashRoot, token), rel);
        }
      return taken.length;
    },

    close() {
      for (const t of timers.values()) opts.clock.clearTimeout(t);
      timers.clear();
    },
  };
}
