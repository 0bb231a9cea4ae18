import fs from 'node:fs';
import type { Settings } from '../../../shared/domain/settings.ts';
import type { Logger, SettingsAdapter } from '../../backend/types.ts';
import { applySettingsPatch, parseStoredSettings } from '../../backend/settings/parse.ts';
import type { KilnStore } from './store.ts';

// Settings in electron-store's settings.json (openSettingsStore), the Settings object at the top
// level, validated with the same schema and recovery rules as the file adapter used outside
// Electron (electron/backend/settings/file-settings.ts): an invalid file is kept aside, then defaults.
export function createStoreSettings(store: KilnStore, log: Logger): SettingsAdapter {
  const parsed = parseStoredSettings(store.store);
  if (!parsed.ok) {
    const aside = `${store.path}.corrupt-${Date.now()}`;
    try {
      fs.copyFileSync(store.path, aside);
    } catch {
      // Could not keep a copy; defaults below either way.
    }
    log.warn('settings: invalid stored settings replaced with defaults', { reason: parsed.reason, keptAs: aside });
  }
  let current: Settings = parsed.settings;
  store.store = current;
  return {
    get: () => structuredClone(current),
    set(patch) {
      current = applySettingsPatch(current, patch);
      store.store = current;
      return structuredClone(current);
    },
  };
}
