import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

// Browser mode's token, stable per data folder (docs/DECISIONS.md "Browser mode token"): kept in
// `<data>/web-token`, 0600 like secrets.json beside it, so restarting Kiln keeps open tabs and
// bookmarked links working. Whoever can read this file can already read the API key next to it, so
// storing it adds no exposure. Delete the file to rotate the token (open tabs then say so plainly).

export const TOKEN_FILE = 'web-token';
const VALID = /^[A-Za-z0-9_-]{32,128}$/;

export function isValidToken(t: string | undefined | null): t is string {
  return typeof t === 'string' && VALID.test(t);
}

/** The token to use: `KILN_WEB_TOKEN` when given (a supervisor keeping it across restarts), else the folder's own. */
export function loadOrCreateToken(dataDir: string, fromEnv?: string): string {
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!/^[A-Za-z0-9._~-]{16,512}$/.test(fromEnv)) throw new Error('KILN_WEB_TOKEN must be 16 to 512 characters of A-Z, a-z, 0-9, ".", "_", "~" or "-".');
    return fromEnv;
  }
  const file = path.join(dataDir, TOKEN_FILE);
  try {
    const existing = fs.readFileSync(file, 'utf8').trim();
    if (isValidToken(existing)) {
      // Tighten a file some other tool left readable by others.
      if (process.platform !== 'win32' && (fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
      return existing;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const token = randomBytes(24).toString('base64url');
  // Written beside, then renamed: a crash never leaves a half token that would lock every tab out.
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${token}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
  return token;
}
