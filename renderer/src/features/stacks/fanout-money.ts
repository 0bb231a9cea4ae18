import { estimateRun, formatUsd, roundUsd, type CostFigure } from '../../../../shared/domain/cost.ts';
import { windowApi, errorMessage } from '../../api.ts';
import { uiStore } from '../../stores/index.ts';
import { costStore } from '../../stores/cost.ts';
import { utcOffsetMinutes } from '../cost/budget-gate.ts';

// Money for a whole fan-out (ARCHITECTURE.md, "Money", issue 14: "the whole fan-out's estimate first"): the sum of
// each member's estimate from the cached prices (the composer's arithmetic, shared/domain/cost.ts),
// and the same budget prompt the composer uses, asked once for the whole group.

export interface MemberRef {
  model: string;
  input: Record<string, unknown>;
  schema: Record<string, unknown> | null;
}

/** A group's estimate: a CostFigure plus what is known when some members have no price. */
export type GroupFigure = CostFigure & { knownUsd: number; unpriced: number };

/**
 * The group's estimate. Unknown as a whole when any member's price is unknown (never counted as
 * $0); the priced members' sum is kept beside it, so "≈ $0.028 + 2 unpriced" can be said.
 */
export function estimateGroup(members: MemberRef[]): GroupFigure | null {
  if (members.length === 0) return null;
  const prices = costStore.getState().prices;
  let usd = 0;
  let unknown = 0;
  for (const m of members) {
    const price = prices[m.model];
    if (price === undefined || price === 'loading') return null; // still asking
    const fig = estimateRun(price, { model: m.model, input: m.input, schema: m.schema, count: 1 });
    if (fig.usd === null) unknown++;
    else usd += fig.usd;
  }
  const n = members.length;
  const knownUsd = roundUsd(usd);
  if (unknown)
    return {
      usd: null,
      estimated: true,
      basis: `${unknown} of ${n} runs have no known price${unknown < n ? `; the others ≈ ${formatUsd(knownUsd)}` : ''}`,
      tableDate: null,
      knownUsd,
      unpriced: unknown,
    };
  return { usd: knownUsd, estimated: true, basis: `${n} runs, each at its model's price`, tableDate: null, knownUsd, unpriced: 0 };
}

/**
 * Asks before a group that would cross a budget. The spend so far comes from the backend (cost:estimate
 * answers with the budget state); the group's total is this one's. Resolves false on Cancel.
 */
export async function confirmGroupBudget(members: MemberRef[], total: CostFigure | null): Promise<boolean> {
  const first = members[0];
  if (!first || !total || total.usd === null) return true;
  let b;
  try {
    b = (
      await windowApi().invoke('cost:estimate', { ref: first.model, input: first.input, count: 1, schema: first.schema, utcOffsetMinutes: utcOffsetMinutes() })
    ).budget;
  } catch (e) {
    uiStore.getState().toast(`Could not check the budget: ${errorMessage(e)}`, { tone: 'error' });
    return true;
  }
  // The ledger's rule (electron/backend/ledger/index.ts budgetState), for the group's total.
  const crossDaily = b.dailyUsd !== null && roundUsd(b.spentTodayUsd + total.usd) > b.dailyUsd;
  const crossMonthly = !crossDaily && b.monthlyUsd !== null && roundUsd(b.spentMonthUsd + total.usd) > b.monthlyUsd;
  if (!crossDaily && !crossMonthly) return true;
  return costStore.getState().askBudget({
    budget: crossDaily ? 'daily' : 'monthly',
    limitUsd: (crossDaily ? b.dailyUsd : b.monthlyUsd) ?? 0,
    spentUsd: crossDaily ? b.spentTodayUsd : b.spentMonthUsd,
    estimate: total,
    count: members.length,
  });
}

export function totalText(fig: GroupFigure | null): string {
  if (!fig) return 'Pricing…';
  if (fig.usd !== null) return `≈ ${formatUsd(fig.usd)}`;
  return fig.knownUsd > 0 ? `≈ ${formatUsd(fig.knownUsd)} + ${fig.unpriced} unpriced` : 'Price unknown';
}
