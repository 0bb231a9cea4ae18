import { KilnError } from '../../../shared/ipc.ts';
import type { SecretsAdapter } from '../types.ts';
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
