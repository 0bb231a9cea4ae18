import { safeStorage } from 'electron';
import { KilnError } from '../../../shared/ipc.ts';
import { protectionFrom } from './secrets-protection.ts';
import type { Logger, ProviderName, SecretsAdapter } from '../../backend/types.ts';
import type { KnownSecrets } from '../../backend/secrets/status.ts';
import type { KilnStore } from './store.ts';

// Provider keys encrypted with safeStorage's async API before they reach electron-store (ARCHITECTURE.md, "Storage").
// On Linux without a keyring the backend is `basic_text` (a hard-coded password): we still encrypt,
// and report it so the settings screen can say the key is not really protected.
export async function createSafeStorageSecrets(store: KilnStore, log: Logger): Promise<SecretsAdapter & KnownSecrets> {
  const available = await safeStorage.isAsyncEncryptionAvailable().catch(() => false);
  const linuxBackend = process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : null;
  const protection = protectionFrom(available, process.platform, linuxBackend);
  const cache = new Map<ProviderName, string>();
  const storeKey = (p: ProviderName) => `secrets.${p}`;

  async function get(provider: ProviderName): Promise<string | null> {
    const hit = cache.get(provider);
    if (hit) return hit;
    const stored = store.get(storeKey(provider));
    if (typeof stored !== 'string' || !available) return null;
    try {
      const { result, shouldReEncrypt } = await safeStorage.decryptStringAsync(Buffer.from(stored, 'base64'));
      if (shouldReEncrypt) store.set(storeKey(provider), (await safeStorage.encryptStringAsync(result)).toString('base64'));
      cache.set(provider, result);
      return result;
    } catch (err) {
      // E.g. the keyring changed: the key is unrecoverable; the user has to enter it again.
      log.warn('secrets: stored key could not be decrypted', { provider, err: String(err) });
      return null;
    }
  }

  return {
    get,
    async set(provider, key) {
      if (!available) throw new KilnError({ code: 'forbidden', message: 'This system offers no secure storage for the key (safeStorage unavailable).' });
      store.set(storeKey(provider), (await safeStorage.encryptStringAsync(key)).toString('base64'));
      cache.set(provider, key);
    },
    async clear(provider) {
      store.delete(storeKey(provider) as never);
      cache.delete(provider);
    },
    protection: () => protection,
    knownValues: () => [...cache.values()],
  };
}
