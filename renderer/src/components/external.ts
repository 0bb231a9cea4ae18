import { windowApi, errorMessage } from '../api.ts';
import { uiStore } from '../stores/ui.ts';
import type { ProviderId } from '../../../shared/domain/provider.ts';

/** Opens an https link in the system browser through the backend (the page itself never navigates away). */
export function openExternal(url: string): void {
  windowApi()
    .invoke('shell:openExternal', { url })
    .catch((e) => {
      uiStore.getState().toast(`Could not open the link: ${errorMessage(e)}`, { tone: 'error' });
    });
}

/** Where each provider hands out API keys (Settings and the first-run screen link there). */
export const KEY_URLS: Record<ProviderId, string> = {
  replicate: 'https://replicate.com/account/api-tokens',
  fal: 'https://fal.ai/dashboard/keys',
};
