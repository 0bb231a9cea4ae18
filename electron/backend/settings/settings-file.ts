import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../types.ts';
import { FILE_MODE } from '../data-dir.ts';

// One settings file for every host (docs/ARCHITECTURE.md, "Settings and secrets"): <data folder>/settings.json,
// the Settings object itself at the top level, 2-space JSON with a final newline, mode 0600. The
// CLI and browser mode write it through file-settings.ts; the app through electron-store, whose
// options come from settingsStoreOptions() so both produce the very same bytes.

export const SETTINGS_NAME = 'settings';
export const SETTINGS_FILE = `${SETTINGS_NAME}.json`;

export function settingsFilePath(dataDir: string): string {
  return path.join(dataDir, SETTINGS_FILE);
}

/** The one serialisation both adapters use. */
export function serializeSettings(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

/**
 * electron-store's options for the settings file: the data folder as `cwd`, `name` 'settings', our
 * serialisation, owner-only mode. Pure, so a test can check them without Electron (and feed them to
 * `conf`, electron-store's engine).
 */
export function settingsStoreOptions(dataDir: string) {
  return {
    cwd: dataDir,
    name: SETTINGS_NAME,
    fileExtension: 'json',
    serialize: serializeSettings,
    configFileMode: FILE_MODE,
    // Never wipe a file we cannot read: the adapter keeps it aside and says so (settings.ts).
    clearInvalidConfig: false,
    accessPropertiesByDotNotation: false,
  } as const;
}

/**
 * Before one settings file, the app kept its settings under `settings` in electron-store's
 * config.json. Once, when settings.json does not exist yet, copy them over (settings only: the
 * window state and encrypted keys stay in config.json). Returns whether it migrated.
 */
export function migrateLegacySettings(dataDir: string, log: Logger): boolean {
  const target = settingsFilePath(dataDir);
  if (fs.existsSync(target)) return false;
  let legacy: unknown;
  try {
    legacy = (JSON.parse(fs.readFileSync(path.join(dataDir, 'config.json'), 'utf8')) as { settings?: unknown })?.settings;
  } catch {
    return false; // no config.json, or one that is not JSON: nothing to carry over
  }
  if (typeof legacy !== 'object' || legacy === null || Array.isArray(legacy)) return false;
  try {
    fs.writeFileSync(target, serializeSettings(legacy), { mode: FILE_MODE, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false; // another host migrated first
    log.warn('settings: could not migrate config.json settings', { file: target, err: String(err) });
    return false;
  }
  log.info('settings: moved settings from config.json to settings.json', { file: target });
  return true;
}
