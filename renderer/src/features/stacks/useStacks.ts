import { useMemo } from 'react';
import { predictionsStore } from '../../stores/index.ts';
import { useFanout } from './store.ts';
import { stackGroupOf, stackIds } from './stack-model.ts';

/**
 * The gallery's ids with groups folded into stacks. Recomputed when the list or an open stack
 * changes, not on every card update: a run's group is known from its first (full) view on, and a
 * retry family changes only when a retry adds an id.
 */
export function useStacks(ids: string[]): { shown: string[]; members: Map<string, string[]> } {
  const expanded = useFanout((s) => s.expanded);
  return useMemo(() => {
    const byId = predictionsStore.getState().byId;
    return stackIds(ids, stackGroupOf(ids, byId), expanded);
  }, [ids, expanded]);
}
