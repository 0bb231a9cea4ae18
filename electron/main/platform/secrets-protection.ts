import type { SecretStatus } from '../../../shared/ipc.ts';

// Kept apart from secrets.ts (which imports electron) so the decision is unit-tested in plain Node.
/** Pure: what protection the OS gives us, from safeStorage's answers (test/unit/secrets.test.ts). */
export function protectionFrom(available: boolean, platform: NodeJS.Platform, linuxBackend: string | null): SecretStatus['protection'] {
  if (!available) return 'none';
  if (platform === 'linux' && (linuxBackend === 'basic_text' || linuxBackend === 'unknown')) return 'basic_text';
  return 'os';
}
