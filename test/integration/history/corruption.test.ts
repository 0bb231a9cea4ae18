import { afterAll, afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { openHistory } from '../../../electron/backend/history/store.ts';
import type { HistoryStoreFull } from '../../../electron/backend/history/types.ts';
import { readRecoveryNotice } from '../../../electron/backend/history/recovery.ts';
import { call, setup, type Harness } from '../engine/harness.ts';
import { manualClock, recordingLog, tempDir, removeTempDirs } from '../../unit/history-helpers.ts';

afterAll(removeTempDirs);

// A damaged history.db, made for real: a SQLite file with garbage written over pages in the middle,
// a 0-byte file, a file that is not a database. Every start must survive it, salvage what reads,
// keep the damaged file, and leave the user a notice saying so.

const opened: HistoryStoreFull[] = [];
const harnesses: Harness[] = [];
afterEach(async () => {
  for (const h of opened.splice(0)) h.close();
  for (const h of harnesses.splice(0)) await h.close();
});

const N = 2000;
function filledDataDir(): string {
  const dir = tempDir('kiln-corrupt-');
  const h = openHistory({ dataDir: dir, log: recordingLog(), clock: manualClock(1) });
  for (let i = 0; i < N; i++) {
    h.insertIntent({
      id: `r${i}`,
      provider: 'replicate',
      model: 'owner/m',
      version: null,
      target: 'model',
      input: { prompt: `prompt number ${i} `.repeat(15) },
    });
    h.setOutputs(`r${i}`, [
      {
        index: 0,
        kind: 'image',
        state: 'saved',
        remoteUrl: null,
        path: `2026/01/r${i}/out-0.png`,
        thumbPath: null,
        mime: 'image/png',
        size: 1,
        width: 1,
        height: 1,
        sha256: null,
        error: null,
      },
    ]);
  }
  h.close();
  return dir;
}

async function damageMiddle(dir: string) {
  // Another writer, later than Kiln's close: the file's mtime moves past the clean-close stamp
  // (Linux stamps mtimes with a clock that ticks every few ms).
  await new Promise((r) => setTimeout(r, 30));
  const file = path.join(dir, 'history.db');
  const size = fs.statSync(file).size;
  const fd = fs.openSync(file, 'r+');
  // Three pages of garbage a third of the way in: table leaves of predictions, far from page 1.
  fs.writeSync(fd, Buffer.alloc(3 * 4096, 0xab), 0, 3 * 4096, Math.floor(size / 3 / 4096) * 4096);
  fs.closeSync(fd);
}

function readAll(h: HistoryStoreFull): number {
  let n = 0;
  let cursor: string | null = null;
  do {
    const page = h.list({}, cursor, 500);
    n += page.items.length;
    cursor = page.nextCursor;
  } while (cursor);
  return n;
}

describe('a damaged history database', () => {
  it('garbage in the middle of the file: detected on open, readable runs salvaged, file kept aside, notice written', async () => {
    const dir = filledDataDir();
    await damageMiddle(dir);
    const log = recordingLog();
    const h = openHistory({ dataDir: dir, log, clock: manualClock(5000) });
    opened.push(h);
    // Today's failure: opening worked and the first full read of the gallery threw "malformed".
    const total = readAll(h);
    expect(total).toBeGreaterThan(N / 2);
    expect(total).toBeLessThan(N);
    expect(h.counts().total).toBe(total);
    // Salvaged runs keep their outputs and are searchable (FTS rebuilt by the inserts).
    const some = h.list({}, null, 1).items[0]!;
    expect(some.outputs).toHaveLength(1);
    expect(h.list({ query: 'number' }, null, 5).items.length).toBe(5);
    const notice = readRecoveryNotice(dir)!;
    expect(notice).toMatchObject({ recovered: total, movedTo: path.join(dir, 'history.db.damaged-5000') });
    expect(notice.reason).toMatch(/malformed/);
    expect(fs.existsSync(notice.movedTo)).toBe(true);
    const check = new DatabaseSync(path.join(dir, 'history.db'), { readOnly: true });
    expect(check.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
    check.close();
  });

  it('a 0-byte history.db is noticed, not silently treated as a new install', () => {
    const dir = tempDir('kiln-corrupt-');
    fs.writeFileSync(path.join(dir, 'history.db'), '');
    const h = openHistory({ dataDir: dir, log: recordingLog(), clock: manualClock(7) });
    opened.push(h);
    expect(h.counts().total).toBe(0);
    expect(readRecoveryNotice(dir)).toMatchObject({ recovered: 0, reason: expect.stringMatching(/0 bytes/), movedTo: path.join(dir, 'history.db.damaged-7') });
  });

  it('after a crash (no clean close) the full check runs even if the file looks untouched', () => {
    const dir = filledDataDir();
    const file = path.join(dir, 'history.db');
    const before = fs.statSync(file);
    fs.rmSync(path.join(dir, 'history.db.clean')); // what a kill -9 leaves: no clean-close stamp
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(3 * 4096, 0xab), 0, 3 * 4096, Math.floor(before.size / 3 / 4096) * 4096);
    fs.closeSync(fd);
    fs.utimesSync(file, before.atime, before.mtime);
    const h = openHistory({ dataDir: dir, log: recordingLog(), clock: manualClock(9) });
    opened.push(h);
    expect(readRecoveryNotice(dir)?.recovered).toBe(readAll(h));
  });

  it('a new install gets no notice; a clean reopen gets none either', () => {
    const dir = tempDir('kiln-corrupt-');
    openHistory({ dataDir: dir, log: recordingLog(), clock: manualClock(7) }).close();
    const h = openHistory({ dataDir: dir, log: recordingLog(), clock: manualClock(8) });
    opened.push(h);
    expect(readRecoveryNotice(dir)).toBeNull();
  });

  it('the app tells the user once: the notice crosses the contract until dismissed', async () => {
    const dir = filledDataDir();
    await damageMiddle(dir);
    const h = await setup({ dataDirOverride: dir });
    harnesses.push(h);
    const notice = await call(h.backend, 'history:recoveryNotice', {});
    expect(notice.recovered).toBe(h.backend.services.history.counts().total);
    expect(notice.recovered).toBeGreaterThan(0);
    expect(notice.movedTo).toMatch(/history\.db\.damaged-\d+$/);
    expect((await call(h.backend, 'predictions:list', { limit: 200 })).items.length).toBeGreaterThan(0);
    await call(h.backend, 'history:dismissRecoveryNotice', {});
    expect(await call(h.backend, 'history:recoveryNotice', {})).toBeNull();
  });
});
