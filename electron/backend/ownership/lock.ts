import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

// Data-folder ownership (ARCHITECTURE.md, "Storage"; docs/DECISIONS.md, "data-folder ownership"): one process at a time owns a
// data folder, and only the owner resumes and reconciles runs it did not start. The app, browser
// mode and the CLI all compose the same backend, so the lock lives here rather than in Electron's
// single-instance lock (which the CLI and browser mode never see).
//
// The lock is `<dataDir>/owner.lock`, created with O_EXCL and holding {pid, token, kind, since}.
// A lock whose pid is no longer alive is stale — a SIGKILLed owner must not lock the folder forever —
// and is taken over. Inside one process the newest backend wins: a process runs one backend per
// data folder, so an older one there has been stopped or (in tests) crashed on purpose.

export const LOCK_FILE = 'owner.lock';

export interface LockInfo {
  pid: number;
  token: string;
  kind: string;
  since: number;
}

export interface OwnerLock {
  /** Whether this process holds the lock right now. */
  readonly held: boolean;
  /** Tries to take the lock (free or stale). True when held afterwards. */
  tryAcquire(): boolean;
  /** Releases it if it is still ours. */
  release(): void;
  /** Who holds it (null: nobody, or unreadable). */
  holder(): LockInfo | null;
}

/** True when a process with this pid exists (EPERM: it exists, owned by someone else). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(file: string): LockInfo | null {
  try {
    const raw = fs.readFileSync(file, 'utf8');
    if (raw.length > 4096) return null;
    const v = JSON.parse(raw) as Partial<LockInfo>;
    if (typeof v.pid !== 'number' || typeof v.token !== 'string') return null;
    return { pid: v.pid, token: v.token, kind: String(v.kind ?? ''), since: Number(v.since ?? 0) };
  } catch {
    return null;
  }
}

export function createOwnerLock(opts: { dataDir: string; kind: string; now?: () => number }): OwnerLock {
  const file = path.join(opts.dataDir, LOCK_FILE);
  const token = crypto.randomUUID();
  let held = false;

  /** O_EXCL create of a complete file: write a private temp file, then hard-link it into place. */
  function create(): boolean {
    const tmp = `${file}.${process.pid}.${token}.tmp`;
    const info: LockInfo = { pid: process.pid, token, kind: opts.kind, since: (opts.now ?? Date.now)() };
    fs.writeFileSync(tmp, JSON.stringify(info), { mode: 0o600 });
    try {
      fs.linkSync(tmp, file); // atomic, fails with EEXIST: never two owners
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }

  /**
   * Removes a stale lock without ever removing a live one: move it aside under a name only we use,
   * then check that what we moved is the stale lock we judged (another process may have replaced it
   * in between); if not, put it back.
   */
  function removeStale(stale: LockInfo | null): void {
    const aside = `${file}.stale-${process.pid}-${token}`;
    try {
      fs.renameSync(file, aside);
    } catch {
      return; // gone already: someone else cleared it
    }
    const moved = readLock(aside);
    const same = stale === null ? moved === null : moved?.token === stale.token;
    if (same) fs.rmSync(aside, { force: true });
    else {
      try {
        fs.linkSync(aside, file);
      } catch {
        // a newer lock took its place meanwhile: that one stands
      }
      fs.rmSync(aside, { force: true });
    }
  }

  function stale(info: LockInfo | null): boolean {
    if (info === null) {
      // Unreadable: a writer that died between create and write cannot happen (we link complete
      // files), so this is damage. Give it a moment in case of a slow file system, then take it.
      try {
        return Date.now() - fs.statSync(file).mtimeMs > 5000;
      } catch {
        return true;
      }
    }
    if (info.token === token) return false;
    if (info.pid === process.pid) return true; // an older backend in this process (see above)
    return !pidAlive(info.pid);
  }

  return {
    get held() {
      if (!held) return false;
      // Someone removed or replaced it by hand: we are no longer the owner.
      held = readLock(file)?.token === token;
      return held;
    },
    tryAcquire() {
      if (held && readLock(file)?.token === token) return true;
      held = false;
      fs.mkdirSync(opts.dataDir, { recursive: true });
      for (let attempt = 0; attempt < 3; attempt++) {
        if (create()) return (held = true);
        const info = readLock(file);
        if (info?.token === token) return (held = true);
        if (!stale(info)) return false;
        removeStale(info);
      }
      return false;
    },
    release() {
      if (!held) return;
      held = false;
      if (readLock(file)?.token === token) fs.rmSync(file, { force: true });
    },
    holder: () => readLock(file),
  };
}
