import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// Where Kiln keeps its history, media and settings when nobody says otherwise. Electron's
// app.getPath('userData') for a productName of "Kiln" resolves to exactly these, so the CLI and the
// app share one data dir without the CLI importing electron.
export function defaultDataDir(
  platform: NodeJS.Platform = process.platform,
  env: Record<string, string | undefined> = process.env,
  home: string = os.homedir(),
): string {
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Kiln');
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Kiln');
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'Kiln');
}

/** KILN_DATA_DIR wins, then the platform default. */
export function resolveDataDir(env: Record<string, string | undefined> = process.env): string {
  return env.KILN_DATA_DIR ? path.resolve(env.KILN_DATA_DIR) : defaultDataDir(process.platform, env);
}

// Owner-only permissions (ARCHITECTURE.md, "Storage"): the data folder holds prompts, outputs, the history and,
// outside Electron, the API key. Folders 0700, files 0600, wherever the OS has modes (on Windows
// chmod only toggles read-only, so it is skipped: the profile folder's ACL is the protection).
export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;
const HAS_MODES = process.platform !== 'win32';

/** mkdir -p with 0700 on the folder itself (mkdir's mode is masked by umask, hence the chmod). */
export async function privateDir(dir: string): Promise<void> {
  await fs.promises.mkdir(dir, { recursive: true, mode: DIR_MODE });
  if (HAS_MODES) await fs.promises.chmod(dir, DIR_MODE).catch(notOurs);
}

export function privateDirSync(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  if (!HAS_MODES) return;
  try {
    fs.chmodSync(dir, DIR_MODE);
  } catch (err) {
    notOurs(err);
  }
}

/** A folder we may use but not re-mode (another owner, a read-only mount) must not stop Kiln. */
function notOurs(err: unknown): void {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code !== 'EPERM' && code !== 'EROFS' && code !== 'EACCES') throw err;
}

/** chmod that ignores a file that is not there (optional files: -wal, secrets.json…). */
export function chmodIfExists(p: string, mode: number): void {
  if (!HAS_MODES) return;
  try {
    const st = fs.lstatSync(p);
    if (st.isSymbolicLink()) return; // never change the mode of whatever a link points at
    if ((st.mode & 0o777) !== mode) fs.chmodSync(p, mode);
  } catch {
    // absent or not ours to change: nothing to tighten
  }
}

/** Files Kiln keeps at the top of the data folder, tightened on every open (older versions left them 0644). */
const TOP_FILES = ['history.db', 'history.db-wal', 'history.db-shm', 'settings.json', 'config.json', 'secrets.json'];
const TOP_DIRS = ['media', 'logs', 'exports', '.vault-tmp', '.trash'];

/**
 * Makes the data folder private and fixes what older versions left readable. The folder's own
 * 0700 already shuts other users out of everything below it; the rest is belt and braces.
 */
export function securePermissions(dataDir: string): void {
  privateDirSync(dataDir);
  for (const f of TOP_FILES) chmodIfExists(path.join(dataDir, f), FILE_MODE);
  for (const name of fs.readdirSync(dataDir)) {
    if (/^history\.db\./.test(name)) chmodIfExists(path.join(dataDir, name), FILE_MODE); // backups, damaged copies
  }
  for (const d of TOP_DIRS) chmodIfExists(path.join(dataDir, d), DIR_MODE);
}

/**
 * Walks a tree once, setting 0700 on folders and 0600 on files (the media vault of an older
 * version). Bounded, never follows links; run in the background so a large vault never delays start.
 */
export async function tightenTree(root: string, maxEntries = 2_000_000): Promise<number> {
  if (!HAS_MODES) return 0;
  let changed = 0;
  let seen = 0;
  const stack = [root];
  while (stack.length > 0 && seen < maxEntries) {
    const dir = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      seen++;
      const abs = path.join(dir, e.name);
      const want = e.isDirectory() ? DIR_MODE : e.isFile() ? FILE_MODE : null;
      if (want === null) continue; // links and specials are left alone
      try {
        const st = await fs.promises.lstat(abs);
        if ((st.mode & 0o777) !== want) {
          await fs.promises.chmod(abs, want);
          changed++;
        }
      } catch {
        // gone meanwhile
      }
      if (e.isDirectory()) stack.push(abs);
    }
  }
  return changed;
}
