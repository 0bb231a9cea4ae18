import type { Envelope } from '../../shared/ipc.ts';
import { isTrustedSender, type AppOrigin, type SenderInfo } from './sender-check.ts';

/** Wraps the router for Electron IPC: the sender check runs before anything else looks at the payload. */
export function guardedInvoke(
  invoke: (channel: string, payload: unknown) => Promise<Envelope<unknown>>,
  app: AppOrigin,
  onRefused: (channel: string, frameUrl: string | null | undefined) => void,
) {
  return async (channel: string, sender: SenderInfo, payload: unknown): Promise<Envelope<unknown>> => {
    if (!isTrustedSender(sender, app)) {
      onRefused(channel, sender.frameUrl);
      return { ok: false, error: { code: 'forbidden', message: 'This frame may not call Kiln.' } };
    }
    return invoke(channel, payload);
  };
}
