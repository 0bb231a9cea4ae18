import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LOCK_FILE, createOwnerLock, pidAlive } from '../../electron/backend/ownership/lock.ts';
import { createClaims, liveForeignClaims } from '../../electron/backend/ownership/claims.ts';

// The data-folder lock (ARCHITECTURE.md, "Storage") with real files and real processes.

const LOCK_TS = path.resolve(import.meta.dirname, '../../electron/backend/ownership/lock.ts');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kiln-lock-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A pid that surely belonged to a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('owner lock', () => {
  it('one holder at a time; release lets the next one in', () => {
    const a = createOwnerLock({ dataDir: dir, kind: 'web' });
    const b = createOwnerLock({ dataDir: dir, kind: 'memory' });
    expect(a.tryAcquire()).toBe(true);
    expect(JSON.parse(readFileSync(path.join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid, kind: 'web' });
    // Same process, newer backend: it takes over (an older one in this process was stopped or crashed).
    expect(b.tryAcquire()).toBe(true);
    expect(a.held).toBe(false);
    b.release();
    expect(a.tryAcquire()).toBe(true);
  });

  it('a lock held by another live process is respected', async () => {
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { createOwnerLock } from ${JSON.stringify(LOCK_TS)}; const l = createOwnerLock({ dataDir: ${JSON.stringify(dir)}, kind: 'child' }); console.log(l.tryAcquire()); setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const first = await new Promise<string>((r) => child.stdout!.once('data', (d) => r(String(d).trim())));
      expect(first).toBe('true');
      const mine = createOwnerLock({ dataDir: dir, kind: 'web' });
      expect(mine.tryAcquire()).toBe(false);
      expect(mine.holder()).toMatchObject({ pid: child.pid, kind: 'child' });
      // SIGKILLed owner: its lock is stale at once (pid gone), never locking the folder forever.
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      expect(pidAlive(child.pid!)).toBe(false);
      expect(mine.tryAcquire()).toBe(true);
      expect(mine.holder()).toMatchObject({ pid: process.pid });
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('a stale lock left by a dead process is taken over', () => {
    writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: deadPid(), token: 'old', kind: 'app', since: 1 }));
    const l = createOwnerLock({ dataDir: dir, kind: 'web' });
    expect(l.tryAcquire()).toBe(true);
    expect(l.holder()?.token).not.toBe('old');
  });
});

describe('claims', () => {
  it('lists ids claimed by live processes only, and forgets dead ones', () => {
    const dead = deadPid();
    mkdtempSync(path.join(dir, 'x')); // unrelated content in the folder is ignored
    const claimsDir = path.join(dir, 'claims');
    const mine = createClaims({ dataDir: dir, token: 'me' });
    mine.add(['a', 'b']);
    expect(liveForeignClaims(dir, 'me').size).toBe(0); // our own claims are not foreign
    writeFileSync(path.join(claimsDir, `${dead}-zzz.json`), JSON.stringify({ ids: ['c'] }));
    expect(liveForeignClaims(dir, 'other')).toEqual(new Set()); // same pid other token: an older backend here; dead pid: gone
    mine.close();
  });
});
