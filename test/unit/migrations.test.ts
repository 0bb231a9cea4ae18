import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { openDatabase } from '../../electron/backend/history/db.ts';
import { LATEST_VERSION, MIGRATIONS, currentVersion, migrate } from '../../electron/backend/history/migrations.ts';
import { openHistory } from '../../electron/backend/history/store.ts';
import { manualClock, recordingLog, tempDir, removeTempDirs } from './history-helpers.ts';

afterAll(removeTempDirs);

const tables = (db: DatabaseSync) =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') ORDER BY name").all() as { name: string }[]).map((r) => r.name);
const backups = (dir: string) => fs.readdirSync(dir).filter((n) => n.includes('.bak-'));

function insertRaw(db: DatabaseSync, id: string, prompt: string) {
  db.prepare(
    "INSERT INTO predictions (id, provider, model, prompt, status, created_at, status_since, family_id) VALUES (?, 'replicate', 'owner/m', ?, 'succeeded', 1, 1, ?)",
  ).run(id, prompt, id);
}

describe('migrations', () => {
  it('are numbered 1..N without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(Array.from({ length: LATEST_VERSION }, (_, i) => i + 1));
  });

  it('1: creates predictions and outputs with cascade delete', () => {
    const db = new DatabaseSync(':memory:', { enableForeignKeyConstraints: true });
    migrate(db, { now: 1, target: 1 });
    expect(currentVersion(db)).toBe(1);
    expect(tables(db)).toEqual(expect.arrayContaining(['predictions', 'outputs', 'schema_version']));
    insertRaw(db, 'a', 'x');
    db.prepare("INSERT INTO outputs (prediction_id, idx, kind) VALUES ('a', 0, 'image')").run();
    db.prepare("DELETE FROM predictions WHERE id = 'a'").run();
    expect(db.prepare('SELECT count(*) AS n FROM outputs').get()).toEqual({ n: 0 });
    db.close();
  });

  it('2: adds FTS5, backfills rows that existed before it, and keeps it in sync', () => {
    const db = new DatabaseSync(':memory:');
    migrate(db, { now: 1, target: 1 });
    insertRaw(db, 'old', 'ancient lighthouse');
    migrate(db, { now: 2, target: 2 });
    const search = (q: string) =>
      (db.prepare('SELECT p.id FROM predictions p JOIN predictions_fts f ON f.rowid = p.seq WHERE predictions_fts MATCH ?').all(q) as { id: string }[]).map(
        (r) => r.id,
      );
    expect(search('lighthouse')).toEqual(['old']);
    insertRaw(db, 'new', 'modern bridge');
    expect(search('bridge')).toEqual(['new']);
    db.prepare("UPDATE predictions SET prompt = 'rusty bridge' WHERE id = 'old'").run();
    expect(search('lighthouse')).toEqual([]);
    expect(search('rusty')).toEqual(['old']);
    db.prepare("INSERT INTO predictions_fts(predictions_fts) VALUES ('integrity-check')").run();
    db.close();
  });

  it('3: adds the staged input files table', () => {
    const db = new DatabaseSync(':memory:');
    migrate(db, { now: 1, target: 2 });
    expect(tables(db)).not.toContain('input_files');
    migrate(db, { now: 2, target: 3 });
    expect(tables(db)).toContain('input_files');
    expect((db.prepare('SELECT version, name FROM schema_version ORDER BY version').all() as { version: number }[]).map((r) => r.version)).toEqual([1, 2, 3]);
    db.close();
  });

  it('4: the engine-start queries use small partial indexes instead of scanning', () => {
    const db = new DatabaseSync(':memory:');
    migrate(db, { now: 1, target: 3 });
    insertRaw(db, 'kept', 'x');
    migrate(db, { now: 2, target: 4 });
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join(' | ');
    expect(plan("SELECT * FROM predictions WHERE status NOT IN ('succeeded','failed','canceled','aborted') ORDER BY created_at")).toMatch(
      /USING INDEX predictions_active/,
    );
    expect(
      plan(
        "SELECT * FROM predictions INDEXED BY predictions_unsaved WHERE status = 'succeeded' AND save_state IN ('saving','save-failed','none') ORDER BY created_at",
      ),
    ).toMatch(/predictions_unsaved/);
    expect(tables(db)).toContain('predictions');
    const indexes = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").all() as { name: string }[]).map((r) => r.name);
    expect(indexes).not.toContain('predictions_save_state');
    expect(db.prepare('SELECT id FROM predictions').all()).toEqual([{ id: 'kept' }]);
    db.close();
  });

  it('9: adds source_id (the run a chained input came from), NULL for the runs before it', () => {
    const db = new DatabaseSync(':memory:');
    migrate(db, { now: 1, target: 8 });
    insertRaw(db, 'old', 'before chains');
    migrate(db, { now: 2, target: 9 });
    expect(db.prepare("SELECT source_id FROM predictions WHERE id = 'old'").get()).toEqual({ source_id: null });
    db.close();
  });

  it('a failing migration rolls back and leaves the version unchanged', () => {
    const db = new DatabaseSync(':memory:');
    migrate(db, { now: 1, target: 1 });
    db.exec('CREATE TABLE predictions_fts (x)'); // collides with migration 2
    expect(() => migrate(db, { now: 2 })).toThrow(/migration 2/);
    expect(currentVersion(db)).toBe(1);
    db.close();
  });

  it('backs up an existing database before migrating it, not a new one, and keeps the data', () => {
    const dir = tempDir();
    const log = recordingLog();
    const clock = manualClock(5000);
    const db1 = openDatabase({ dataDir: dir, log, clock, targetVersion: 1 });
    expect(backups(dir)).toEqual([]); // fresh database: nothing to back up
    insertRaw(db1, 'keep', 'before upgrade');
    db1.close();
    const h = openHistory({ dataDir: dir, log, clock });
    expect(h.get('keep')?.status).toBe('succeeded');
    expect(h.list({ query: 'upgrade' }, null, 10).items.map((i) => i.id)).toEqual(['keep']);
    h.close();
    expect(backups(dir)).toEqual(['history.db.bak-v1-5000']);
    const bak = new DatabaseSync(path.join(dir, 'history.db.bak-v1-5000'), { readOnly: true });
    expect(bak.prepare('SELECT max(version) AS v FROM schema_version').get()).toEqual({ v: 1 });
    expect(bak.prepare('SELECT id FROM predictions').all()).toEqual([{ id: 'keep' }]);
    bak.close();
    // Reopening at the latest version migrates nothing, so takes no new backup.
    openHistory({ dataDir: dir, log, clock }).close();
    expect(backups(dir)).toHaveLength(1);
    expect(log.lines.some((l) => /backed up before migration/.test(l.msg))).toBe(true);
  });
});
