import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { openHistory } from '../../../electron/backend/history/store.ts';
import { systemClock } from '../../../electron/backend/types.ts';
import { recordingLog, tempDir, removeTempDirs } from '../../unit/history-helpers.ts';

afterAll(removeTempDirs);

// kill -9 at arbitrary moments while another process writes: the database must reopen cleanly
// (no corruption, nothing moved aside) with every write the writer had reported as committed.

const writer = path.join(path.dirname(fileURLToPath(import.meta.url)), 'crash-writer.ts');

function runAndKill(dataDir: string, prefix: string, killAfterCommits: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writer, dataDir, prefix], { stdio: ['ignore', 'pipe', 'pipe'] });
    let last = -1;
    let buf = '';
    let stderr = '';
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`writer did not reach ${killAfterCommits} commits in time (last ${last}): ${stderr}`));
    }, 30_000);
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) if (l) last = Number(l);
      if (last >= killAfterCommits && !child.killed) child.kill('SIGKILL');
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (_code, signal) => {
      clearTimeout(guard);
      if (signal !== 'SIGKILL') reject(new Error(`writer exited on its own (${signal}): ${stderr}`));
      else resolve(last);
    });
  });
}

describe('history survives kill -9', () => {
  it('reopens cleanly after repeated SIGKILLs mid-write, with every reported commit present', async () => {
    const dir = tempDir('kiln-crash-');
    for (const [round, killAt] of [
      [0, 150],
      [1, 400],
      [2, 777],
    ] as const) {
      const prefix = `r${round}`;
      const lastReported = await runAndKill(dir, prefix, killAt);
      expect(lastReported).toBeGreaterThanOrEqual(killAt);

      const raw = new DatabaseSync(path.join(dir, 'history.db'));
      expect(raw.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
      raw.exec("INSERT INTO predictions_fts(predictions_fts) VALUES ('integrity-check')");
      raw.close();

      const log = recordingLog();
      const h = openHistory({ dataDir: dir, log, clock: systemClock });
      try {
        expect(log.lines.filter((l) => l.level === 'error')).toEqual([]);
        for (let i = 0; i <= lastReported; i++) {
          const rec = h.get(`${prefix}-${i}`);
          // The writer deletes i-5 in iteration i%10==9, after reporting i: committed once a later i was reported.
          if (i % 10 === 4) {
            if (i + 5 < lastReported) expect(rec, `${prefix}-${i} deleted`).toBeNull();
            continue;
          }
          expect(rec, `${prefix}-${i}`).not.toBeNull();
        }
        // Still writable, searchable and consistent.
        h.insertIntent({
          id: `after-${round}`,
          provider: 'replicate',
          model: 'owner/model',
          version: null,
          target: 'model',
          input: { prompt: 'after the crash' },
        });
        expect(h.list({ query: 'after crash' }, null, 10).items.map((i) => i.id)).toContain(`after-${round}`);
      } finally {
        h.close();
      }
    }
  });
});
