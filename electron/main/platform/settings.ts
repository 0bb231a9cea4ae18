import type { Settings } from '../../../shared/domain/settings.ts';
import type { Logger, SettingsAdapter } from '../../backend/types.ts';
import { applySettingsPatch, parseStoredSettings } from '../../backend/settings/parse.ts';
import type { KilnStore } from './store.ts';

// Settings in electron-store, validated with the same schema and recovery rules as the JSON-file
// adapter used outside Electron (electron/backend/settings/parse.ts).
export function createStoreSettings(store: KilnStore, log: Logger): SettingsAdapter {
  const parsed = parseStoredSettings(store.get('settings'));
  if (!parsed.ok) {
    store.set('settingsCorrupt', { at: Date.now(), value: store.get('settings') ?? null });
    log.warn('settings: invalid stored settings replaced with defaults', { reason: parsed.reason });
  }
  let current: Settings = parsed.settings;
  store.set('settings', current);
  return {
    get: () => structuredClone(current),
    set(patch) {
      current = applySettingsPatch(current, patch);
      store.set('settings', current);
      return structuredClone(current);
    },
  };
}
