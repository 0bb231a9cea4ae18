import { DatabaseSync } from 'node:sqlite';
import fs from 'node:fs';
import path from 'node:path';
import type { Clock, Logger } from '../types.ts';
import { migrate } from './migrations.ts';

export const DB_FILE = 'history.db';
/** Written when a query hits a corrupt page; the next open runs a full check (too slow for every start). */
export const CHECK_MARKER = 'history.db.needs-check';
const KEEP_BACKUPS = 3;

// Opens (or creates) the history database: WAL so a kill -9 at any moment loses at most the
// uncommitted transaction, foreign keys on, migrations applied with a backup taken first. A file
// that is not a usable database is moved aside and a fresh one created, so a damaged file can
// never put the app in a crash loop.
export function openDatabase(opts: { dataDir: string; log: Logger; clock: Clock; targetVersion?: number }): DatabaseSync {
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const file = path.join(opts.dataDir, DB_FILE);
  try {
    return openAndMigrate(file, opts);
  } catch (err) {
    if (!isCorruption(err)) throw err;
    const aside = `${file}.corrupt-${opts.clock.now()}`;
    opts.log.error('history database is unreadable; moved aside and starting a fresh one', { file, movedTo: aside, err: String(err) });
    moveAside(file, aside);
    fs.rmSync(path.join(opts.dataDir, CHECK_MARKER), { force: true });
    return openAndMigrate(file, opts);
  }
}

function openAndMigrate(file: string, opts: { log: Logger; clock: Clock; targetVersion?: number }): DatabaseSync {
  const existed = fs.existsSync(file) && fs.statSync(file).size > 0;
  const db = new DatabaseSync(file, { enableForeignKeyConstraints: true, timeout: 5000 });
  try {
    // The first real read: a non-database file fails here with SQLITE_NOTADB.
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    const marker = path.join(path.dirname(file), CHECK_MARKER);
    if (fs.existsSync(marker)) {
      const rows = db.prepare('PRAGMA quick_check').all() as { quick_check: string }[];
      const ok = rows.length === 1 && rows[0]!.quick_check === 'ok';
      if (!ok) throw Object.assign(new Error(`database disk image is malformed (quick_check: ${rows.slice(0, 3).map((r) => r.quick_check).join('; ')})`), { errcode: 11 });
      fs.rmSync(marker, { force: true });
      opts.log.info('history database checked after a read error: it is fine');
    }
    migrate(db, {
      now: opts.clock.now(),
      target: opts.targetVersion,
      beforeFirst: (from) => {
        if (existed && from > 0) backup(db, file, from, opts);
      },
    });
    return db;
  } catch (err) {
    try {
      db.close();
    } catch {
      // already unusable
    }
    throw err;
  }
}

/** VACUUM INTO gives a consistent single-file copy, WAL contents included (a raw file copy would not). */
function backup(db: DatabaseSync, file: string, fromVersion: number, opts: { log: Logger; clock: Clock }) {
  const dest = `${file}.bak-v${fromVersion}-${opts.clock.now()}`;
  db.prepare('VACUUM INTO ?').run(dest);
  opts.log.info('history database backed up before migration', { backup: dest, fromVersion });
  const dir = path.dirname(file);
  const old = fs
    .readdirSync(dir)
    .filter((n) => n.startsWith(`${path.basename(file)}.bak-`))
    .map((n) => ({ n, t: fs.statSync(path.join(dir, n)).mtimeMs }))
    .sort((a, b) => b.t - a.t)
    .slice(KEEP_BACKUPS);
  for (const o of old) fs.rmSync(path.join(dir, o.n), { force: true });
}

export function isCorruption(err: unknown): boolean {
  const e = err as { errcode?: number; code?: string; message?: string };
  // SQLITE_CORRUPT = 11, SQLITE_NOTADB = 26 (primary codes; extended codes keep them in the low byte).
  const primary = typeof e?.errcode === 'number' ? e.errcode & 0xff : -1;
  if (primary === 11 || primary === 26) return true;
  return /file is not a database|database disk image is malformed/i.test(String(e?.message ?? err));
}

function moveAside(file: string, aside: string) {
  fs.renameSync(file, aside);
  for (const suffix of ['-wal', '-shm']) {
    if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, aside + suffix);
  }
}
