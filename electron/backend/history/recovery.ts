import fs from 'node:fs';
import path from 'node:path';
import { RecoveryNotice } from '../../../shared/ipc.ts';
import { RECOVERY_NOTICE_FILE } from './db.ts';

// The notice db.ts leaves after salvaging a damaged history. It lives in a file, not in memory, so
// a salvage during a CLI run is still told to the user when the app next opens; dismissing it in
// the app deletes it (shown once).

export function readRecoveryNotice(dataDir: string): RecoveryNotice | null {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(path.join(dataDir, RECOVERY_NOTICE_FILE), 'utf8'));
  } catch {
    return null;
  }
  const r = RecoveryNotice.safeParse(raw);
  return r.success ? r.data : null;
}

export function dismissRecoveryNotice(dataDir: string): void {
  fs.rmSync(path.join(dataDir, RECOVERY_NOTICE_FILE), { force: true });
}
