import { predictionsStore, settingsStore, uiStore, composerStore } from './stores/index.ts';
import { notifyUser } from './notify.ts';
import { windowApi } from './api.ts';

// Subscribes the stores to backend events and does the first loads. Called once after installKiln().
export function connectEvents(): () => void {
  const k = windowApi();
  const offs = [
    k.on('prediction:updated', (ev) => predictionsStore.getState().onUpdated(ev)),
    k.on('predictions:removed', (ev) => predictionsStore.getState().onRemoved(ev.ids)),
    k.on('network:changed', (ev) => uiStore.getState().setOnline(ev.online, ev.detail)),
    k.on('settings:changed', (s) => settingsStore.getState().applyRemote(s)),
    k.on('notify', (n) => notifyUser(n)),
  ];
  void settingsStore.getState().load().then(() => {
    const recent = settingsStore.getState().settings.recentModels[0];
    void composerStore.getState().loadFeatured().then(() => {
      if (composerStore.getState().modelRef) return;
      const first = recent ?? composerStore.getState().featured[0]?.ref;
      if (first) void composerStore.getState().selectModel(first);
    });
  });
  void predictionsStore.getState().reload();
  return () => offs.forEach((off) => off());
}
