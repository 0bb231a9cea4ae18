import { useEffect, useMemo, useState } from 'react';
import { formatUsd, type CostFigure } from '../../../../shared/domain/cost.ts';
import type { Req, Res } from '../../../../shared/ipc.ts';
import { windowApi, errorMessage } from '../../api.ts';
import { uiStore } from '../../stores/index.ts';
import { costStore, useCost } from '../../stores/cost.ts';
import { utcOffsetMinutes } from '../cost/budget-gate.ts';

// Money for a whole fan-out (ARCHITECTURE.md, "Money", issue 14: "the whole fan-out's estimate
// first"). The rule — each member at its model's price, summed, unknown as a whole when one is
// unknown, and the budget the sum would cross — lives once, in the backend (cost:estimate with
// `members`, electron/backend/ledger/index.ts estimateGroup). This file is UI glue: it asks once the
// members' prices are cached, and shows the composer's budget prompt once for the group.

export interface MemberRef {
  model: string;
  input: Record<string, unknown>;
  schema: Record<string, unknown> | null;
}

/** A group's estimate: a CostFigure plus what is known when some members have no price. */
export type GroupFigure = CostFigure & { knownUsd: number; unpriced: number };

type Answer = Res<'cost:estimate'>;

/** Form changes are gathered this long before the backend is asked (a list of 200 rows is typed fast). */
const ASK_AFTER_MS = 80;

function ask(members: MemberRef[]): Promise<Answer> {
  const req: Req<'cost:estimate'> = {
    members: members.map((m) => ({ ref: m.model, input: m.input, schema: m.schema })),
    utcOffsetMinutes: utcOffsetMinutes(),
  };
  return windowApi().invoke('cost:estimate', req);
}

const figureOf = (a: Answer): GroupFigure => ({
  usd: a.usd,
  estimated: a.estimated,
  basis: a.basis,
  tableDate: a.tableDate,
  knownUsd: a.knownUsd ?? a.usd ?? 0,
  unpriced: a.unpriced ?? 0,
});

/**
 * The group's estimate, asked of the backend once every member's price is in the cache (the
 * backend prices from the same cache, without network); null while a price or the answer is on
 * its way.
 */
export function useGroupEstimate(members: MemberRef[]): GroupFigure | null {
  const prices = useCost((s) => s.prices);
  // By content: the dialogs rebuild their member list on every render.
  const key = JSON.stringify(members);
  const models = useMemo(() => [...new Set(members.map((m) => m.model))].join('\n'), [members]);
  useEffect(() => {
    for (const m of models.split('\n')) if (m) costStore.getState().ensurePrice(m);
  }, [models]);
  const priced = models !== '' && models.split('\n').every((m) => prices[m] !== undefined && prices[m] !== 'loading');
  const [answer, setAnswer] = useState<{ key: string; fig: GroupFigure } | null>(null);
  useEffect(() => {
    if (!priced || key === '[]') return;
    let live = true;
    const t = setTimeout(() => {
      ask(JSON.parse(key) as MemberRef[]).then(
        (a) => live && setAnswer({ key, fig: figureOf(a) }),
        (e: unknown) =>
          live && setAnswer({ key, fig: { usd: null, estimated: true, basis: `No estimate: ${errorMessage(e)}`, tableDate: null, knownUsd: 0, unpriced: 0 } }),
      );
    }, ASK_AFTER_MS);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [key, priced]);
  return priced && answer?.key === key ? answer.fig : null;
}

/**
 * Asks before a group that would cross a budget: the backend prices the whole group against
 * today's and this month's spend, and the person is asked once. Resolves false on Cancel.
 */
export async function confirmGroupBudget(members: MemberRef[]): Promise<boolean> {
  if (members.length === 0) return true;
  let a: Answer;
  try {
    a = await ask(members);
  } catch (e) {
    // A budget that cannot be checked does not block the runs; the person is told why.
    uiStore.getState().toast(`Could not check the budget: ${errorMessage(e)}`, { tone: 'error' });
    return true;
  }
  const b = a.budget;
  if (!b.wouldCross) return true;
  const daily = b.wouldCross === 'daily';
  return costStore.getState().askBudget({
    budget: b.wouldCross,
    limitUsd: (daily ? b.dailyUsd : b.monthlyUsd) ?? 0,
    spentUsd: daily ? b.spentTodayUsd : b.spentMonthUsd,
    estimate: figureOf(a),
    count: members.length,
  });
}

export function totalText(fig: GroupFigure | null): string {
  if (!fig) return 'Pricing…';
  if (fig.usd !== null) return `≈ ${formatUsd(fig.usd)}`;
  return fig.knownUsd > 0 ? `≈ ${formatUsd(fig.knownUsd)} + ${fig.unpriced} unpriced` : 'Price unknown';
}
