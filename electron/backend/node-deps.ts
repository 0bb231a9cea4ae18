import path from 'node:path';
import type { BackendDeps, Logger, SecretsAdapter } from './types.ts';
import { systemClock } from './types.ts';
import { createFileLogger } from './log/logger.ts';
import { withEnvKeys } from './secrets/env-secrets.ts';
import { createFileSecrets } from './secrets/file-secrets.ts';
import { hasKnownValues, type KnownSecrets } from './secrets/status.ts';
import { createFileSettings } from './settings/file-settings.ts';
import type { EngineOptionsInput } from './engine/options.ts';
import { nodeResolveHost } from './net/resolve.ts';

export interface NodeDepsOptions {
  dataDir: string;
  replicateBaseUrl?: string;
  falBases?: { queueUrl?: string; apiUrl?: string; storageUrl?: string };
  mode: 'web' | 'memory';
  /** Defaults to JSON lines in <dataDir>/logs plus stderr at warn+, with secrets redacted. */
  log?: Logger;
  /** Defaults to process.env (REPLICATE_API_TOKEN). */
  env?: Record<string, string | undefined>;
  appVersion?: string;
  fetch?: typeof fetch;
  engineOptions?: EngineOptionsInput;
}

// The adapters for everything that runs in plain Node (browser mode, the CLI, tests). Electron's
// composition root builds the same BackendDeps from safeStorage and electron-store instead.
export function createNodeDeps(opts: NodeDepsOptions): BackendDeps {
  const env = opts.env ?? process.env;
  const dataDir = path.resolve(opts.dataDir);
  // REPLICATE_API_TOKEN and FAL_KEY (ARCHITECTURE.md, "Fixed interfaces") own their provider's key when set; every other
  // provider's key is kept in the 0600 file, so one variable never stops the other key being saved.
  const secrets: SecretsAdapter & KnownSecrets = withEnvKeys(createFileSecrets({ file: path.join(dataDir, 'secrets.json') }), env);
  const log =
    opts.log ??
    createFileLogger({
      dir: path.join(dataDir, 'logs'),
      level: env.KILN_LOG_LEVEL === 'debug' ? 'debug' : 'info',
      knownSecrets: () => (hasKnownValues(secrets) ? secrets.knownValues() : []),
    });
  const settings = createFileSettings({ file: path.join(dataDir, 'settings.json'), log });
  return {
    dataDir,
    fetch: opts.fetch ?? globalThis.fetch.bind(globalThis),
    resolveHost: nodeResolveHost(),
    clock: systemClock,
    secrets,
    settings,
    log,
    mode: opts.mode,
    replicateBaseUrl: opts.replicateBaseUrl ?? (env.KILN_REPLICATE_BASE_URL || undefined), // set but empty: the default
    falBases: {
      queueUrl: opts.falBases?.queueUrl ?? (env.KILN_FAL_QUEUE_URL || undefined),
      apiUrl: opts.falBases?.apiUrl ?? (env.KILN_FAL_API_URL || undefined),
      storageUrl: opts.falBases?.storageUrl ?? (env.KILN_FAL_STORAGE_URL || undefined),
    },
    appVersion: opts.appVersion,
    engineOptions: opts.engineOptions,
  };
}
