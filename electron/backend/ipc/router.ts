import type { Envelope } from '../../../shared/ipc.ts';
import type { Services } from '../services.ts';
import type { Logger } from '../types.ts';
import type { HandlerMap } from './handlers/types.ts';

// STUB: validation + dispatch, to be written by the foundation owner.
export function createRouter(opts: { handlers: HandlerMap; services: Services; log: Logger }) {
  return {
    async invoke(_channel: unknown, _payload: unknown): Promise<Envelope<unknown>> {
      void opts;
      return { ok: false, error: { code: 'not_implemented', message: 'router not implemented' } };
    },
  };
}
