import { createStore } from 'zustand/vanilla';
import type { Settings, SettingsPatch } from '../../../shared/domain/settings.ts';
import { DEFAULT_SETTINGS } from '../../../shared/domain/settings.ts';
import type { SecretStatus } from '../../../shared/ipc.ts';
import { type ApiSource, windowApi, errorMessage, errorCode } from '../api.ts';

// Settings and the provider key's status. The key itself never enters the renderer beyond the
// input the user types it into: we send it once and only ever get back {set, last4, account}.

export interface AppInfoLite { version: string; dataDir: string; mode: string; platform: string }

export interface SettingsState {
  settings: Settings;
  loaded: boolean;
  secret: SecretStatus | null;
  account: string | null;
  accountError: string | null;
  busy: boolean;
  /** The key is being checked with the provider right now. */
  checking: boolean;
  info: AppInfoLite | null;
  load(): Promise<void>;
  update(patch: SettingsPatch): Promise<void>;
  /** Applies a `settings:changed` event (another window, the CLI). */
  applyRemote(s: Settings): void;
  saveKey(key: string): Promise<boolean>;
  clearKey(): Promise<void>;
  validateKey(): Promise<void>;
}

export function createSettingsStore(api: ApiSource = windowApi, onError: (msg: string) => void = () => {}) {
  return createStore<SettingsState>()((set, get) => ({
    settings: DEFAULT_SETTINGS,
    loaded: false,
    secret: null,
    account: null,
    accountError: null,
    busy: false,
    checking: false,
    info: null,
    async load() {
      const k = api();
      const [s, secret, info] = await Promise.allSettled([
        k.invoke('settings:get', {}),
        k.invoke('secrets:status', { provider: 'replicate' }),
        k.invoke('app:info', {}),
      ]);
      if (s.status === 'fulfilled') set({ settings: s.value });
      else onError(`Could not load settings: ${errorMessage(s.reason)}`);
      if (secret.status === 'fulfilled') set({ secret: secret.value, account: secret.value.account });
      if (info.status === 'fulfilled') set({ info: info.value });
      set({ loaded: true });
    },
    async update(patch) {
      // Optimistic: the UI reacts at once, the backend answer (validated) wins.
      const before = get().settings;
      set({ settings: { ...before, ...patch } as Settings });
      try {
        set({ settings: await api().invoke('settings:set', patch) });
      } catch (e) {
        set({ settings: before });
        onError(`Could not save settings: ${errorMessage(e)}`);
      }
    },
    applyRemote: (settings) => set({ settings }),
    async saveKey(key) {
      set({ busy: true, checking: true, accountError: null });
      try {
        // The backend saves the key and asks the provider about it before answering (state).
        const secret = await api().invoke('secrets:set', { provider: 'replicate', key: key.trim() });
        set({ secret, account: secret.account });
        if (secret.state === undefined || secret.state === 'unchecked') void get().validateKey();
        return true;
      } catch (e) {
        onError(`Could not save the key: ${errorMessage(e)}`);
        return false;
      } finally {
        set({ busy: false, checking: false });
      }
    },
    async clearKey() {
      set({ busy: true });
      try {
        const secret = await api().invoke('secrets:clear', { provider: 'replicate' });
        set({ secret, account: null, accountError: null });
      } catch (e) {
        onError(`Could not clear the key: ${errorMessage(e)}`);
      } finally {
        set({ busy: false });
      }
    },
    async validateKey() {
      set({ checking: true });
      const withState = (state: NonNullable<SecretStatus['state']>) => { const cur = get().secret; return cur ? { ...cur, state } : cur; };
      try {
        const acc = await api().invoke('secrets:validate', { provider: 'replicate' });
        set({ account: acc.name ?? acc.username, accountError: null, secret: withState('valid') });
      } catch (e) {
        set({ accountError: errorMessage(e), secret: withState(errorCode(e) === 'auth' ? 'rejected' : 'unknown') });
      } finally {
        set({ checking: false });
      }
    },
  }));
}

export type SettingsStore = ReturnType<typeof createSettingsStore>;
