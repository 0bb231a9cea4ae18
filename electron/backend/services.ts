import type { BackendDeps } from './types.ts';
import type { HistoryStore } from './history/types.ts';
import type { MediaVault } from './vault/types.ts';
import type { Publisher, Emit } from './events/publisher.ts';
import type { ReplicateClient } from './providers/replicate/client.ts';
import type { Engine } from './engine/engine.ts';
import type { FalClient } from './providers/fal/client.ts';

/** Everything an IPC handler (or the CLI) may use. Built once by createBackend. */
export interface Services extends BackendDeps {
  replicateBaseUrl: string;
  history: HistoryStore;
  vault: MediaVault;
  publisher: Publisher;
  emit: Emit;
  provider: ReplicateClient;
  /** fal's client (queue, platform, storage): model search, schemas, prices and key checks. */
  fal: FalClient;
  engine: Engine;
}
