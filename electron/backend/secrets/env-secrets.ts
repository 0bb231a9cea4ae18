import { KilnError } from '../../../shared/ipc.ts';
import type { ProviderName, SecretsAdapter } from '../types.ts';
import type { KnownSecrets } from './status.ts';

// REPLICATE_API_TOKEN wins when set (CI, the CLI, headless servers). The key is then owned by the
// environment: changing it from the UI would silently not stick, so set/clear say so instead.
export function createEnvSecrets(token: string): SecretsAdapter & KnownSecrets {
  const refuse = async () => {
    throw new KilnError({ code: 'forbidden', message: 'The Replicate key comes from the REPLICATE_API_TOKEN environment variable; change it there.' });
  };
  return {
    get: async (provider) => (provider === 'replicate' ? token : null),
    set: refuse,
    clear: refuse,
    protection: () => 'env',
    knownValues: () => [token],
  };
}

/**
 * One provider's key from the environment over the other keys' store (FAL_KEY beside a saved
 * Replicate key): that provider's key is owned by the environment, the rest stay as they are.
 */
export function withEnvKey(base: SecretsAdapter & KnownSecrets, provider: ProviderName, key: string, envName: string): SecretsAdapter & KnownSecrets {
  const refuse = async () => {
    throw new KilnError({ code: 'forbidden', message: `The ${provider} key comes from the ${envName} environment variable; change it there.` });
  };
  return {
    get: (p) => (p === provider ? Promise.resolve(key) : base.get(p)),
    set: (p, k) => (p === provider ? refuse() : base.set(p, k)),
    clear: (p) => (p === provider ? refuse() : base.clear(p)),
    protection: () => base.protection(),
    knownValues: () => [...base.knownValues(), key],
  };
}
