import { overMessageLimit, tooLargeError, type Envelope } from '../../shared/ipc.ts';
import { isTrustedSender, type AppOrigin, type SenderInfo } from './sender-check.ts';

/** Wraps the router for Electron IPC: the sender check runs before anything else looks at the payload, then its size. */
export function guardedInvoke(
  invoke: (channel: string, payload: unknown) => Promise<Envelope<unknown>>,
  app: AppOrigin,
  onRefused: (channel: string, frameUrl: string | null | undefined, why?: string) => void,
) {
  return async (channel: string, sender: SenderInfo, payload: unknown): Promise<Envelope<unknown>> => {
    if (!isTrustedSender(sender, app)) {
      onRefused(channel, sender.frameUrl);
      return { ok: false, error: { code: 'forbidden', message: 'This frame may not call Kiln.' } };
    }
    // The preload refuses these already; this holds even for a renderer that skipped it.
    if (overMessageLimit(channel, payload)) {
      onRefused(channel, sender.frameUrl, 'too large');
      return { ok: false, error: tooLargeError(channel) };
    }
    return invoke(channel, payload);
  };
}
