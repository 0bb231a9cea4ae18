import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';

// How this window shows things (issue 14): the gallery's thumbnail size, whether the composer is
// folded away, and per model whether its "Advanced" fields are open. They are view state, not
// settings a person manages (Settings lists what Kiln does), so they live in the renderer's own
// storage: remembered across reloads and restarts of the same window, never sent to the backend.

const KEY = 'kiln.viewPrefs.v1';
/** Thumbnail widths offered by the size control (px, the card's smallest width). */
export const THUMB_SIZES = [150, 230, 320] as const;
export type ThumbSize = (typeof THUMB_SIZES)[number];
/** Models whose Advanced state is remembered at most (the oldest is forgotten first). */
const ADVANCED_KEPT = 200;

export interface ViewPrefs {
  thumbSize: ThumbSize;
  composerCollapsed: boolean;
  /** Model ref → Advanced open. Absent: closed. */
  advancedOpen: Record<string, boolean>;
}

interface ViewPrefsState extends ViewPrefs {
  setThumbSize(s: ThumbSize): void;
  setComposerCollapsed(c: boolean): void;
  setAdvancedOpen(model: string, open: boolean): void;
}

const DEFAULTS: ViewPrefs = { thumbSize: 230, composerCollapsed: false, advancedOpen: {} };

/** What storage holds, checked field by field: a damaged or foreign value falls back to the default. */
function load(): ViewPrefs {
  try {
    const raw = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<ViewPrefs>;
    const adv =
      raw.advancedOpen && typeof raw.advancedOpen === 'object'
        ? Object.entries(raw.advancedOpen)
            .filter(([, v]) => typeof v === 'boolean')
            .slice(-ADVANCED_KEPT)
        : [];
    return {
      thumbSize: THUMB_SIZES.includes(raw.thumbSize as ThumbSize) ? (raw.thumbSize as ThumbSize) : DEFAULTS.thumbSize,
      composerCollapsed: raw.composerCollapsed === true,
      advancedOpen: Object.fromEntries(adv),
    };
  } catch {
    return DEFAULTS;
  }
}

export const viewPrefsStore = createStore<ViewPrefsState>()((set, get) => {
  const save = () => {
    const { thumbSize, composerCollapsed, advancedOpen } = get();
    try {
      localStorage.setItem(KEY, JSON.stringify({ thumbSize, composerCollapsed, advancedOpen }));
    } catch {
      /* storage full or off: the choice lasts this session */
    }
  };
  return {
    ...load(),
    setThumbSize: (thumbSize) => {
      set({ thumbSize });
      save();
    },
    setComposerCollapsed: (composerCollapsed) => {
      set({ composerCollapsed });
      save();
    },
    setAdvancedOpen(model, open) {
      const rest = Object.entries(get().advancedOpen)
        .filter(([k]) => k !== model)
        .slice(-(ADVANCED_KEPT - 1));
      set({ advancedOpen: Object.fromEntries([...rest, [model, open]]) });
      save();
    },
  };
});

export const useViewPrefs = <T>(sel: (s: ViewPrefsState) => T): T => useStore(viewPrefsStore, sel);

/**
 * The composer's fold lives in uiStore.composerOpen (Remix opens it); this keeps it remembered:
 * the window starts as it was left, and every open or close is saved.
 */
export function bindComposerFold(ui: {
  getState(): { composerOpen: boolean; setComposerOpen(o: boolean): void };
  subscribe(fn: (s: { composerOpen: boolean }) => void): () => void;
}): () => void {
  ui.getState().setComposerOpen(!viewPrefsStore.getState().composerCollapsed);
  return ui.subscribe((s) => {
    if (s.composerOpen === viewPrefsStore.getState().composerCollapsed) viewPrefsStore.getState().setComposerCollapsed(!s.composerOpen);
  });
}
