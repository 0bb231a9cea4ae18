import type { DatabaseSync } from 'node:sqlite';
import { backfillCosts } from '../ledger/backfill.ts';
import { seedFromInput, seedFromLogs, seedFromOutput } from './seed.ts';

// Schema migrations, applied in order inside one transaction each. A migration is never edited
// once shipped: a change is a new entry. `schema_version` holds one row per applied migration.

export interface Migration {
  version: number;
  name: string;
  up(db: DatabaseSync): void;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'predictions and outputs',
    up(db) {
      // `seq` is an explicit INTEGER PRIMARY KEY so rowids stay stable (FTS5 external content keys
      // on it, and VACUUM may renumber implicit rowids). Kiln's own id is the public key.
      db.exec(`
        CREATE TABLE predictions (
          seq INTEGER PRIMARY KEY,
          id TEXT NOT NULL UNIQUE,
          provider TEXT NOT NULL,
          provider_id TEXT,
          model TEXT NOT NULL,
          version TEXT,
          target TEXT NOT NULL DEFAULT 'model',
          input TEXT NOT NULL DEFAULT '{}',
          input_schema TEXT,
          prompt TEXT,
          status TEXT NOT NULL,
          save_state TEXT NOT NULL DEFAULT 'none',
          created_at INTEGER NOT NULL,
          provider_created_at INTEGER,
          started_at INTEGER,
          completed_at INTEGER,
          status_since INTEGER NOT NULL,
          timeline TEXT NOT NULL DEFAULT '[]',
          logs TEXT NOT NULL DEFAULT '',
          progress TEXT,
          text TEXT,
          output TEXT,
          error TEXT,
          metrics TEXT,
          urls TEXT NOT NULL DEFAULT '{}',
          cancel_after TEXT,
          retry_of TEXT,
          family_id TEXT NOT NULL,
          favourite INTEGER NOT NULL DEFAULT 0,
          note TEXT,
          tags TEXT NOT NULL DEFAULT '[]',
          user_notes TEXT,
          submit_attempts INTEGER NOT NULL DEFAULT 0,
          cancel_requested INTEGER NOT NULL DEFAULT 0,
          data_removed INTEGER NOT NULL DEFAULT 0,
          -- cost, ready for later (Replicate does not report it per prediction yet)
          cost_amount REAL,
          cost_currency TEXT
        );
        CREATE INDEX predictions_created ON predictions(created_at DESC, seq DESC);
        CREATE INDEX predictions_status ON predictions(status, created_at DESC);
        CREATE INDEX predictions_model ON predictions(model, created_at DESC);
        CREATE INDEX predictions_favourite ON predictions(favourite, created_at DESC) WHERE favourite = 1;
        CREATE INDEX predictions_family ON predictions(family_id);
        CREATE INDEX predictions_provider_id ON predictions(provider_id) WHERE provider_id IS NOT NULL;
        CREATE INDEX predictions_save_state ON predictions(save_state) WHERE save_state IN ('saving', 'save-failed', 'none');

        CREATE TABLE outputs (
          prediction_id TEXT NOT NULL REFERENCES predictions(id) ON DELETE CASCADE,
          idx INTEGER NOT NULL,
          kind TEXT NOT NULL,
          state TEXT NOT NULL DEFAULT 'pending',
          remote_url TEXT,
          path TEXT,
          thumb_path TEXT,
          mime TEXT,
          size INTEGER,
          width INTEGER,
          height INTEGER,
          sha256 TEXT,
          error TEXT,
          PRIMARY KEY (prediction_id, idx)
        ) WITHOUT ROWID;
        CREATE INDEX outputs_kind ON outputs(kind, prediction_id);
      `);
    },
  },
  {
    version: 2,
    name: 'full-text search over prompt and model',
    up(db) {
      // External-content FTS5: the text lives once, in predictions. The update trigger fires only
      // when prompt or model change, so a status write never touches the index.
      db.exec(`
        CREATE VIRTUAL TABLE predictions_fts USING fts5(prompt, model, content='predictions', content_rowid='seq', tokenize='unicode61 remove_diacritics 2');
        CREATE TRIGGER predictions_fts_ai AFTER INSERT ON predictions BEGIN
          INSERT INTO predictions_fts(rowid, prompt, model) VALUES (new.seq, new.prompt, new.model);
        END;
        CREATE TRIGGER predictions_fts_ad AFTER DELETE ON predictions BEGIN
          INSERT INTO predictions_fts(predictions_fts, rowid, prompt, model) VALUES ('delete', old.seq, old.prompt, old.model);
        END;
        CREATE TRIGGER predictions_fts_au AFTER UPDATE OF prompt, model ON predictions BEGIN
          INSERT INTO predictions_fts(predictions_fts, rowid, prompt, model) VALUES ('delete', old.seq, old.prompt, old.model);
          INSERT INTO predictions_fts(rowid, prompt, model) VALUES (new.seq, new.prompt, new.model);
        END;
        INSERT INTO predictions_fts(predictions_fts) VALUES ('rebuild');
      `);
    },
  },
  {
    version: 3,
    name: 'staged input files',
    up(db) {
      db.exec(`
        CREATE TABLE input_files (
          id TEXT PRIMARY KEY,
          path TEXT NOT NULL,
          name TEXT,
          mime TEXT NOT NULL,
          size INTEGER NOT NULL,
          sha256 TEXT,
          created_at INTEGER NOT NULL
        );
      `);
    },
  },
  {
    version: 4,
    name: 'partial indexes for the engine start',
    up(db) {
      // On start the engine resumes every non-terminal prediction and every succeeded one not yet
      // saved; in a 100k history that is a handful of rows, which these find without a scan. Their
      // WHERE clauses must stay textually identical to listActive/listUnsaved for SQLite to use
      // them. The save_state index of migration 1 also held every failed row ('none'): replaced.
      db.exec(`
        CREATE INDEX predictions_active ON predictions(created_at) WHERE status NOT IN ('succeeded','failed','canceled','aborted');
        CREATE INDEX predictions_unsaved ON predictions(created_at) WHERE status = 'succeeded' AND save_state IN ('saving','save-failed','none');
        DROP INDEX predictions_save_state;
      `);
    },
  },
  {
    version: 5,
    name: 'output save failures and attempts',
    up(db) {
      // A save that can only fail again (404, too large, not the promised type) is given up on and
      // remembered as such, so no start of the app retries it; transient failures are counted so
      // a host that never recovers is not retried forever either.
      db.exec(`
        ALTER TABLE outputs ADD COLUMN failure TEXT;
        ALTER TABLE outputs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
      `);
    },
  },
  {
    version: 6,
    name: 'cost ledger',
    up(db) {
      // One row per ended run (ARCHITECTURE.md, "Money"): what it cost or is estimated to have cost, how that was
      // reached, and the date of the price table used. No foreign key: money spent stays in the
      // ledger when the run is deleted from the gallery. `usd` NULL means unknown, never $0.
      db.exec(`
        CREATE TABLE costs (
          prediction_id TEXT PRIMARY KEY,
          provider TEXT NOT NULL,
          model TEXT NOT NULL,
          status TEXT NOT NULL,
          usd REAL,
          estimated INTEGER NOT NULL,
          basis TEXT NOT NULL,
          table_date TEXT,
          at INTEGER NOT NULL
        );
        CREATE INDEX costs_at ON costs(at);
      `);
      // Runs that ended before the ledger existed, where Replicate's shipped table knows the model.
      backfillCosts(db);
    },
  },
  {
    version: 7,
    name: 'run groups',
    up(db) {
      // A batch or a compare is a group of ordinary runs (ARCHITECTURE.md, "Workflows"): each member is a run like any
      // other (engine, ledger, gallery need nothing special); the group only links them. NULL = alone.
      db.exec(`
        ALTER TABLE predictions ADD COLUMN group_id TEXT;
        ALTER TABLE predictions ADD COLUMN group_kind TEXT;
        CREATE INDEX predictions_group ON predictions(group_id, created_at) WHERE group_id IS NOT NULL;
      `);
    },
  },
  {
    version: 8,
    name: 'seed of each run',
    up(db) {
      // The seed a run used (issue 14, Reproduce): from its input, else its logs or result. Kept in
      // a column because the logs keep only their tail, and the line naming the seed is the first.
      db.exec('ALTER TABLE predictions ADD COLUMN seed INTEGER');
      const rows = db.prepare('SELECT seq, input, logs, output FROM predictions').all() as {
        seq: number;
        input: string;
        logs: string;
        output: string | null;
      }[];
      const set = db.prepare('UPDATE predictions SET seed = ? WHERE seq = ?');
      const parse = (v: string | null): unknown => {
        try {
          return v ? JSON.parse(v) : null;
        } catch {
          return null;
        }
      };
      for (const r of rows) {
        const seed = seedFromInput(parse(r.input) as Record<string, unknown> | null) ?? seedFromLogs(r.logs) ?? seedFromOutput(parse(r.output));
        if (seed !== null) set.run(seed, r.seq);
      }
    },
  },
  {
    version: 9,
    name: 'source run of a chained input',
    up(db) {
      // Chain (issue 14): the run whose saved output was used as this run's input, so the card can
      // link back to it. A plain id, no foreign key: deleting the source leaves the link dangling,
      // and the view then shows none (store.ts looks the source up at read time).
      db.exec('ALTER TABLE predictions ADD COLUMN source_id TEXT');
    },
  },
  {
    version: 10,
    name: 'place of a member in its group',
    up(db) {
      // A compare shows its models in the order they were added (issue 14). The insert sequence
      // cannot say it for members made in the same millisecond once a delete + undo or an import
      // has re-inserted them in another order, so each member keeps its index. NULL: older groups,
      // which fall back to creation order.
      db.exec('ALTER TABLE predictions ADD COLUMN group_index INTEGER');
    },
  },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export function currentVersion(db: DatabaseSync): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const row = db.prepare('SELECT max(version) AS v FROM schema_version').get() as { v: number | null };
  return row.v ?? 0;
}

/** Applies pending migrations up to `target` (default: all). Each runs in its own transaction. */
export function migrate(db: DatabaseSync, opts: { now: number; target?: number; beforeFirst?: (from: number) => void }): { from: number; to: number } {
  const from = currentVersion(db);
  const target = opts.target ?? LATEST_VERSION;
  const pending = MIGRATIONS.filter((m) => m.version > from && m.version <= target);
  if (pending.length === 0) return { from, to: from };
  opts.beforeFirst?.(from);
  for (const m of pending) {
    db.exec('BEGIN IMMEDIATE');
    try {
      m.up(db);
      db.prepare('INSERT INTO schema_version(version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, opts.now);
      db.exec('COMMIT');
    } catch (err) {
      db.exec('ROLLBACK');
      throw new Error(`history migration ${m.version} (${m.name}) failed: ${String(err)}`, { cause: err });
    }
  }
  return { from, to: pending[pending.length - 1]!.version };
}
