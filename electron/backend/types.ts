import type { Settings, SettingsPatch } from '../../shared/domain/settings.ts';
import type { SecretStatus } from '../../shared/ipc.ts';
import type { EngineOptionsInput } from './engine/options.ts';
import type { ResolveHost } from './net/trust.ts';

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

/**
 * Starts a child process running one of the backend's worker scripts (the MP4 remux,
 * vault/mp4-tag-child.ts). Node hosts fork (host/fork-worker.ts); Electron's main process uses
 * utilityProcess, since a packaged build has the RunAsNode fuse off and a fork there would start a
 * second app.
 */
export type StartWorker = (script: string, env: Record<string, string>, events: WorkerEvents, limits?: WorkerLimits) => WorkerChild;

/** Bounds on a worker process, set when it starts. */
export interface WorkerLimits {
  /** V8's old-space heap (`--max-old-space-size`): a job that needs more dies instead of taking the machine's memory. */
  heapMb?: number;
}

/** The executable's arguments that carry a worker's limits (both hosts' StartWorker pass them). */
export function workerExecArgv(limits: WorkerLimits | undefined): string[] {
  return limits?.heapMb ? [`--max-old-space-size=${Math.max(16, Math.floor(limits.heapMb))}`] : [];
}

export interface WorkerEvents {
  /** Running: the job may be sent. */
  onSpawn(): void;
  onMessage(message: unknown): void;
  /** Ended; `how` is the exit code or signal, and the last line it printed on stderr. */
  onExit(how: string): void;
  /** Could not be started at all (no spawn before). */
  onStartError(err: Error): void;
}

export interface WorkerChild {
  send(message: unknown): void;
  kill(): void;
}

export interface BackendDeps {
  dataDir: string;
  fetch: FetchLike;
  clock: Clock;
  secrets: SecretsAdapter;
  settings: SettingsAdapter;
  log: Logger;
  platform?: PlatformAdapter;
  /**
   * Where a host name leads (net/resolve.ts in every host): output hosts whose names resolve to a
   * private address are refused. Without it only address literals are (tests with a fake fetch).
   */
  resolveHost?: ResolveHost;
  /** How worker processes start (host/fork-worker.ts when not given; Electron passes utilityProcess). */
  startWorker?: StartWorker;
  /** Defaults to https://api.replicate.com/v1 (KILN_REPLICATE_BASE_URL / --replicate-base-url). */
  replicateBaseUrl?: string;
  /** fal's queue/api/storage bases (KILN_FAL_QUEUE_URL / KILN_FAL_API_URL / KILN_FAL_STORAGE_URL, --fal-*-url); fal's own hosts by default. */
  falBases?: { queueUrl?: string; apiUrl?: string; storageUrl?: string };
  mode: 'electron' | 'web' | 'memory';
  appVersion?: string;
  /** Engine tuning for tests (poll cadence etc.); production uses the defaults. */
  engineOptions?: EngineOptionsInput;
}
