import { useEffect, useMemo, useState } from 'react';
import { formatUsd } from '../../../../shared/domain/cost.ts';
import { errorMessage } from '../../api.ts';
import { costStore, useCost } from '../../stores/cost.ts';
import { askGroup, groupFigureOf, type GroupFigure, type MemberRef } from '../cost/budget-gate.ts';

export { confirmGroupBudget, type GroupFigure, type MemberRef } from '../cost/budget-gate.ts';

// Money for a whole fan-out (ARCHITECTURE.md, "Money", issue 14: "the whole fan-out's estimate
// first"). The rule — each member at its model's price, summed, unknown as a whole when one is
// unknown, and the budget the sum would cross — lives once, in the backend (cost:estimate with
// `members`, electron/backend/ledger/index.ts estimateGroup), and the prompt before sending lives
// with every other budget prompt in cost/budget-gate.ts. This file is the dialogs' live total: it
// asks once the members' prices are cached.

/** Form changes are gathered this long before the backend is asked (a list of 200 rows is typed fast). */
const ASK_AFTER_MS = 80;

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
      askGroup(JSON.parse(key) as MemberRef[]).then(
        (a) => live && setAnswer({ key, fig: groupFigureOf(a) }),
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

export function totalText(fig: GroupFigure | null): string {
  if (!fig) return 'Pricing…';
  if (fig.usd !== null) return `≈ ${formatUsd(fig.usd)}`;
  return fig.knownUsd > 0 ? `≈ ${formatUsd(fig.knownUsd)} + ${fig.unpriced} unpriced` : 'Price unknown';
}
