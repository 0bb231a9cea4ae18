import type { Clock, Logger, SettingsAdapter } from '../types.ts';
import type { HistoryStore } from '../history/types.ts';
import type { MediaVault } from '../vault/types.ts';
import type { Publisher, Emit } from '../events/publisher.ts';
import type { ReplicateClient } from '../providers/replicate/client.ts';

// STUB until the engine lands.
export function createEngine(_opts: { history: HistoryStore; vault: MediaVault; provider: ReplicateClient; publisher: Publisher; emit: Emit; clock: Clock; log: Logger; settings: SettingsAdapter; options: Record<string, unknown> }) {
  return { start: async () => {}, stop: async () => {} };
}
export type Engine = ReturnType<typeof createEngine>;
