import { KilnError } from '../../../shared/ipc.ts';
import type { ProviderName, SecretsAdapter } from '../types.ts';
import type { KnownSecrets } from './status.ts';

// Keys from the environment (CI, the CLI, headless servers): REPLICATE_API_TOKEN for Replicate,
// FAL_KEY for fal (ARCHITECTURE.md, "Fixed interfaces"). A key set there is owned by the environment: changing it from the
// UI would silently not stick, so set/clear say so instead. The other providers' keys stay in the
// store underneath, so FAL_KEY in the environment never stops a Replicate key being saved, and
// the other way round.

/** The variable each provider's key is read from outside Electron. */
export const KEY_ENV: Record<ProviderName, string> = { replicate: 'REPLICATE_API_TOKEN', fal: 'FAL_KEY' };

const PROVIDER_NAMES: Record<ProviderName, string> = { replicate: 'Replicate', fal: 'fal' };

/** No store underneath: only the environment's keys exist, and nothing can be saved. */
function noStore(): SecretsAdapter & KnownSecrets {
  const refuse = async (p: ProviderName) => {
    throw new KilnError({ code: 'forbidden', message: `No key store is available here: set ${KEY_ENV[p]} in the environment to use ${PROVIDER_NAMES[p]}.` });
  };
  return { get: async () => null, set: refuse, clear: refuse, protection: () => 'env', knownValues: () => [] };
}

/** The Replicate key from REPLICATE_API_TOKEN, over `base` (the other providers' keys) when given. */
export function createEnvSecrets(token: string, base: SecretsAdapter & KnownSecrets = noStore()): SecretsAdapter & KnownSecrets {
  return withEnvKey(base, 'replicate', token, KEY_ENV.replicate);
}

/**
 * One provider's key from the environment over the other keys' store (FAL_KEY beside a saved
 * Replicate key): that provider's key is owned by the environment, the rest stay as they are.
 */
export function withEnvKey(base: SecretsAdapter & KnownSecrets, provider: ProviderName, key: string, envName: string): SecretsAdapter & KnownSecrets {
  const refuse = async () => {
    throw new KilnError({ code: 'forbidden', message: `The ${PROVIDER_NAMES[provider]} key comes from the ${envName} environment variable; change it there.` });
  };
  return {
    get: (p) => (p === provider ? Promise.resolve(key) : base.get(p)),
    set: (p, k) => (p === provider ? refuse() : base.set(p, k)),
    clear: (p) => (p === provider ? refuse() : base.clear(p)),
    protection: (p) => ((p ?? 'replicate') === provider ? 'env' : base.protection(p)),
    knownValues: () => [...base.knownValues(), key],
  };
}

/** The keys of every provider: the environment's where set (KEY_ENV), the store's for the rest. */
export function withEnvKeys(base: SecretsAdapter & KnownSecrets, env: Record<string, string | undefined>): SecretsAdapter & KnownSecrets {
  let out = base;
  for (const [provider, name] of Object.entries(KEY_ENV) as [ProviderName, string][]) {
    const key = env[name]?.trim();
    if (key) out = withEnvKey(out, provider, key, name);
  }
  return out;
}
