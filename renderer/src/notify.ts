import type { EventPayload } from '../../shared/ipc.ts';
import { windowApi } from './api.ts';
import { uiStore, settingsStore } from './stores/index.ts';

// The backend sends `notify` when a long prediction finishes. In Electron the main process shows
// native notifications itself, so the page stays quiet; in browser mode the page shows it: a system
// notification (Notification API) when permitted and the user is looking elsewhere, else a toast.

import { notifyRoute } from './notify-route.ts';

export function notifyUser(n: EventPayload<'notify'>): void {
  const route = notifyRoute({
    enabled: settingsStore.getState().settings.notifications,
    mode: windowApi().mode,
    permission: typeof Notification === 'undefined' ? null : Notification.permission,
    visible: typeof document === 'undefined' || document.visibilityState === 'visible',
    focused: typeof document === 'undefined' || document.hasFocus(),
  });
  const open = () => {
    if (n.predictionId) uiStore.getState().openDetail(n.predictionId);
  };
  if (route === 'system') {
    try {
      const note = new Notification(n.title, { body: n.body, tag: n.predictionId ?? undefined });
      note.onclick = () => {
        window.focus();
        open();
        note.close();
      };
      return;
    } catch {
      // Some browsers only allow notifications from a service worker: fall back to the toast.
    }
  }
  if (route === 'none') return;
  uiStore.getState().toast(`${n.title} — ${n.body}`, {
    // The colour says how it ended: only a finished run is good news.
    tone: /failed|never started/i.test(n.title) ? 'error' : /canceled/i.test(n.title) ? 'info' : 'success',
    timeout: 8000,
    action: n.predictionId ? { label: 'Open', run: open } : undefined,
  });
}
