import fs from 'node:fs';
import path from 'node:path';
import { FILE_MODE } from '../data-dir.ts';

// Checking the whole history file takes time in proportion to its size (~0.5 s for 100k runs),
// too slow for every start (ARCHITECTURE.md, "Performance targets": open + first page ≤ 100 ms). What matters is whether the file
// changed while Kiln was not looking, so a clean close leaves a stamp of the file's identity
// (inode, size, mtime in ns); an open that finds the very same file skips the check. After a crash,
// an outside edit, a truncation, a copy from elsewhere or a left-over WAL, the stamp does not match
// and the full check runs. Damage that happens while Kiln has the file open is caught by the
// run-time guard (store.ts), which asks for the thorough check on the next start.

const STAMP = 'history.db.clean';

function identity(file: string): string | null {
  try {
    const st = fs.statSync(file, { bigint: true });
    const wal = fs.statSync(`${file}-wal`, { throwIfNoEntry: false });
    if (wal && wal.size > 0) return null; // committed data not yet in the main file: not a clean close
    return `${st.ino}:${st.size}:${st.mtimeNs}`;
  } catch {
    return null;
  }
}

/** True when the file is exactly as a clean close of Kiln left it. */
export function leftCleanly(file: string): boolean {
  const id = identity(file);
  if (id === null) return false;
  try {
    return fs.readFileSync(path.join(path.dirname(file), STAMP), 'utf8') === id;
  } catch {
    return false;
  }
}

/** Forgotten on open: until this process closes cleanly, the next open checks. */
export function forgetCleanClose(file: string): void {
  fs.rmSync(path.join(path.dirname(file), STAMP), { force: true });
}

export function recordCleanClose(file: string): void {
  const id = identity(file);
  if (id === null) return;
  try {
    fs.writeFileSync(path.join(path.dirname(file), STAMP), id, { mode: FILE_MODE });
  } catch {
    // a read-only data folder: the next open simply checks
  }
}
