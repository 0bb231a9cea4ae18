import type { CostFigure } from '../../../shared/domain/cost.ts';
import { isTerminal } from '../../../shared/domain/status.ts';
import { type ApiSource, windowApi } from '../api.ts';

// Each ended run's cost, asked once (`cost:get`, which writes the ledger row if it is missing) and
// kept for the cards (ARCHITECTURE.md, "Money"). Not a zustand record: every card that scrolls into
// view asks for its run, and with a record each answer copied the whole cache (and, once full,
// rebuilt it to trim it) — at 10k runs that was most of the gallery's main-thread time per frame.
// Here an answer is O(1): one Map entry, and only that run's card is told. No React here (the
// hook is in features/cost/CardCost.tsx), so unit tests import this without React's DOM types.

/** Answers kept at most: a gallery of 10k cards must not grow this without bound. */
export const MAX_RUN_COSTS = 5_000;

export interface RunCosts {
  /** Asks for an ended run's cost unless it is known (or `force`: the detail view asks again). */
  ensure(id: string, status: string, force?: boolean): void;
  /** undefined: not known (not ended, or not answered yet); null: the backend has no figure. */
  get(id: string): CostFigure | null | undefined;
  /** Calls `fn` when this run's figure changes; returns the unsubscribe. */
  subscribe(id: string, fn: () => void): () => void;
  readonly size: number;
}

export function createRunCosts(api: ApiSource = windowApi, max = MAX_RUN_COSTS): RunCosts {
  const figures = new Map<string, CostFigure | null>(); // insertion order = age, oldest first
  const watchers = new Map<string, Set<() => void>>();
  const asking = new Set<string>();

  const put = (id: string, fig: CostFigure | null) => {
    figures.delete(id); // a fresh answer is the newest
    figures.set(id, fig);
    // Oldest first, but never a figure a card on screen is showing: it would blank under the reader.
    // Watched ids are the cards mounted (a few dozen), so this walk stays short.
    if (figures.size > max) {
      for (const old of figures.keys()) {
        if (figures.size <= max) break;
        if (!watchers.has(old)) figures.delete(old);
      }
    }
    for (const fn of watchers.get(id) ?? []) fn();
  };

  return {
    ensure(id, status, force = false) {
      if (!isTerminal(status) || asking.has(id) || (!force && figures.has(id))) return;
      asking.add(id);
      api()
        .invoke('cost:get', { id })
        .then(
          (c) => put(id, c),
          () => {}, // unknown stays unknown; the card shows no cost rather than a wrong one
        )
        .finally(() => asking.delete(id));
    },
    get: (id) => figures.get(id),
    subscribe(id, fn) {
      let set = watchers.get(id);
      if (!set) watchers.set(id, (set = new Set()));
      set.add(fn);
      return () => {
        set.delete(fn);
        if (!set.size) watchers.delete(id);
      };
    },
    get size() {
      return figures.size;
    },
  };
}

export const runCosts = createRunCosts();
