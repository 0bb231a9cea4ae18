import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import fs from 'node:fs';
import { migrate } from './migrations.ts';

// Salvage from a damaged history database (ARCHITECTURE.md, "Storage"): every row that still reads is copied into a
// fresh database, one row at a time, so one bad page costs the rows on it and not the gallery.
// Rows are fetched by key (independent B-tree descents) rather than by one table scan, because a
// scan stops at the first unreadable page while a lookup only fails for the rows on it.

export interface SalvageResult {
  /** Runs copied into the fresh database. */
  recovered: number;
  /** Runs the damaged file said it held, when its count could still be read. */
  total: number | null;
}

/** After this many consecutive rowids with nothing readable, the table is taken to have ended. */
const GAP_LIMIT = 10_000;
/** A hard bound on the lookups per table, whatever the file claims. */
const MAX_ROWID_PROBES = 20_000_000;

type Row = Record<string, SQLInputValue>;

export function salvageInto(damagedFile: string, freshFile: string, now: number): SalvageResult {
  fs.rmSync(freshFile, { force: true });
  const fresh = new DatabaseSync(freshFile);
  let recovered = 0;
  let total: number | null = null;
  try {
    fresh.exec('PRAGMA journal_mode = DELETE'); // one self-contained file to rename into place
    migrate(fresh, { now });
    const src = openDamaged(damagedFile);
    if (src) {
      try {
        total = tryGet(() => Number((src.prepare('SELECT count(*) AS n FROM predictions').get() as { n: number }).n));
        fresh.exec('BEGIN');
        const ids = copyByRowid(src, fresh, 'predictions', 'seq');
        recovered = ids.length;
        const outputs = tryGet(() => src.prepare('SELECT * FROM outputs WHERE prediction_id = ?'));
        const insertOutput = inserter(fresh, 'outputs', columnsOf(fresh, 'outputs'));
        for (const id of ids) for (const row of tryGet(() => outputs?.all(id) as Row[] | undefined) ?? []) insertOutput(row);
        copyByRowid(src, fresh, 'input_files', 'rowid');
        fresh.exec('COMMIT');
      } finally {
        src.close();
      }
    }
  } finally {
    fresh.close();
  }
  return { recovered, total };
}

function openDamaged(file: string): DatabaseSync | null {
  for (const readOnly of [true, false]) {
    try {
      const db = new DatabaseSync(file, { readOnly });
      db.prepare('SELECT count(*) FROM sqlite_master').get(); // the schema itself must read
      return db;
    } catch {
      // try the next way, then give up: nothing is recoverable
    }
  }
  return null;
}

function tryGet<T>(fn: () => T): T | null {
  try {
    return fn();
  } catch {
    return null;
  }
}

function columnsOf(db: DatabaseSync, table: string): Set<string> {
  return new Set((db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name));
}

function inserter(fresh: DatabaseSync, table: string, cols: Set<string>) {
  const cache = new Map<string, ReturnType<DatabaseSync['prepare']>>();
  return (row: Row): boolean => {
    const keys = Object.keys(row).filter((k) => cols.has(k));
    const sql = `INSERT OR IGNORE INTO ${table} (${keys.join(',')}) VALUES (${keys.map(() => '?').join(',')})`;
    let stmt = cache.get(sql);
    if (!stmt) cache.set(sql, (stmt = fresh.prepare(sql)));
    try {
      fresh.exec('SAVEPOINT row');
      const changed = Number(stmt.run(...keys.map((k) => row[k]!)).changes) > 0;
      fresh.exec('RELEASE row');
      return changed;
    } catch {
      // A row that reads but violates the schema (a damaged value): skipped, like an unreadable one.
      fresh.exec('ROLLBACK TO row');
      fresh.exec('RELEASE row');
      return false;
    }
  };
}

/** Copies a rowid table row by row; returns the `id` of every copied row (predictions). */
function copyByRowid(src: DatabaseSync, fresh: DatabaseSync, table: string, key: string): string[] {
  const get = tryGet(() => src.prepare(`SELECT * FROM ${table} WHERE ${key} = ?`));
  if (!get) return []; // the table's definition is gone
  const insert = inserter(fresh, table, columnsOf(fresh, table));
  const max = tryGet(() => Number((src.prepare(`SELECT max(${key}) AS m FROM ${table}`).get() as { m: number | null }).m ?? 0));
  const ids: string[] = [];
  let gap = 0;
  for (let r = 1; r <= MAX_ROWID_PROBES; r++) {
    if (max !== null ? r > max : gap >= GAP_LIMIT) break;
    const row = tryGet(() => get.get(r) as Row | undefined);
    if (!row) {
      gap++;
      continue;
    }
    gap = 0;
    if (insert(row) && typeof row.id === 'string') ids.push(row.id);
  }
  return ids;
}
