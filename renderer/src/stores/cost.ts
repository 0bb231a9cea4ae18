import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { CostFigure, Price } from '../../../shared/domain/cost.ts';
import { isTerminal } from '../../../shared/domain/status.ts';
import { type ApiSource, windowApi } from '../api.ts';

// Money in the renderer (ARCHITECTURE.md, "Money"). Prices are asked once per model (`cost:price`) so the
// estimate next to Generate is computed here, synchronously, on every form change; a run's cost
// is asked once it has ended (`cost:get`, which writes the ledger row if it is missing). The
// budget prompt is a promise the composer awaits: Cancel resolves false and nothing is sent.

/** What the budget prompt shows: the budget crossed, the spend so far and this run's estimate. */
export interface BudgetAsk {
  budget: 'daily' | 'monthly';
  limitUsd: number;
  spentUsd: number;
  estimate: CostFigure;
  count: number;
}

export interface CostState {
  /** undefined: not asked yet; 'loading'; null: no price known. */
  prices: Record<string, Price | null | 'loading'>;
  /** A run's cost once it has ended; null = the backend has no figure (shown as unknown). */
  costs: Record<string, CostFigure | null>;
  ask: (BudgetAsk & { answer: (go: boolean) => void }) | null;
  spendOpen: boolean;
  ensurePrice(ref: string): void;
  ensureCost(id: string, status: string, force?: boolean): void;
  /** Shows the budget prompt; resolves true for "Run anyway". */
  askBudget(a: BudgetAsk): Promise<boolean>;
  setSpendOpen(open: boolean): void;
  /** Drops the prices asked so far (a price override changed): they are asked again when shown. */
  forgetPrices(): void;
}

/** A price that could not be asked for is asked again after this long. */
const RETRY_PRICE_MS = 30_000;
/** Answers kept at most: a gallery of 10k cards must not grow this without bound. */
const MAX_CACHED = 5_000;
const trim = <T>(rec: Record<string, T>): Record<string, T> => {
  const keys = Object.keys(rec);
  return keys.length <= MAX_CACHED ? rec : Object.fromEntries(keys.slice(keys.length - MAX_CACHED).map((k) => [k, rec[k]!]));
};

export function createCostStore(api: ApiSource = windowApi) {
  const asking = new Set<string>();
  return createStore<CostState>()((set, get) => ({
    prices: {},
    costs: {},
    ask: null,
    spendOpen: false,

    ensurePrice(ref) {
      if (get().prices[ref] !== undefined) return;
      set({ prices: { ...get().prices, [ref]: 'loading' } });
      api()
        .invoke('cost:price', { ref })
        .then(
          (r) => set({ prices: trim({ ...get().prices, [ref]: r.price }) }),
          // Not knowing the price shows "Price unknown", never $0; it is asked again a little later.
          () => {
            set({ prices: { ...get().prices, [ref]: null } });
            setTimeout(() => {
              const prices = { ...get().prices };
              delete prices[ref];
              set({ prices });
            }, RETRY_PRICE_MS);
          },
        );
    },

    ensureCost(id, status, force = false) {
      if (!isTerminal(status) || asking.has(id) || (!force && id in get().costs)) return;
      asking.add(id);
      api()
        .invoke('cost:get', { id })
        .then(
          (c) => set({ costs: trim({ ...get().costs, [id]: c }) }),
          () => {},
        )
        .finally(() => asking.delete(id));
    },

    askBudget(a) {
      get().ask?.answer(false);
      return new Promise<boolean>((resolve) => {
        set({
          ask: {
            ...a,
            answer: (go) => {
              set({ ask: null });
              resolve(go);
            },
          },
        });
      });
    },

    setSpendOpen: (spendOpen) => set({ spendOpen }),
    forgetPrices: () => set({ prices: {} }),
  }));
}

export type CostStore = ReturnType<typeof createCostStore>;
export const costStore = createCostStore();
export const useCost = <T>(sel: (s: CostState) => T): T => useStore(costStore, sel);
