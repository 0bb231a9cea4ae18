import { predictionsStore, settingsStore, uiStore, composerStore } from './stores/index.ts';
import { notifyUser } from './notify.ts';
import { windowApi } from './api.ts';
import { anyKeySet } from './stores/settings.ts';
import { onTransportState } from './platform/index.ts';

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
  const loadModels = () => {
    const keySet = anyKeySet(settingsStore.getState());
    void composerStore
      .getState()
      .loadFeatured(!keySet)
      .then(() => {
        const c = composerStore.getState();
        const first = c.modelRef ?? settingsStore.getState().settings.recentModels[0] ?? c.featured[0]?.ref;
        if (first) void c.selectModel(first);
      });
  };
  // Any provider's key saved or replaced: its models and schemas can load now.
  const keyOf = () =>
    Object.values(settingsStore.getState().keys)
      .map((k) => (k.secret?.set ? k.secret.last4 : ''))
      .join('|')
      .replace(/^\|+$/, '') || null;
  void settingsStore
    .getState()
    .load()
    .then(() => {
      loadModels();
      // A key saved (first run) or replaced: the model list and schemas can load now.
      let lastKey = keyOf();
      offs.push(
        settingsStore.subscribe(() => {
          const k = keyOf();
          if (k === lastKey) return;
          lastKey = k;
          if (k) loadModels();
        }),
      );
    });
  void predictionsStore.getState().reload();
  // Browser mode: when the backend comes back (restart, sleep), events may have been missed, so
  // the gallery and counts are reloaded rather than trusted.
  let dropped = false;
  offs.push(
    onTransportState((state) => {
      uiStore.getState().setBackend(state);
      if (state !== 'open') dropped = true;
      else if (dropped) {
        dropped = false;
        void predictionsStore.getState().reload();
        void settingsStore.getState().load();
      }
    }),
  );
  return () => offs.forEach((off) => off());
}
