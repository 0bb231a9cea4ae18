import { useStore } from 'zustand';
import { uiStore } from './ui.ts';
import { createSettingsStore, type SettingsState } from './settings.ts';
import { createPredictionsStore, type PredictionsState } from './predictions.ts';
import { createComposerStore, type ComposerState } from './composer.ts';
import { bindComposerFold } from './view-prefs.ts';

// The app's store instances, wired to window.kiln and to the toast stack, with selector hooks.

const toastError = (message: string) => {
  uiStore.getState().toast(message, { tone: 'error' });
};

export const settingsStore = createSettingsStore(undefined, toastError);
export const predictionsStore = createPredictionsStore({
  onError: toastError,
  // Animation frames pace updates with painting; the timeout keeps a hidden window (no frames)
  // from piling events up.
  schedule: (fn) => {
    let done = false;
    const run = () => {
      if (!done) {
        done = true;
        fn();
      }
    };
    requestAnimationFrame(run);
    setTimeout(run, 120);
  },
});
export const composerStore = createComposerStore({ settings: settingsStore, onError: toastError });
export { uiStore };
bindComposerFold(uiStore);

export const useSettings = <T>(sel: (s: SettingsState) => T): T => useStore(settingsStore, sel);
export const usePredictions = <T>(sel: (s: PredictionsState) => T): T => useStore(predictionsStore, sel);
export const useComposer = <T>(sel: (s: ComposerState) => T): T => useStore(composerStore, sel);
export { useUi } from './ui.ts';
