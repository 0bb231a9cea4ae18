import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { CostFigure, Price } from '../../../shared/domain/cost.ts';
import { type ApiSource, windowApi } from '../api.ts';

// Money in the renderer (ARCHITECTURE.md, "Money"). Prices are asked once per model (`cost:price`) so the
// estimate next to Generate is computed here, synchronously, on every form change; a run's cost
// is asked once it has ended, in ./run-costs.ts (one per card: kept apart from this store). The
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
  ask: (BudgetAsk & { answer: (go: boolean) => void }) | null;
  spendOpen: boolean;
  ensurePrice(ref: string): void;
  /** Shows the budget prompt; resolves true for "Run anyway". */
  askBudget(a: BudgetAsk): Promise<boolean>;
  setSpendOpen(open: boolean): void;
  /** Drops the prices asked so far (a price override changed): they are asked again when shown. */
  forgetPrices(): void;
}

/** A price that could not be asked for is asked again after this long. */
const RETRY_PRICE_MS = 30_000;
export function createCostStore(api: ApiSource = windowApi) {
  return createStore<CostState>()((set, get) => ({
    prices: {},
    ask: null,
    spendOpen: false,

    ensurePrice(ref) {
      if (get().prices[ref] !== undefined) return;
      set({ prices: { ...get().prices, [ref]: 'loading' } });
      api()
        .invoke('cost:price', { ref })
        .then(
          // One entry per model ref: a handful, so a copy per answer is cheap (unlike per-run costs).
          (r) => set({ prices: { ...get().prices, [ref]: r.price } }),
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
