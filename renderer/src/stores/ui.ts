import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';

// Transient UI state: panels, toasts, the network banner, selection. Nothing here is persisted.

export interface Toast {
  id: number;
  message: string;
  tone: 'info' | 'error' | 'success';
  action?: { label: string; run: () => void };
  /** ms; 0 = stays until dismissed */
  timeout: number;
}

export type Panel = 'gallery' | 'settings' | 'trash';

export interface UiState {
  panel: Panel;
  detailId: string | null;
  online: boolean;
  /** The link to the backend itself (browser mode's WebSocket); Electron is always 'open'. */
  /** `rejected`: Kiln restarted with a new token, so this tab can never reconnect. */
  backend: 'open' | 'connecting' | 'closed' | 'rejected';
  offlineDetail: string | null;
  toasts: Toast[];
  selected: Record<string, true>;
  composerOpen: boolean;
  openPanel(p: Panel): void;
  openDetail(id: string | null): void;
  setOnline(online: boolean, detail: string | null): void;
  setBackend(state: 'open' | 'connecting' | 'closed' | 'rejected'): void;
  toast(message: string, opts?: Partial<Omit<Toast, 'id' | 'message'>>): number;
  dismiss(id: number): void;
  toggleSelect(id: string, on?: boolean): void;
  clearSelection(): void;
  setComposerOpen(open: boolean): void;
}

let nextToast = 1;

export function createUiStore() {
  return createStore<UiState>()((set, get) => ({
    panel: 'gallery',
    detailId: null,
    online: true,
    backend: 'open',
    offlineDetail: null,
    toasts: [],
    selected: {},
    composerOpen: true,
    openPanel: (panel) => set({ panel }),
    openDetail: (detailId) => set({ detailId }),
    setOnline: (online, offlineDetail) => set({ online, offlineDetail }),
    setBackend: (backend) => set({ backend }),
    toast(message, opts = {}) {
      const id = nextToast++;
      const t: Toast = { id, message, tone: opts.tone ?? 'info', action: opts.action, timeout: opts.timeout ?? (opts.tone === 'error' ? 8000 : 5000) };
      // Keep the stack short: a burst of errors must not bury the screen.
      set({ toasts: [...get().toasts.slice(-3), t] });
      return id;
    },
    dismiss: (id) => set({ toasts: get().toasts.filter((t) => t.id !== id) }),
    toggleSelect(id, on) {
      const sel = { ...get().selected };
      const want = on ?? !sel[id];
      if (want) sel[id] = true;
      else delete sel[id];
      set({ selected: sel });
    },
    clearSelection: () => set({ selected: {} }),
    setComposerOpen: (composerOpen) => set({ composerOpen }),
  }));
}

export type UiStore = ReturnType<typeof createUiStore>;
export const uiStore = createUiStore();
export const useUi = <T>(sel: (s: UiState) => T): T => useStore(uiStore, sel);
