import { useEffect } from 'react';
import { useStore } from 'zustand';
import { windowApi } from '../../api.ts';
import { predictionsStore } from '../../stores/index.ts';
import { createGroupProgress, type GroupCounts } from './group-progress.ts';

// The app's one requester of whole-group counts (group-progress.ts), wired to window.kiln and to
// the loaded runs (an update event names its run's group only in its first, full view).
export const groupProgress = createGroupProgress(windowApi, (id) => predictionsStore.getState().byId[id]?.groupId);

/** The whole group's counts while the stack is mounted; null until the history has answered (or for no group). */
export function useGroupProgress(groupId: string | null): GroupCounts | null {
  useEffect(() => {
    if (!groupId) return;
    groupProgress.watch(groupId);
    return () => groupProgress.unwatch(groupId);
  }, [groupId]);
  return useStore(groupProgress.store, (s) => (groupId ? (s.byGroup[groupId] ?? null) : null));
}
