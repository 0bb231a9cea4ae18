import type { EventPayload } from '../../shared/ipc.ts';
import { windowApi } from './api.ts';
import { uiStore, settingsStore } from './stores/index.ts';

// In Electron the main process shows native notifications itself; browser mode forwards `notify`
// events here and we use the Notification API when permitted, else an in-app toast.
export function notifyUser(n: EventPayload<'notify'>): void {
  // Electron shows native notifications from the main process; only browser mode gets here.
  if (!settingsStore.getState().settings.notifications || windowApi().mode === 'electron') return;
  if (windowApi().mode === 'web' && typeof Notification !== 'undefined' && Notification.permission === 'granted' && !document.hasFocus()) {
    const note = new Notification(n.title, { body: n.body });
    note.onclick = () => { window.focus(); if (n.predictionId) uiStore.getState().openDetail(n.predictionId); };
    return;
  }
  uiStore.getState().toast(`${n.title} — ${n.body}`, {
    tone: 'success',
    action: n.predictionId ? { label: 'Open', run: () => uiStore.getState().openDetail(n.predictionId) } : undefined,
  });
}
