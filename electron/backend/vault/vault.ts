import type { MediaVault } from './types.ts';
import type { Clock, FetchLike, Logger } from '../types.ts';
import type { HistoryStore } from '../history/types.ts';
import type { Publisher } from '../events/publisher.ts';
import path from 'node:path';

// STUB until the media vault lands.
export function createVault(opts: { dataDir: string; fetch: FetchLike; clock: Clock; log: Logger; history: HistoryStore; publisher: Publisher; replicateBaseUrl: string }): MediaVault {
  const root = path.join(opts.dataDir, 'media');
  const no = () => {
    throw new Error('vault not implemented');
  };
  return { root, saveOutputs: async () => {}, stageInput: no, stageInputFromPath: no, resolveStaged: () => null, resolve: () => null, close: async () => {} };
}
