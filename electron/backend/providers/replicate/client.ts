import type { FetchLike, Logger } from '../../types.ts';

// STUB until the provider client lands.
export function createReplicateClient(opts: { baseUrl: string; fetch: FetchLike; getToken: () => Promise<string | null>; userAgent: string; log: Logger }) {
  return { baseUrl: opts.baseUrl };
}
export type ReplicateClient = ReturnType<typeof createReplicateClient>;
