import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { CanonicalInput } from '../../../../shared/compare/canonical.ts';

// The fan-out features' own UI state (issue 14): which stacks are open in the gallery, and which of
// the batch dialog, the compare dialog and the compare view is showing. Kept apart from the shared
// ui store so these features mount with a few lines in the files others own.

export interface ComparePreset {
  models: string[];
  canonical: CanonicalInput;
}

export interface FanoutState {
  expanded: Record<string, true>;
  batchOpen: boolean;
  /** The compare dialog: null closed; a preset when remixing a compare. */
  compare: { preset: ComparePreset | null } | null;
  /** The compare view of one group. */
  viewGroup: string | null;
  toggleExpanded(groupId: string): void;
  setBatchOpen(open: boolean): void;
  openCompare(preset?: ComparePreset | null): void;
  closeCompare(): void;
  openView(groupId: string | null): void;
}

export const fanoutStore = createStore<FanoutState>()((set, get) => ({
  expanded: {},
  batchOpen: false,
  compare: null,
  viewGroup: null,
  toggleExpanded(groupId) {
    const expanded = { ...get().expanded };
    if (expanded[groupId]) delete expanded[groupId];
    else expanded[groupId] = true;
    set({ expanded });
  },
  setBatchOpen: (batchOpen) => set({ batchOpen }),
  openCompare: (preset = null) => set({ compare: { preset } }),
  closeCompare: () => set({ compare: null }),
  openView: (viewGroup) => set({ viewGroup }),
}));

export const useFanout = <T>(sel: (s: FanoutState) => T): T => useStore(fanoutStore, sel);
