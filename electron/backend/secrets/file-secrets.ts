import fs from 'node:fs';
import path from 'node:path';
import type { ProviderName, SecretsAdapter } from '../types.ts';
import type { KnownSecrets } from './status.ts';

// Outside Electron there is no OS keychain we can reach portably, so keys live in a file only the
// user can read (0600), next to the data they protect. The settings screen shows protection 'file'.
export function createFileSecrets(opts: { file: string }): SecretsAdapter & KnownSecrets {
  let cache: Partial<Record<ProviderName, string>> | null = null;

  function load(): Partial<Record<ProviderName, string>> {
    if (cache) return cache;
    try {
      const parsed = JSON.parse(fs.readFileSync(opts.file, 'utf8')) as unknown;
      cache = parsed && typeof parsed === 'object' ? (parsed as Partial<Record<ProviderName, string>>) : {};
    } catch {
      cache = {};
    }
    return cache;
  }

  function save(next: Partial<Record<ProviderName, string>>) {
    fs.mkdirSync(path.dirname(opts.file), { recursive: true });
    const tmp = `${opts.file}.${process.pid}.tmp`;
    // mode applies only on creation and is masked by umask: chmod explicitly as well.
    fs.writeFileSync(tmp, JSON.stringify(next), { mode: 0o600 });
    fs.chmodSync(tmp, 0o600);
    fs.renameSync(tmp, opts.file);
    cache = next;
  }

  return {
    async get(provider) {
      const v = load()[provider];
      return typeof v === 'string' && v ? v : null;
    },
    async set(provider, key) {
      save({ ...load(), [provider]: key });
    },
    async clear(provider) {
      const next = { ...load() };
      delete next[provider];
      save(next);
    },
    protection: () => 'file',
    knownValues: () => Object.values(load()).filter((v): v is string => typeof v === 'string' && v.length > 0),
  };
}
