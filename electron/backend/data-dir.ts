import os from 'node:os';
import path from 'node:path';

// Where Kiln keeps its history, media and settings when nobody says otherwise. Electron's
// app.getPath('userData') for a productName of "Kiln" resolves to exactly these, so the CLI and the
// app share one data dir without the CLI importing electron.
export function defaultDataDir(platform: NodeJS.Platform = process.platform, env: Record<string, string | undefined> = process.env, home: string = os.homedir()): string {
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Kiln');
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Kiln');
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'Kiln');
}

/** KILN_DATA_DIR wins, then the platform default. */
export function resolveDataDir(env: Record<string, string | undefined> = process.env): string {
  return env.KILN_DATA_DIR ? path.resolve(env.KILN_DATA_DIR) : defaultDataDir(process.platform, env);
}
