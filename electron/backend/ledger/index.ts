import { estimateRun, formatUsd, roundUsd, type CostFigure, type Price } from '../../../shared/domain/cost.ts';
import type { Settings } from '../../../shared/domain/settings.ts';
import type { Clock, Logger } from '../types.ts';
import type { PredictionRecord } from '../history/types.ts';
import { createCatalogue, type Catalogue } from '../pricing/catalogue.ts';
import type { FalPricingSource } from '../pricing/fal-prices.ts';
import { createLedger, type FalChargesSource, type Ledger, type RecordLike } from './ledger.ts';

// Money, composed (ARCHITECTURE.md, "Money"): the price catalogue, the ledger written from the engine's records,
// and the estimate + budget check a form (or `kiln run --max-cost`) asks for. Nothing here edits
// the engine: the ledger listens to `engine.onRecord` like the notifier does.

export interface BudgetState {
  dailyUsd: number | null;
  monthlyUsd: number | null;
  spentTodayUsd: number;
  spentMonthUsd: number;
  /** The budget this estimate would cross, if any (null also when the estimate is unknown). */
  wouldCross: 'daily' | 'monthly' | null;
}

export interface Estimate extends CostFigure {
  price: Price | null;
  budget: BudgetState;
}

/** One member of a fan-out (a batch row, a compare model): its model and the input it would send. */
export interface EstimateMember {
  ref: string;
  input: Record<string, unknown>;
  schema?: Record<string, unknown> | null;
}

/** A whole fan-out's estimate: unknown when any member's price is; the priced members' sum beside it. */
export interface GroupEstimate extends Estimate {
  knownUsd: number;
  unpriced: number;
}

/** Start of the local day and month containing `now`, for a UTC offset in minutes (east positive). */
export function periodStarts(now: number, utcOffsetMinutes: number): { day: number; month: number } {
  const shift = utcOffsetMinutes * 60_000;
  const local = new Date(now + shift);
  const day = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()) - shift;
  const month = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), 1) - shift;
  return { day, month };
}

export interface CostServices {
  catalogue: Catalogue;
  ledger: Ledger;
  estimate(req: { ref: string; input: Record<string, unknown>; count: number; schema?: Record<string, unknown> | null; utcOffsetMinutes?: number }): Estimate;
  /**
   * A fan-out's estimate (issue 14: "the whole fan-out's estimate first"): each member at its own
   * model's price, summed, and the budget the sum would cross — the one place a group is priced.
   */
  estimateGroup(req: { members: EstimateMember[]; utcOffsetMinutes?: number }): GroupEstimate;
  budget(usd: number | null, utcOffsetMinutes?: number): BudgetState;
  /** The ledger row of a run, written now if it has ended without one. */
  costOf(rec: PredictionRecord): CostFigure | null;
  /**
   * fal's pricing and billing through the fal client (createBackend passes its client; tests may
   * swap in another key's client). With null, fal prices come only from the disk cache and overrides.
   */
  useFal(client: { pricing: FalPricingSource; charges: FalChargesSource } | null): void;
  close(): void;
}

export function createCost(deps: {
  dataDir: string;
  clock: Clock;
  log: Logger;
  settings: { get(): Settings };
  /** The vault's output count for a run (rows in `outputs`), null when unknown. */
  outputCount: (id: string) => number | null;
}): CostServices {
  let fal: { pricing: FalPricingSource; charges: FalChargesSource } | null = null;
  const catalogue = createCatalogue({
    dataDir: deps.dataDir,
    clock: deps.clock,
    log: deps.log,
    settings: deps.settings,
    falPricing: () => fal && ((ids) => fal!.pricing(ids)),
  });
  const ledger = createLedger({
    dataDir: deps.dataDir,
    clock: deps.clock,
    log: deps.log,
    catalogue,
    outputCount: deps.outputCount,
    falCharges: () => fal && ((ids, o) => fal!.charges(ids, o)),
  });

  function budget(usd: number | null, utcOffsetMinutes = 0): BudgetState {
    const s = deps.settings.get();
    const starts = periodStarts(deps.clock.now(), utcOffsetMinutes);
    const spentTodayUsd = s.budgetDailyUsd === null ? 0 : ledger.spentSince(starts.day);
    const spentMonthUsd = s.budgetMonthlyUsd === null ? 0 : ledger.spentSince(starts.month);
    let wouldCross: BudgetState['wouldCross'] = null;
    if (usd !== null && s.budgetDailyUsd !== null && roundUsd(spentTodayUsd + usd) > s.budgetDailyUsd) wouldCross = 'daily';
    else if (usd !== null && s.budgetMonthlyUsd !== null && roundUsd(spentMonthUsd + usd) > s.budgetMonthlyUsd) wouldCross = 'monthly';
    return { dailyUsd: s.budgetDailyUsd, monthlyUsd: s.budgetMonthlyUsd, spentTodayUsd, spentMonthUsd, wouldCross };
  }

  return {
    catalogue,
    ledger,
    budget,
    estimate(req) {
      const price = catalogue.price(req.ref);
      const fig = estimateRun(price, { model: req.ref, input: req.input, schema: req.schema, count: req.count });
      return { ...fig, price, budget: budget(fig.usd, req.utcOffsetMinutes) };
    },
    estimateGroup(req) {
      let sum = 0;
      let unpriced = 0;
      for (const m of req.members) {
        const fig = estimateRun(catalogue.price(m.ref), { model: m.ref, input: m.input, schema: m.schema, count: 1 });
        if (fig.usd === null) unpriced++;
        else sum += fig.usd;
      }
      const n = req.members.length;
      const knownUsd = roundUsd(sum);
      // Never $0 for what is not known: the whole is unknown, and the priced part is said beside it.
      const fig: CostFigure = unpriced
        ? {
            usd: null,
            estimated: true,
            basis: `${unpriced} of ${n} runs have no known price${unpriced < n ? `; the others ≈ ${formatUsd(knownUsd)}` : ''}`,
            tableDate: null,
          }
        : { usd: knownUsd, estimated: true, basis: `${n} runs, each at its model's price`, tableDate: null };
      // The budget is checked on what is known: a lower bound, so when the priced runs alone cross
      // it the group does too (unknown never blocks, but it does not hide a known crossing either).
      return { ...fig, price: null, budget: budget(unpriced < n ? knownUsd : null, req.utcOffsetMinutes), knownUsd, unpriced };
    },
    costOf(rec) {
      const row = ledger.get(rec.id) ?? ledger.record(rec as unknown as RecordLike);
      return row ? { usd: row.usd, estimated: row.estimated, basis: row.basis, tableDate: row.tableDate } : null;
    },
    useFal(client) {
      fal = client;
    },
    close: () => ledger.close(),
  };
}

// The IPC handlers reach the cost services through the backend's Services object, without a
// field on it (services.ts belongs to everyone): one registration per backend instance.
const registry = new WeakMap<object, CostServices>();
export const attachCost = (services: object, cost: CostServices) => registry.set(services, cost);
export function costFor(services: object): CostServices {
  const c = registry.get(services);
  if (!c) throw new Error('cost services were not composed for this backend');
  return c;
}
