import { DatabaseSync } from 'node:sqlite';
import fs from 'node:fs';
import path from 'node:path';
import type { Clock, Logger } from '../types.ts';
import { migrate } from './migrations.ts';
import { salvageInto } from './salvage.ts';
import { forgetCleanClose, leftCleanly } from './clean-close.ts';
import { FILE_MODE, chmodIfExists, securePermissions } from '../data-dir.ts';
import type { RecoveryNotice } from '../../../shared/ipc.ts';

export const DB_FILE = 'history.db';
/** Written when a query hits a corrupt page; the next open runs a full check (too slow for every start). */
export const CHECK_MARKER = 'history.db.needs-check';
const KEEP_BACKUPS = 3;

/** The notice of a salvage, kept beside the database until the user has seen it (see recovery.ts). */
export const RECOVERY_NOTICE_FILE = 'history.db.recovered.json';

// Opens (or creates) the history database: WAL so a kill -9 at any moment loses at most the
// uncommitted transaction, foreign keys on, migrations applied with a backup taken first. Every
// open checks the whole file (quick_check): a damaged page anywhere is found here, at start, not
// by whichever query happens to touch it later. A damaged file is moved aside, every row that
// still reads is salvaged into a fresh one, and a notice tells the user — never a crash loop.
export function openDatabase(opts: { dataDir: string; log: Logger; clock: Clock; targetVersion?: number }): DatabaseSync {
  securePermissions(opts.dataDir);
  const file = path.join(opts.dataDir, DB_FILE);
  // A 0-byte history.db with no WAL beside it is a history that was lost (a truncated copy, a
  // failed sync), not a new install: a new install has no file at all.
  const emptied = fs.existsSync(file) && fs.statSync(file).size === 0 && !fs.existsSync(`${file}-wal`);
  if (emptied) return recover(file, opts, 'history.db was empty (0 bytes)');
  try {
    return finish(openAndMigrate(file, opts), file);
  } catch (err) {
    if (!isCorruption(err)) throw err;
    return recover(file, opts, String((err as Error)?.message ?? err));
  }
}

function finish(db: DatabaseSync, file: string): DatabaseSync {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) chmodIfExists(f, FILE_MODE);
  return db;
}

function recover(file: string, opts: { dataDir: string; log: Logger; clock: Clock; targetVersion?: number }, reason: string): DatabaseSync {
  const at = opts.clock.now();
  const aside = `${file}.damaged-${at}`;
  moveAside(file, aside);
  fs.rmSync(path.join(opts.dataDir, CHECK_MARKER), { force: true });
  let result = { recovered: 0, total: null as number | null };
  try {
    const tmp = `${file}.salvage-${process.pid}`;
    result = salvageInto(aside, tmp, at);
    fs.renameSync(tmp, file);
  } catch (err) {
    opts.log.error('history salvage failed; starting with an empty history', { err: String(err) });
  }
  const backups = fs
    .readdirSync(opts.dataDir)
    .filter((n) => n.startsWith(`${DB_FILE}.bak-`))
    .map((n) => path.join(opts.dataDir, n));
  const notice: RecoveryNotice = { at, reason, movedTo: aside, recovered: result.recovered, total: result.total, backups };
  fs.writeFileSync(path.join(opts.dataDir, RECOVERY_NOTICE_FILE), JSON.stringify(notice, null, 2), { mode: FILE_MODE });
  opts.log.error('history database was damaged: moved aside, readable runs salvaged into a fresh one', { ...notice });
  return finish(openAndMigrate(file, opts), file);
}

/**
 * A connection to the history file as every part of Kiln opens one (the store, the ledger, the
 * ownership watch): waiting up to 5 s for a lock (the app and the CLI share the file) and
 * `synchronous = NORMAL`. The sync level belongs to the connection, not the file: with SQLite's
 * default (FULL) every commit flushes the WAL to disk, on the main thread. The ledger's connection
 * once had the default, and a run's cost row cost 1.7 ms of flush here (0.1 ms with NORMAL), so
 * 1,000 runs ending together held the engine for seconds. In WAL mode NORMAL loses nothing to a
 * crash of Kiln; a power cut may lose the last commits, never the file's consistency.
 */
export function connect(file: string, o: { foreignKeys?: boolean } = {}): DatabaseSync {
  const db = new DatabaseSync(file, { enableForeignKeyConstraints: o.foreignKeys ?? false, timeout: 5000 });
  try {
    db.exec('PRAGMA synchronous = NORMAL');
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

function openAndMigrate(file: string, opts: { log: Logger; clock: Clock; targetVersion?: number }): DatabaseSync {
  const existed = fs.existsSync(file) && fs.statSync(file).size > 0;
  const db = connect(file, { foreignKeys: true });
  try {
    // The first real read: a non-database file fails here with SQLITE_NOTADB.
    db.exec('PRAGMA journal_mode = WAL');
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    // quick_check reads every page (O(size), no index cross-check), unless the file is exactly as
    // Kiln's last clean close left it (clean-close.ts); after a read error at run time left the
    // marker, the thorough integrity_check runs instead.
    const marker = path.join(path.dirname(file), CHECK_MARKER);
    const thorough = fs.existsSync(marker);
    const unchanged = !thorough && existed && leftCleanly(file);
    forgetCleanClose(file);
    const pragma = thorough ? 'integrity_check' : 'quick_check';
    const rows = unchanged ? [{ ok: 'ok' }] : (db.prepare(`PRAGMA ${pragma}(5)`).all() as Record<string, string>[]);
    const verdicts = rows.map((r) => Object.values(r)[0]);
    if (!(verdicts.length === 1 && verdicts[0] === 'ok')) {
      throw Object.assign(new Error(`database disk image is malformed (${pragma}: ${verdicts.slice(0, 3).join('; ')})`), { errcode: 11 });
    }
    if (thorough) {
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
  if (fs.existsSync(file)) fs.renameSync(file, aside);
  for (const suffix of ['-wal', '-shm']) {
    if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, aside + suffix);
  }
}
