import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect } from '../../electron/backend/history/db.ts';

// Every connection to the history file is opened by connect() (a lint rule keeps it so): its sync
// level is per connection, and SQLite's default flushes the disk on every commit.
describe('connect (history/db.ts)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('opens with synchronous = NORMAL and a 5 s lock wait, foreign keys only when asked', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-connect-'));
    dirs.push(dir);
    const file = path.join(dir, 'history.db');
    const a = connect(file, { foreignKeys: true });
    a.exec('PRAGMA journal_mode = WAL');
    const b = connect(file);
    const pragma = (db: typeof a, name: string) => Object.values(db.prepare(`PRAGMA ${name}`).get()!)[0];
    for (const db of [a, b]) {
      expect(pragma(db, 'synchronous')).toBe(1); // NORMAL (FULL is 2)
      expect(pragma(db, 'busy_timeout')).toBe(5000);
    }
    expect(pragma(a, 'foreign_keys')).toBe(1);
    expect(pragma(b, 'foreign_keys')).toBe(0);
    a.close();
    b.close();
  });
});
