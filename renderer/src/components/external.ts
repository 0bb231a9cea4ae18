import { windowApi, errorMessage } from '../api.ts';
import { uiStore } from '../stores/ui.ts';

/** Opens an https link in the system browser through the backend (the page itself never navigates away). */
export function openExternal(url: string): void {
  windowApi()
    .invoke('shell:openExternal', { url })
    .catch((e) => {
      uiStore.getState().toast(`Could not open the link: ${errorMessage(e)}`, { tone: 'error' });
    });
}

export const KEY_URL = 'https://replicate.com/account/api-tokens';
