import type { Envelope, EventName, EventPayload, KilnApi } from '../../../shared/ipc.ts';
import { KilnError } from '../../../shared/kiln-error.ts';

/** What electron/preload/index.ts exposes as `window.kilnBridge` (envelopes, not thrown errors). */
export interface KilnBridge {
  invoke(channel: string, req: unknown): Promise<Envelope<unknown>>;
  on(event: string, listener: (payload: unknown) => void): () => void;
  mediaUrl(path: string): string;
}

// Builds the page's KilnApi on the preload's bridge. Errors are rebuilt here, in the page's own
// world, because contextBridge would strip a KilnError down to its message.
export function kilnFromBridge(bridge: KilnBridge): KilnApi {
  return {
    mode: 'electron',
    async invoke(channel, req) {
      const env = await bridge.invoke(channel, req);
      if (env.ok) return env.value as never;
      throw new KilnError(env.error);
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void) {
      return bridge.on(event, listener as (p: unknown) => void);
    },
    mediaUrl: (p) => bridge.mediaUrl(p),
  };
}
