import type { SecretStatus } from '../../../shared/ipc.ts';
import type { SecretsAdapter } from '../types.ts';

/** A secrets adapter that can also tell the logger which values to redact, synchronously. */
export interface KnownSecrets {
  /** The secret values currently held (cached in memory), for log redaction. */
  knownValues(): string[];
}

/** What the renderer may learn about a key (ARCHITECTURE.md, "The contract and its transports"): whether it is set and its last 4 characters — never the key. */
export function secretStatus(key: string | null, protection: SecretStatus['protection'], account: string | null = null): SecretStatus {
  const set = typeof key === 'string' && key.length > 0;
  return { set, last4: set ? key.slice(-4) : null, account: set ? account : null, protection };
}

export function hasKnownValues(x: SecretsAdapter): x is SecretsAdapter & KnownSecrets {
  return typeof (x as Partial<KnownSecrets>).knownValues === 'function';
}
