import type { Settings, SettingsPatch } from '../../shared/domain/settings.ts';
import type { SecretStatus } from '../../shared/ipc.ts';
import type { EngineOptionsInput } from './engine/options.ts';

// The injected edges of the backend. Everything that touches the outside world (time, network,
// secrets, settings storage, the OS shell) comes in through these, so the same backend runs in
// Electron, in browser mode, in the CLI and in tests with fakes.

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export type LogFields = Record<string, unknown>;
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

export type ProviderName = ProviderId;
import type { ProviderId } from '../../shared/domain/provider.ts';

export interface SecretsAdapter {
  get(provider: ProviderName): Promise<string | null>;
  set(provider: ProviderName, key: string): Promise<void>;
  clear(provider: ProviderName): Promise<void>;
  /** How a provider's key is kept (Replicate's when none is named): one may come from the environment, another from the store. */
  protection(provider?: ProviderName): SecretStatus['protection'];
}

export interface SettingsAdapter {
  get(): Settings;
  set(patch: SettingsPatch): Settings;
}

/** OS integrations. Electron provides real ones; browser mode and the CLI provide what they can. */
export interface PlatformAdapter {
  reveal(absPath: string): Promise<void>;
  saveAs(absPath: string): Promise<string | null>;
  copyImage(absPath: string): Promise<void>;
  openPath(absPath: string): Promise<void>;
  openExternal(url: string): Promise<void>;
  notify(title: string, body: string, predictionId: string | null): void;
  isFocused(): boolean;
}

export type FetchLike = typeof fetch;

export interface BackendDeps {
  dataDir: string;
  fetch: FetchLike;
  clock: Clock;
  secrets: SecretsAdapter;
  settings: SettingsAdapter;
  log: Logger;
  platform?: PlatformAdapter;
  /** Defaults to https://api.replicate.com/v1 (KILN_REPLICATE_BASE_URL / --replicate-base-url). */
  replicateBaseUrl?: string;
  /** fal's queue/api/storage bases (KILN_FAL_QUEUE_URL / KILN_FAL_API_URL / KILN_FAL_STORAGE_URL, --fal-*-url); fal's own hosts by default. */
  falBases?: { queueUrl?: string; apiUrl?: string; storageUrl?: string };
  mode: 'electron' | 'web' | 'memory';
  appVersion?: string;
  /** Engine tuning for tests (poll cadence etc.); production uses the defaults. */
  engineOptions?: EngineOptionsInput;
}
