import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Clock, Logger } from '../types.ts';
import type { HistoryStore, PredictionSnapshot } from '../records/types.ts';
import { hasAdmin } from '../records/types.ts';
import { ownProcessDir } from './process-dir.ts';
import { snapshotFiles as filesOf } from './snapshot-files.ts';
import type { Publisher } from '../events/publisher.ts';

// Delete with undo. Rows go in one transaction and the files move (rename, same disk: instant) to
// <dataDir>/.trash/<token>/ at once, so the gallery and the disk agree immediately. Undo within the
// window puts both back; after it the trash folder is removed. A crash inside the window simply
// completes the delete: the next start removes a dead process's trash.
export function createTrash(opts: { dataDir: string; root: string; clock: Clock; log: Logger; history: HistoryStore; publisher: Publisher; undoWindowMs: number }) {
  const trashRoot = ownProcessDir(path.join(opts.dataDir, '.trash'));
  const pending = new Map<string, { snapshots: PredictionSnapshot[]; files: string[]; timer: unknown }>();

  function move(fromRoot: string, toRoot: string, rel: string): boolean {
    const from = path.join(fromRoot, rel);
    if (!fs.existsSync(from)) return false;
    const to = path.join(toRoot, rel);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.renameSync(from, to);
    return true;
  }

  function pruneEmptyDirs(rel: string) {
    let dir = path.dirname(path.join(opts.root, rel));
    for (let i = 0; i < 4 && dir.startsWith(opts.root) && dir !== opts.root; i++) {
      try {
        fs.rmdirSync(dir); // only succeeds when empty
      } catch {
        return;
      }
      dir = path.dirname(dir);
    }
  }

  function purge(token: string) {
    const p = pending.get(token);
    if (!p) return;
    pending.delete(token);
    opts.clock.clearTimeout(p.timer);
    fs.rmSync(path.join(trashRoot, token), { recursive: true, force: true });
  }

  return {
    remove(ids: string[]) {
      if (!hasAdmin(opts.history)) throw new Error('history store cannot delete');
      // A bulk delete never takes favourites; naming a single favourite deletes it (the user meant it).
      const { removed, skippedFavourites } = opts.history.removeMany(ids, { skipFavourites: new Set(ids).size > 1 });
      const token = randomBytes(12).toString('hex');
      const dir = path.join(trashRoot, token);
      const files: string[] = [];
      for (const s of removed) {
        for (const rel of filesOf(s)) {
          try {
            if (move(opts.root, dir, rel)) {
              files.push(rel);
              pruneEmptyDirs(rel);
            }
          } catch (err) {
            opts.log.warn('could not move a deleted file to the trash', { id: s.record.id, err: String(err) });
          }
        }
      }
      const timer = opts.clock.setTimeout(() => purge(token), opts.undoWindowMs);
      pending.set(token, { snapshots: removed, files, timer });
      const removedIds = removed.map((s) => s.record.id);
      if (removedIds.length > 0) opts.publisher.removed(removedIds);
      return { undoToken: token, deleted: removed.length, skippedFavourites, ids: removedIds };
    },

    undo(token: string) {
      const p = pending.get(token);
      if (!p || !hasAdmin(opts.history)) return { restored: 0, ids: [] as string[] };
      const dir = path.join(trashRoot, token);
      for (const rel of p.files) {
        try {
          move(dir, opts.root, rel);
        } catch (err) {
          opts.log.warn('could not restore a file from the trash', { rel, err: String(err) });
        }
      }
      const restored = opts.history.restore(p.snapshots);
      purge(token);
      const ids = p.snapshots.map((s) => s.record.id);
      for (const id of ids) opts.publisher.changed(id);
      return { restored, ids };
    },

    close() {
      for (const token of [...pending.keys()]) purge(token);
    },
  };
}
