import type { DatabaseSync, StatementSync, SQLInputValue } from 'node:sqlite';
import fs from 'node:fs';
import type { Clock, Logger } from '../types.ts';
import type { HistoryStoreFull, InputFileRecord, NewPrediction, OutputRecord, PredictionRecord, PredictionSnapshot } from './types.ts';
import { TERMINAL_STATUSES } from '../../../shared/domain/status.ts';
import path from 'node:path';
import { CHECK_MARKER, DB_FILE, isCorruption, openDatabase } from './db.ts';
import { recordCleanClose } from './clean-close.ts';
import { COLUMNS, OUTPUT_COLUMNS, derivePrompt, rowToOutput, rowToRecord, type Row } from './rows.ts';
import { createViews } from './views.ts';
import { seedFromInput, seedFromLogs, seedFromOutput } from './seed.ts';
import { groupProgress } from './group-progress.ts';

// Must match the predictions_active partial index's WHERE (migration 4) for SQLite to use it;
// INDEXED BY makes a mismatch (e.g. a new terminal status) fail loudly in the store tests.
const TERMINAL_SQL = TERMINAL_STATUSES.map((s) => `'${s}'`).join(','); // no spaces: as in the index

// The history store on node:sqlite (ARCHITECTURE.md, "Storage"). Synchronous by design: node:sqlite is, every
// statement is a small indexed read or write, and the engine's journal must be durable before the
// next network call anyway.
export function openHistory(opts: { dataDir: string; log: Logger; clock: Clock; targetVersion?: number }): HistoryStoreFull {
  const db = openDatabase(opts);
  const store = guardCorruption(createStore(db, opts), opts);
  const close = store.close;
  store.close = () => {
    close();
    recordCleanClose(path.join(opts.dataDir, DB_FILE)); // the next open may skip the full check
  };
  return store;
}

/**
 * A page can go bad after a clean open (disk fault, outside edit). A full check at every start
 * would cost O(size), so instead the first corrupt read leaves a marker: the next start checks the
 * file and, if it is damaged, moves it aside and starts fresh (db.ts) — never a crash loop.
 */
function guardCorruption(store: HistoryStoreFull, opts: { dataDir: string; log: Logger }): HistoryStoreFull {
  let flagged = false;
  const guarded = { ...store } as Record<string, unknown>;
  for (const [key, value] of Object.entries(store)) {
    if (typeof value !== 'function') continue;
    guarded[key] = (...args: unknown[]) => {
      try {
        return (value as (...a: unknown[]) => unknown)(...args);
      } catch (err) {
        if (!flagged && isCorruption(err)) {
          flagged = true;
          opts.log.error('history database is damaged; it will be checked and, if needed, replaced on the next start', { err: String(err) });
          try {
            fs.writeFileSync(path.join(opts.dataDir, CHECK_MARKER), String(Date.now()));
          } catch {
            // a read-only data dir: the log line is all we can do
          }
        }
        throw err;
      }
    };
  }
  return guarded as unknown as HistoryStoreFull;
}

export function createStore(db: DatabaseSync, opts: { clock: Clock; log: Logger }): HistoryStoreFull {
  const cache = new Map<string, StatementSync>();
  const stmt = (sql: string) => {
    let s = cache.get(sql);
    if (!s) {
      s = db.prepare(sql);
      cache.set(sql, s);
    }
    return s;
  };
  const tx = <T>(fn: () => T): T => {
    db.exec('BEGIN IMMEDIATE');
    try {
      const out = fn();
      db.exec('COMMIT');
      return out;
    } catch (err) {
      // SQLite may already have rolled back (SQLITE_FULL, SQLITE_IOERR): a failing ROLLBACK must
      // not replace the error that says what happened ("database or disk is full").
      try {
        db.exec('ROLLBACK');
      } catch {
        // no transaction left to roll back
      }
      throw err;
    }
  };
  const views = createViews(stmt, () => db.isOpen);
  const dbPath = String((db as unknown as { location?: () => string | null }).location?.() ?? '');

  function familyOf(retryOf: string | null | undefined, id: string): string {
    if (!retryOf) return id;
    const row = stmt('SELECT family_id FROM predictions WHERE id = ?').get(retryOf) as Row | undefined;
    return row ? String(row.family_id) : retryOf;
  }

  function insertRecord(rec: PredictionRecord, familyId: string) {
    const cols: string[] = ['id', 'family_id', 'prompt', 'seed', 'cost_amount', 'cost_currency'];
    const seed = rec.seed ?? seedFromInput(rec.input) ?? seedFromLogs(rec.logs) ?? seedFromOutput(rec.output);
    const vals: SQLInputValue[] = [rec.id, familyId, derivePrompt(rec.input), seed, rec.cost?.amount ?? null, rec.cost?.currency ?? null];
    for (const [key, { col, enc }] of Object.entries(COLUMNS)) {
      cols.push(col);
      vals.push(enc((rec as unknown as Record<string, unknown>)[key]));
    }
    stmt(`INSERT INTO predictions (${cols.join(',')}) VALUES (${cols.map(() => '?').join(',')})`).run(...vals);
  }

  function insertOutputs(predictionId: string, outputs: Omit<OutputRecord, 'predictionId'>[]) {
    const s = stmt(
      `INSERT INTO outputs (prediction_id, idx, ${Object.values(OUTPUT_COLUMNS)
        .map((c) => c.col)
        .join(',')}) VALUES (?, ?, ${Object.keys(OUTPUT_COLUMNS)
        .map(() => '?')
        .join(',')})`,
    );
    for (const o of outputs) {
      s.run(predictionId, o.index, ...Object.entries(OUTPUT_COLUMNS).map(([k, { enc }]) => enc((o as unknown as Record<string, unknown>)[k])));
    }
  }

  function getOutputs(predictionId: string): OutputRecord[] {
    return (stmt('SELECT * FROM outputs WHERE prediction_id = ? ORDER BY idx').all(predictionId) as Row[]).map(rowToOutput);
  }

  function get(id: string): PredictionRecord | null {
    const row = stmt('SELECT * FROM predictions WHERE id = ?').get(id) as Row | undefined;
    return row ? rowToRecord(row) : null;
  }

  const store: HistoryStoreFull = {
    dbPath,

    insertIntent(p: NewPrediction) {
      const now = p.createdAt ?? opts.clock.now();
      const rec: PredictionRecord = {
        id: p.id,
        provider: p.provider,
        providerId: null,
        model: p.model,
        version: p.version,
        target: p.target,
        input: p.input,
        inputSchema: p.inputSchema ?? null,
        status: 'queued',
        saveState: 'none',
        createdAt: now,
        providerCreatedAt: null,
        startedAt: null,
        completedAt: null,
        statusSince: now,
        timeline: [{ status: 'queued', at: now }],
        logs: '',
        progress: null,
        text: null,
        output: null,
        error: null,
        metrics: null,
        urls: {},
        cancelAfter: p.cancelAfter ?? null,
        retryOf: p.retryOf ?? null,
        sourceId: p.sourceId ?? null,
        favourite: false,
        note: null,
        submitAttempts: 0,
        cancelRequested: false,
        dataRemoved: false,
        tags: [],
        userNotes: null,
        cost: null,
      };
      insertRecord(rec, familyOf(rec.retryOf, rec.id));
      return rec;
    },

    update(id, patch) {
      const sets: string[] = [];
      const vals: SQLInputValue[] = [];
      const keys = Object.keys(patch).filter((k) => (patch as Record<string, unknown>)[k] !== undefined);
      for (const key of keys) {
        const c = COLUMNS[key];
        const v = (patch as Record<string, unknown>)[key];
        if (key === 'cost') {
          const cost = v as PredictionRecord['cost'];
          sets.push('cost_amount = ?', 'cost_currency = ?');
          vals.push(cost?.amount ?? null, cost?.currency ?? null);
          continue;
        }
        if (!c) continue;
        if (key === 'status' || key === 'timeline' || key === 'statusSince') continue; // below
        sets.push(`${c.col} = ?`);
        vals.push(c.enc(v));
        if (key === 'input') {
          sets.push('prompt = ?');
          vals.push(derivePrompt(v as Record<string, unknown>));
        }
        // The seed: an input's own wins; one the model reported fills it only while it is unknown.
        const seed =
          key === 'input'
            ? seedFromInput(v as Record<string, unknown>)
            : key === 'logs'
              ? seedFromLogs(v as string)
              : key === 'output'
                ? seedFromOutput(v)
                : null;
        if (seed !== null) {
          sets.push(key === 'input' ? 'seed = ?' : 'seed = coalesce(seed, ?)');
          vals.push(seed);
        }
      }
      if (patch.timeline !== undefined) {
        sets.push('timeline = ?');
        vals.push(JSON.stringify(patch.timeline));
      }
      if (patch.statusSince !== undefined) {
        sets.push('status_since = ?');
        vals.push(patch.statusSince);
      }
      if (patch.status !== undefined) {
        // The timeline grows and statusSince moves only on a real change, decided inside the same
        // UPDATE (SET expressions see the old row), so a status write stays one statement.
        const now = opts.clock.now();
        sets.push('status = ?');
        vals.push(patch.status);
        if (patch.timeline === undefined) {
          sets.push(`timeline = CASE WHEN status IS ? THEN timeline ELSE json_insert(timeline, '$[#]', json_object('status', ?, 'at', ?)) END`);
          vals.push(patch.status, patch.status, now);
        }
        if (patch.statusSince === undefined) {
          sets.push('status_since = CASE WHEN status IS ? THEN status_since ELSE ? END');
          vals.push(patch.status, now);
        }
      }
      if (sets.length === 0) {
        const cur = get(id);
        if (!cur) throw new Error(`unknown prediction ${id}`);
        return cur;
      }
      const row = stmt(`UPDATE predictions SET ${sets.join(', ')} WHERE id = ? RETURNING *`).get(...vals, id) as Row | undefined;
      if (!row) throw new Error(`unknown prediction ${id}`);
      return rowToRecord(row);
    },

    get,

    getByProviderId(providerId) {
      const row = stmt('SELECT * FROM predictions WHERE provider_id = ? LIMIT 1').get(providerId) as Row | undefined;
      return row ? rowToRecord(row) : null;
    },

    listActive() {
      return (stmt(`SELECT * FROM predictions INDEXED BY predictions_active WHERE status NOT IN (${TERMINAL_SQL}) ORDER BY created_at`).all() as Row[]).map(
        rowToRecord,
      );
    },

    listUnsaved() {
      // Must match the predictions_unsaved partial index's WHERE (migration 4).
      return (
        stmt(
          `SELECT * FROM predictions INDEXED BY predictions_unsaved WHERE status = 'succeeded' AND save_state IN ('saving','save-failed','none') ORDER BY created_at`,
        ).all() as Row[]
      ).map(rowToRecord);
    },

    listCanceledBeforeCreate(since) {
      return (
        stmt(
          `SELECT * FROM predictions WHERE created_at >= ? AND status = 'canceled' AND cancel_requested = 1 AND provider_id IS NULL AND submit_attempts > 0 ORDER BY created_at`,
        ).all(since) as Row[]
      ).map(rowToRecord);
    },

    setOutputs(predictionId, outputs) {
      tx(() => {
        stmt('DELETE FROM outputs WHERE prediction_id = ?').run(predictionId);
        insertOutputs(predictionId, outputs);
      });
    },

    updateOutput(predictionId, index, patch) {
      const sets: string[] = [];
      const vals: SQLInputValue[] = [];
      for (const [k, v] of Object.entries(patch)) {
        const c = OUTPUT_COLUMNS[k];
        if (!c || v === undefined) continue;
        sets.push(`${c.col} = ?`);
        vals.push(c.enc(v));
      }
      if (sets.length === 0) return;
      stmt(`UPDATE outputs SET ${sets.join(', ')} WHERE prediction_id = ? AND idx = ?`).run(...vals, predictionId, index);
    },

    getOutputs,

    view: views.view,
    list: views.list,
    counts: views.counts,

    has(id) {
      return stmt('SELECT 1 FROM predictions WHERE id = ?').get(id) !== undefined;
    },

    setFavourite(id, favourite) {
      return stmt('UPDATE predictions SET favourite = ? WHERE id = ?').run(favourite ? 1 : 0, id).changes > 0;
    },

    snapshot(id) {
      const record = get(id);
      return record ? { record, outputs: getOutputs(id) } : null;
    },

    removeMany(ids, o) {
      return tx(() => {
        const removed: PredictionSnapshot[] = [];
        let skippedFavourites = 0;
        for (const id of new Set(ids)) {
          const snap = store.snapshot(id);
          if (!snap) continue;
          if (o.skipFavourites && snap.record.favourite) {
            skippedFavourites++;
            continue;
          }
          stmt('DELETE FROM predictions WHERE id = ?').run(id); // outputs cascade
          removed.push(snap);
        }
        return { removed, skippedFavourites };
      });
    },

    restore(snapshots) {
      return tx(() => {
        let n = 0;
        // Oldest first, so a retry's original is back before the retry looks up its family.
        for (const s of [...snapshots].sort((a, b) => a.record.createdAt - b.record.createdAt)) {
          if (store.has(s.record.id)) continue;
          if (s.record.providerId && store.getByProviderId(s.record.providerId)) continue;
          insertRecord(s.record, familyOf(s.record.retryOf, s.record.id));
          insertOutputs(s.record.id, s.outputs);
          n++;
        }
        return n;
      });
    },

    allIds() {
      return (stmt('SELECT id FROM predictions ORDER BY created_at DESC, seq DESC').all() as Row[]).map((r) => String(r.id));
    },

    addInputFile(f: InputFileRecord) {
      stmt('INSERT OR REPLACE INTO input_files (id, path, name, mime, size, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
        f.id,
        f.path,
        f.name,
        f.mime,
        f.size,
        f.sha256,
        f.createdAt,
      );
    },

    getInputFile(id) {
      const r = stmt('SELECT * FROM input_files WHERE id = ?').get(id) as Row | undefined;
      if (!r) return null;
      return {
        id: String(r.id),
        path: String(r.path),
        name: r.name === null ? null : String(r.name),
        mime: String(r.mime),
        size: Number(r.size),
        sha256: r.sha256 === null ? null : String(r.sha256),
        createdAt: Number(r.created_at),
      };
    },

    referencedPaths() {
      const set = new Set<string>();
      for (const r of stmt('SELECT path, thumb_path FROM outputs WHERE path IS NOT NULL OR thumb_path IS NOT NULL').all() as Row[]) {
        if (r.path) set.add(String(r.path));
        if (r.thumb_path) set.add(String(r.thumb_path));
      }
      for (const r of stmt('SELECT path FROM input_files').all() as Row[]) set.add(String(r.path));
      return set;
    },

    clearThumbPaths() {
      stmt('UPDATE outputs SET thumb_path = NULL WHERE thumb_path IS NOT NULL').run();
    },

    setGroup(ids, groupId, kind, index = null) {
      return tx(() => {
        let n = 0;
        ids.forEach((id, i) => {
          const at = index === null ? null : index + i;
          n += Number(stmt('UPDATE predictions SET group_id = ?, group_kind = ?, group_index = ? WHERE id = ?').run(groupId, kind, at, id).changes);
        });
        return n;
      });
    },

    groupProgress(groupIds) {
      return groupProgress(stmt, groupIds);
    },

    databaseBytes() {
      let total = 0;
      for (const suffix of ['', '-wal', '-shm']) {
        try {
          total += fs.statSync(dbPath + suffix).size;
        } catch {
          // not there (e.g. WAL checkpointed away)
        }
      }
      return total;
    },

    close() {
      cache.clear();
      try {
        db.close();
      } catch (err) {
        opts.log.warn('history close failed', { err: String(err) });
      }
    },
  };
  return store;
}
