import type { HistoryStore } from './types.ts';
import type { Clock, Logger } from '../types.ts';

// STUB until the SQLite store lands.
export function openHistory(_opts: { dataDir: string; log: Logger; clock: Clock }): HistoryStore {
  const no = () => {
    throw new Error('history not implemented');
  };
  return {
    insertIntent: no, update: no, get: () => null, getByProviderId: () => null, listActive: () => [], listUnsaved: () => [],
    setOutputs: no, updateOutput: no, getOutputs: () => [], view: () => null,
    list: () => ({ items: [], nextCursor: null }), counts: () => ({ total: 0, byStatus: {}, favourites: 0 }), close: () => {},
  };
}
