import { KilnError } from '../../../../shared/ipc.ts';
import type { HandlerMap } from './types.ts';

/** Only https links leave the app (ARCHITECTURE.md, "Security"): file:, javascript:, custom schemes could run things. */
export function isSafeExternalUrl(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}

export const appHandlers: HandlerMap = {
  'app:info': (_req, s) => ({
    name: 'Kiln',
    version: s.appVersion ?? '0.0.0',
    platform: process.platform,
    mode: s.mode,
    dataDir: s.dataDir,
    providerBaseUrl: s.replicateBaseUrl,
  }),

  'app:ping': (req, s) => {
    s.emit('app:pong', { nonce: req.nonce });
    return { ok: true as const };
  },

  'shell:openExternal': async (req, s) => {
    if (!isSafeExternalUrl(req.url)) throw new KilnError({ code: 'forbidden', message: 'Only https: links can be opened.' });
    if (!s.platform) throw new KilnError({ code: 'not_implemented', message: 'Opening links is not available in this mode.' });
    await s.platform.openExternal(req.url);
    return { ok: true as const };
  },
};
