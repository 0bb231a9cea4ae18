import { createStore } from 'zustand/vanilla';
import type { Settings, SettingsPatch } from '../../../shared/domain/settings.ts';
import { DEFAULT_SETTINGS } from '../../../shared/domain/settings-defaults.ts';
import { PROVIDER_IDS, type ProviderId } from '../../../shared/domain/provider.ts';
import type { SecretStatus } from '../../../shared/ipc.ts';
import { type ApiSource, windowApi, errorMessage, errorCode } from '../api.ts';

// Settings and each provider's key status. A key itself never enters the renderer beyond the
// input the user types it into: we send it once and only ever get back {set, last4, account, state}.

export interface AppInfoLite {
  version: string;
  dataDir: string;
  mode: string;
  platform: string;
}

/** What the studio knows of one provider's key. */
export interface KeyView {
  secret: SecretStatus | null;
  account: string | null;
  accountError: string | null;
  busy: boolean;
  /** The key is being checked with the provider right now. */
  checking: boolean;
}

const NO_KEY: KeyView = { secret: null, account: null, accountError: null, busy: false, checking: false };

export interface SettingsState {
  settings: Settings;
  loaded: boolean;
  /** Every provider's key (ARCHITECTURE.md, "The contract and its transports": one key per provider). */
  keys: Record<ProviderId, KeyView>;
  /** Replicate's key: `keys.replicate`, kept under these names for the screens that only know Replicate. */
  secret: SecretStatus | null;
  account: string | null;
  accountError: string | null;
  busy: boolean;
  checking: boolean;
  info: AppInfoLite | null;
  load(): Promise<void>;
  update(patch: SettingsPatch): Promise<void>;
  /** Applies a `settings:changed` event (another window, the CLI). */
  applyRemote(s: Settings): void;
  saveKey(key: string, provider?: ProviderId): Promise<boolean>;
  clearKey(provider?: ProviderId): Promise<void>;
  validateKey(provider?: ProviderId): Promise<void>;
}

/** One provider's key view (never undefined, so selectors stay simple). */
export function keyFor(s: Pick<SettingsState, 'keys'>, provider: ProviderId): KeyView {
  return s.keys[provider] ?? NO_KEY;
}

/** Whether any provider has a key: the studio can run something. */
export const anyKeySet = (s: Pick<SettingsState, 'keys'>) => PROVIDER_IDS.some((p) => !!s.keys[p]?.secret?.set);

export function createSettingsStore(api: ApiSource = windowApi, onError: (msg: string) => void = () => {}) {
  return createStore<SettingsState>()((set, get) => {
    /** Changes one provider's key view; Replicate's is mirrored into the legacy fields. */
    const patchKey = (provider: ProviderId, patch: Partial<KeyView>) => {
      const next = { ...keyFor(get(), provider), ...patch };
      set({
        keys: { ...get().keys, [provider]: next },
        ...(provider === 'replicate'
          ? { secret: next.secret, account: next.account, accountError: next.accountError, busy: next.busy, checking: next.checking }
          : {}),
      });
    };
    const label = (p: ProviderId) => (p === 'fal' ? 'fal' : 'Replicate');

    return {
      settings: DEFAULT_SETTINGS,
      loaded: false,
      keys: Object.fromEntries(PROVIDER_IDS.map((p) => [p, NO_KEY])) as Record<ProviderId, KeyView>,
      secret: null,
      account: null,
      accountError: null,
      busy: false,
      checking: false,
      info: null,
      async load() {
        const k = api();
        const [s, info, ...secrets] = await Promise.allSettled([
          k.invoke('settings:get', {}),
          k.invoke('app:info', {}),
          ...PROVIDER_IDS.map((provider) => k.invoke('secrets:status', { provider })),
        ]);
        if (s.status === 'fulfilled') set({ settings: s.value });
        else onError(`Could not load settings: ${errorMessage(s.reason)}`);
        secrets.forEach((r, i) => {
          if (r.status === 'fulfilled') patchKey(PROVIDER_IDS[i]!, { secret: r.value, account: r.value.account });
        });
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
      async saveKey(key, provider = 'replicate') {
        patchKey(provider, { busy: true, checking: true, accountError: null });
        try {
          // The backend saves the key and asks the provider about it before answering (state).
          const secret = await api().invoke('secrets:set', { provider, key: key.trim() });
          patchKey(provider, { secret, account: secret.account });
          if (secret.state === undefined || secret.state === 'unchecked') void get().validateKey(provider);
          return true;
        } catch (e) {
          onError(`Could not save the ${label(provider)} key: ${errorMessage(e)}`);
          return false;
        } finally {
          patchKey(provider, { busy: false, checking: false });
        }
      },
      async clearKey(provider = 'replicate') {
        patchKey(provider, { busy: true });
        try {
          const secret = await api().invoke('secrets:clear', { provider });
          patchKey(provider, { secret, account: null, accountError: null });
        } catch (e) {
          onError(`Could not clear the ${label(provider)} key: ${errorMessage(e)}`);
        } finally {
          patchKey(provider, { busy: false });
        }
      },
      async validateKey(provider = 'replicate') {
        patchKey(provider, { checking: true });
        const withState = (state: NonNullable<SecretStatus['state']>) => {
          const cur = keyFor(get(), provider).secret;
          return cur ? { ...cur, state } : cur;
        };
        try {
          const acc = await api().invoke('secrets:validate', { provider });
          patchKey(provider, { account: acc.name ?? (acc.username || null), accountError: null, secret: withState('valid') });
        } catch (e) {
          patchKey(provider, { accountError: errorMessage(e), secret: withState(errorCode(e) === 'auth' ? 'rejected' : 'unknown') });
        } finally {
          patchKey(provider, { checking: false });
        }
      },
    };
  });
}

export type SettingsStore = ReturnType<typeof createSettingsStore>;
