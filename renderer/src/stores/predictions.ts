import { createStore } from 'zustand/vanilla';
import { splitModelRef } from '../../../shared/domain/provider.ts';
import type { PredictionView, PredictionChanges, PredictionFilter } from '../../../shared/domain/prediction.ts';
import type { EventPayload } from '../../../shared/ipc.ts';
import { type ApiSource, windowApi, errorMessage } from '../api.ts';
import { cardAspect } from '../features/scale/aspect.ts';

// The gallery's model of the history: one page-loaded, newest-first list kept live by events.
// Events are queued and applied in batches, so a burst of updates across thousands of cards costs
// one render pass. `byId` and `shapes` are updated in place, never copied: a copy of a 10,000-entry
// record costs V8 ~8 ms, and one per batch and per page was most of the gallery's long frames. What
// changes identity is what readers select: each changed run's view is a new object (a card selects
// `byId[id]`), `ids` is a new array when runs come or go, and `shapesVersion` moves with the shapes.

export interface Counts {
  total: number;
  byStatus: Record<string, number>;
  favourites: number;
}

export interface PredictionsState {
  byId: Record<string, PredictionView>;
  /** Ids in display order: newest first. */
  ids: string[];
  filter: PredictionFilter;
  cursor: string | null;
  hasMore: boolean;
  loading: boolean;
  loaded: boolean;
  error: string | null;
  counts: Counts | null;
  /**
   * Each loaded run's picture shape (width / height, features/scale/aspect.ts), updated in place.
   * The gallery's row heights depend on these alone, and the grid subscribes to `shapesVersion`
   * rather than to `byId`: it moves only when a shape changes (a run's output is measured, a run
   * arrives or leaves), so a progress tick or a status change re-renders that one card, not the grid.
   */
  shapes: Record<string, number>;
  shapesVersion: number;
  /**
   * Cards just deleted from this window: their slot is held (drawn empty) for a moment, so the
   * next card does not slide under a pointer that is still clicking. Value: when it is let go.
   */
  held: Record<string, number>;
  /** Holds the slots of `ids` for `ms`; their removal (the backend's event) waits until then. */
  hold(ids: string[], ms: number): void;
  setFilter(f: PredictionFilter): Promise<void>;
  reload(): Promise<void>;
  loadMore(): Promise<void>;
  refreshCounts(): Promise<void>;
  /** Queue an event; applied on the next flush. */
  onUpdated(ev: EventPayload<'prediction:updated'>): void;
  onRemoved(ids: string[]): void;
  flush(): void;
  upsert(view: PredictionView): void;
}

const PAGE = 200;

export function matchesFilter(p: PredictionView, f: PredictionFilter): boolean {
  if (f.status?.length && !f.status.includes(p.status) && !f.status.includes(p.saveState)) return false;
  if (f.model) {
    // The filter may be a full reference (`fal:fal-ai/flux/dev`); a run holds the provider's own id.
    const m = splitModelRef(f.model);
    if (p.model !== m.ref || (m.ref !== f.model.trim() && p.provider !== m.provider)) return false;
  }
  if (f.provider && p.provider !== f.provider) return false;
  if (f.favourite && !p.favourite) return false;
  if (f.kind && !p.outputs.some((o) => o.kind === f.kind) && !(f.kind === 'text' && p.text)) return false;
  if (f.from != null && p.createdAt < f.from) return false;
  if (f.to != null && p.createdAt > f.to) return false;
  if (f.query?.trim()) {
    // The backend searches with FTS; live-inserted cards use a plain word check as a close stand-in.
    const hay = `${p.prompt ?? ''} ${p.model}`.toLowerCase();
    if (
      !f.query
        .toLowerCase()
        .split(/\s+/)
        .filter(Boolean)
        .every((w) => hay.includes(w))
    )
      return false;
  }
  return true;
}

/** Newest first; ties broken by id so order is stable. */
function insertSorted(ids: string[], byId: Record<string, PredictionView>, id: string): string[] {
  const created = byId[id]!.createdAt;
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const m = byId[ids[mid]!]!;
    if (m.createdAt > created || (m.createdAt === created && m.id > id)) lo = mid + 1;
    else hi = mid;
  }
  const out = ids.slice();
  out.splice(lo, 0, id);
  return out;
}

/**
 * Sets the shapes of `views` and drops `removed`, in place; true when any shape was set, changed or
 * dropped (then `shapesVersion` moves). O(changed), not O(loaded).
 */
export function reshape(
  shapes: Record<string, number>,
  views: Iterable<PredictionView>,
  removed: Iterable<string> = [],
  shapeOf: (v: PredictionView) => number = cardAspect,
): boolean {
  let changed = false;
  for (const v of views) {
    const a = shapeOf(v);
    if (shapes[v.id] === a) continue;
    shapes[v.id] = a;
    changed = true;
  }
  for (const id of removed) {
    if (shapes[id] === undefined) continue;
    delete shapes[id];
    changed = true;
  }
  return changed;
}

/**
 * A new variant (a retry) changes how many variants its whole family has: every loaded card of
 * the family takes the newcomer's count, so "N variants" is the same on each of them.
 */
function shareVariants(byId: Record<string, PredictionView>, v: PredictionView): void {
  if (!v.retryOf) return;
  const family = new Set([v.retryOf, v.id]);
  const root = byId[v.retryOf]?.retryOf;
  if (root) family.add(root);
  for (const [id, p] of Object.entries(byId)) {
    if ((family.has(id) || (p.retryOf && family.has(p.retryOf))) && p.variantCount !== v.variantCount)
      byId[id] = { ...p, variantCount: Math.max(p.variantCount, v.variantCount) };
  }
}

export interface PredictionsOptions {
  api?: ApiSource;
  onError?: (msg: string) => void;
  /** How queued events get flushed; the renderer uses animation frames, tests flush by hand. */
  schedule?: (fn: () => void) => void;
}

export function createPredictionsStore(opts: PredictionsOptions = {}) {
  const api = opts.api ?? windowApi;
  const onError = opts.onError ?? (() => {});
  const schedule = opts.schedule ?? ((fn) => setTimeout(fn, 16));
  let queue: EventPayload<'prediction:updated'>[] = [];
  let removedQueue: string[] = [];
  let scheduled = false;
  let generation = 0; // bumps on reload so stale pages are dropped
  const fetching = new Set<string>();
  let countsTimer: ReturnType<typeof setTimeout> | null = null;
  /** Held ids the backend already removed: they leave the list when the hold ends. */
  const gone = new Set<string>();

  const store = createStore<PredictionsState>()((set, get) => {
    const kick = () => {
      if (scheduled) return;
      scheduled = true;
      schedule(() => get().flush());
    };
    const countsSoon = () => {
      if (countsTimer) return;
      countsTimer = setTimeout(() => {
        countsTimer = null;
        void get().refreshCounts();
      }, 400);
    };

    return {
      byId: {},
      ids: [],
      filter: {},
      cursor: null,
      hasMore: false,
      loading: false,
      loaded: false,
      error: null,
      counts: null,
      shapes: {},
      shapesVersion: 0,
      held: {},

      hold(ids, ms) {
        const until = Date.now() + ms;
        set({ held: { ...get().held, ...Object.fromEntries(ids.map((id) => [id, until])) } });
        setTimeout(() => {
          const held = { ...get().held };
          const free = ids.filter((id) => held[id] !== undefined && held[id]! <= Date.now());
          for (const id of free) delete held[id];
          set({ held });
          // Whatever was removed meanwhile goes now.
          removedQueue.push(...free.filter((id) => gone.has(id)));
          for (const id of free) gone.delete(id);
          kick();
        }, ms);
      },

      async setFilter(filter) {
        set({ filter });
        await get().reload();
      },

      async reload() {
        const gen = ++generation;
        set({ loading: true, error: null });
        try {
          const page = await api().invoke('predictions:list', { ...get().filter, limit: PAGE });
          if (gen !== generation) return;
          const byId: Record<string, PredictionView> = {};
          for (const p of page.items) byId[p.id] = p;
          // The history is the truth now: a held slot whose run came back (undo) is a card again.
          for (const p of page.items) gone.delete(p.id);
          const held = Object.fromEntries(Object.entries(get().held).filter(([id]) => !byId[id]));
          const shapes: Record<string, number> = {};
          reshape(shapes, page.items);
          set({
            byId,
            ids: page.items.map((p) => p.id),
            shapes,
            shapesVersion: get().shapesVersion + 1,
            cursor: page.nextCursor,
            hasMore: page.nextCursor != null,
            loaded: true,
            held,
          });
        } catch (e) {
          if (gen !== generation) return;
          set({ error: errorMessage(e), loaded: true });
        } finally {
          if (gen === generation) set({ loading: false });
        }
        void get().refreshCounts();
      },

      async loadMore() {
        const { cursor, loading, hasMore } = get();
        if (loading || !hasMore || !cursor) return;
        const gen = generation;
        set({ loading: true });
        try {
          const page = await api().invoke('predictions:list', { ...get().filter, cursor, limit: PAGE });
          if (gen !== generation) return;
          const { byId, shapes, shapesVersion } = get();
          const ids = get().ids.slice();
          for (const p of page.items) {
            if (!byId[p.id]) ids.push(p.id);
            byId[p.id] = p;
          }
          const moved = reshape(shapes, page.items);
          set({ byId, ids, shapesVersion: shapesVersion + (moved ? 1 : 0), cursor: page.nextCursor, hasMore: page.nextCursor != null });
        } catch (e) {
          onError(`Could not load more: ${errorMessage(e)}`);
          set({ hasMore: false });
        } finally {
          if (gen === generation) set({ loading: false });
        }
      },

      async refreshCounts() {
        try {
          set({ counts: await api().invoke('predictions:counts', {}) });
        } catch {
          // Counts are decoration; the gallery works without them.
        }
      },

      onUpdated(ev) {
        queue.push(ev);
        kick();
      },

      onRemoved(ids) {
        removedQueue.push(...ids);
        kick();
      },

      flush() {
        scheduled = false;
        const events = queue;
        const removed = removedQueue;
        queue = [];
        removedQueue = [];
        if (!events.length && !removed.length) return;
        const s = get();
        const byId = s.byId; // in place (see the top of this file)
        let ids = s.ids;
        let statusChanged = false;
        const touched = new Set<string>();
        for (const ev of events) {
          const cur = byId[ev.id];
          if (cur) {
            if (ev.changes.status && ev.changes.status !== cur.status) statusChanged = true;
            if (ev.changes.saveState && ev.changes.saveState !== cur.saveState) statusChanged = true;
            byId[ev.id] = { ...cur, ...(ev.changes as PredictionChanges) } as PredictionView;
            touched.add(ev.id); // its shape is looked at again; `shapes` changes only if it moved
          } else if (ev.full) {
            const view = ev.changes as PredictionView;
            if (!matchesFilter(view, s.filter)) continue;
            byId[ev.id] = view;
            ids = insertSorted(ids, byId, ev.id);
            shareVariants(byId, view);
            touched.add(ev.id);
            statusChanged = true;
          } else if (!fetching.has(ev.id)) {
            // A partial change for a card we have never seen (e.g. it was created before we loaded
            // and is past the loaded page, or a lost `full`): ask for the whole view.
            fetching.add(ev.id);
            api()
              .invoke('predictions:get', { id: ev.id })
              .then((v) => {
                if (matchesFilter(v, get().filter)) get().upsert(v);
              })
              .catch(() => {})
              .finally(() => fetching.delete(ev.id));
          }
        }
        const held = s.held;
        const now = removed.filter((id) => {
          if (held[id] === undefined) return true;
          gone.add(id);
          return false;
        });
        if (now.length) {
          const out = new Set(now);
          for (const id of now) delete byId[id];
          ids = ids.filter((id) => !out.has(id));
          statusChanged = true;
        }
        if (removed.length) statusChanged = true;
        const moved = reshape(
          s.shapes,
          [...touched].flatMap((id) => byId[id] ?? []),
          now,
        );
        set({ byId, ids, shapesVersion: s.shapesVersion + (moved ? 1 : 0) });
        if (statusChanged) countsSoon();
      },

      upsert(view) {
        const s = get();
        const cur = s.byId[view.id];
        const byId = s.byId; // in place (see the top of this file)
        byId[view.id] = view;
        const ids = cur ? s.ids : insertSorted(s.ids, byId, view.id);
        shareVariants(byId, view);
        const moved = reshape(s.shapes, [view]);
        set({ byId, ids, shapesVersion: s.shapesVersion + (moved ? 1 : 0) });
        // A card that arrives (or changes status) here rather than through an event still counts:
        // a retry that failed before its event came would otherwise leave the counts stale.
        if (!cur || cur.status !== view.status || cur.saveState !== view.saveState) countsSoon();
      },
    };
  });
  return store;
}

export type PredictionsStore = ReturnType<typeof createPredictionsStore>;
