import { createStore } from 'zustand/vanilla';
import type { Res } from '../../../../shared/ipc.ts';
import { GROUP_PROGRESS_MAX } from '../../../../shared/limits.ts';
import type { ApiSource } from '../../api.ts';

// A stack's progress over its whole group (issue 14), asked of the history: the gallery holds only
// the pages it has loaded, so a batch straddling pages (or behind a filter) would be miscounted.
// Cheap to render: a stack on screen registers its group; the requests are batched (one call for
// every stack on screen, at most GROUP_PROGRESS_MAX groups) and debounced; a status change of a
// member asks again, debounced the same way. Nothing is asked for a stack that is not mounted.
// The app's instance and its hook: useGroupProgress.ts.

export type GroupCounts = Res<'predictions:groupProgress'>['groups'][number];

/** How long changes are gathered before the history is asked again. */
const DEBOUNCE_MS = 250;
/** Answers kept for groups no longer on screen (scrolling back shows them at once). */
const KEEP = 200;

interface State {
  byGroup: Record<string, GroupCounts>;
}

/** `groupOfRun`: the group of a loaded run, for update events that do not name it (all but the first). */
export function createGroupProgress(api: ApiSource, groupOfRun: (id: string) => string | null | undefined) {
  const store = createStore<State>()(() => ({ byGroup: {} }));
  const watched = new Map<string, number>();
  const stale = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let offs: (() => void)[] = [];

  const schedule = () => {
    if (timer === null) timer = setTimeout(flush, DEBOUNCE_MS);
  };
  function flush() {
    timer = null;
    const ids = [...stale].filter((g) => watched.has(g));
    stale.clear();
    for (let i = 0; i < ids.length; i += GROUP_PROGRESS_MAX) {
      const chunk = ids.slice(i, i + GROUP_PROGRESS_MAX);
      api()
        .invoke('predictions:groupProgress', { groupIds: chunk })
        .then(
          (r) => {
            const byGroup = { ...store.getState().byGroup };
            for (const g of r.groups) {
              delete byGroup[g.groupId]; // re-inserted last: the newest answers are the ones kept
              byGroup[g.groupId] = g;
            }
            const keys = Object.keys(byGroup);
            for (const k of keys.slice(0, Math.max(0, keys.length - KEEP))) if (!watched.has(k)) delete byGroup[k];
            store.setState({ byGroup });
          },
          // The stack falls back to the members it has loaded; the next change asks again.
          () => {},
        );
    }
  }
  const markStale = (g: string) => {
    if (!watched.has(g)) return;
    stale.add(g);
    schedule();
  };
  const listen = () => {
    const k = api();
    offs = [
      k.on('prediction:updated', (ev) => {
        // A member created, or its status moved: its group's counts change. Other changes (logs,
        // progress, outputs) do not, and must not cost a query each.
        if (!ev.full && ev.changes.status === undefined) return;
        const g = ev.changes.groupId ?? groupOfRun(ev.id);
        if (g) markStale(g);
      }),
      k.on('predictions:removed', () => {
        for (const g of watched.keys()) stale.add(g);
        schedule();
      }),
    ];
  };

  return {
    store,
    /** A stack on screen: counts for its group are asked now (debounced) and kept fresh until `unwatch`. */
    watch(groupId: string) {
      if (watched.size === 0 && offs.length === 0) listen();
      watched.set(groupId, (watched.get(groupId) ?? 0) + 1);
      stale.add(groupId);
      schedule();
    },
    unwatch(groupId: string) {
      const n = (watched.get(groupId) ?? 0) - 1;
      if (n > 0) watched.set(groupId, n);
      else watched.delete(groupId);
      if (watched.size === 0) {
        for (const off of offs) off();
        offs = [];
      }
    },
    /** Asks again for every group on screen (e.g. after "Retry failed"). */
    refresh() {
      for (const g of watched.keys()) stale.add(g);
      schedule();
    },
  };
}
