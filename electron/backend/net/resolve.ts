import { lookup } from 'node:dns/promises';
import type { ResolveHost } from './trust.ts';

/** No answer from the system resolver in this long: the download is tried again later (transient). */
const RESOLVE_TIMEOUT_MS = 10_000;

/**
 * The system resolver (getaddrinfo, so /etc/hosts and the OS's DNS settings count, as they do for
 * fetch itself), every address of the name, bounded in time: getaddrinfo cannot be aborted, and a
 * hanging lookup must not hold one of the vault's download slots.
 */
export function nodeResolveHost(timeoutMs = RESOLVE_TIMEOUT_MS): ResolveHost {
  return (hostname) =>
    new Promise<string[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer from the resolver in ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
      timer.unref?.();
      lookup(hostname, { all: true, verbatim: true }).then(
        (found) => {
          clearTimeout(timer);
          resolve(found.map((a) => a.address));
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
}
