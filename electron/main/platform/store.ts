import fs from 'node:fs';
import path from 'node:path';
import { app } from 'electron';
import Store from 'electron-store';
import type { Logger } from '../../backend/types.ts';

// One electron-store file (config.json in userData) holds settings, window state and the
// encrypted secrets. A file that is not JSON must not stop the app from opening: it is kept aside
// as config.json.corrupt-<ts> and a fresh store is created.
export type KilnStore = Store<Record<string, unknown>>;

export function openStore(log: Logger): KilnStore {
  try {
    return new Store<Record<string, unknown>>({ name: 'config', clearInvalidConfig: false });
  } catch (err) {
    const file = path.join(app.getPath('userData'), 'config.json');
    const aside = `${file}.corrupt-${Date.now()}`;
    try {
      fs.renameSync(file, aside);
    } catch {
      // Nothing to keep aside; the next attempt recreates it either way.
    }
    log.warn('settings: unreadable config.json replaced with defaults', { keptAs: aside, err: String(err) });
    return new Store<Record<string, unknown>>({ name: 'config', clearInvalidConfig: true });
  }
}
