import fs from 'node:fs';
import path from 'node:path';
import { app } from 'electron';
import Store from 'electron-store';
import type { Logger } from '../../backend/types.ts';
import { migrateLegacySettings, settingsStoreOptions } from '../../backend/settings/settings-file.ts';

// Two electron-store files in the data folder (userData): config.json holds the window state and the
// encrypted secrets; settings.json holds the settings, in the very format the CLI and browser mode
// write (backend/settings/settings-file.ts), so every host reads and writes one settings file.
// A file that is not JSON must not stop the app from opening: it is kept aside as
// <name>.json.corrupt-<ts> and a fresh store is created.
export type KilnStore = Store<Record<string, unknown>>;

function openOrKeepAside(file: string, log: Logger, open: (clearInvalidConfig: boolean) => KilnStore): KilnStore {
  try {
    return open(false);
  } catch (err) {
    const aside = `${file}.corrupt-${Date.now()}`;
    try {
      fs.renameSync(file, aside);
    } catch {
      // Nothing to keep aside; the next attempt recreates it either way.
    }
    log.warn(`settings: unreadable ${path.basename(file)} replaced with defaults`, { keptAs: aside, err: String(err) });
    return open(true);
  }
}

export function openStore(log: Logger): KilnStore {
  const file = path.join(app.getPath('userData'), 'config.json');
  return openOrKeepAside(file, log, (clearInvalidConfig) => new Store<Record<string, unknown>>({ name: 'config', clearInvalidConfig }));
}

/** The settings file shared with every other host (docs/ARCHITECTURE.md, "Settings and secrets"), migrated from config.json once. */
export function openSettingsStore(dataDir: string, log: Logger): KilnStore {
  migrateLegacySettings(dataDir, log);
  const opts = settingsStoreOptions(dataDir);
  return openOrKeepAside(
    path.join(dataDir, `${opts.name}.${opts.fileExtension}`),
    log,
    (clearInvalidConfig) => new Store<Record<string, unknown>>({ ...opts, clearInvalidConfig }),
  );
}
