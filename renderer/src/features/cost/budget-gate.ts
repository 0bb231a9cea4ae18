import { validateForm } from '../../../../shared/schema-form.ts';
import { windowApi, errorMessage } from '../../api.ts';
import { composerStore, uiStore } from '../../stores/index.ts';
import { costStore } from '../../stores/cost.ts';
import { roundUsd, runRef } from '../../../../shared/domain/cost.ts';

// The check before Generate sends anything (ARCHITECTURE.md, "Money"): asks the backend, which knows today's and
// this month's spend, whether this form × N would cross a budget, and if so asks the person.
// Resolves false when they cancel — the caller then sends nothing.

/** Local days: the backend counts spend per calendar day in the caller's time zone. */
export const utcOffsetMinutes = (): number => -new Date().getTimezoneOffset();

/** What one run (or a batch of the same form) would send, for the estimate. */
export interface BudgetItem {
  ref: string;
  input: Record<string, unknown>;
  count: number;
  schema?: Record<string, unknown> | null;
}

/**
 * Asks the backend for the estimate of these runs and, if together they would cross a budget,
 * asks the person. Generate passes its form × N; Retry passes the run it repeats (one per run
 * for "Retry selected", asked once for all). Unknown prices never block (they are not $0 either:
 * the prompt, if shown, says "an unknown amount").
 */
export async function confirmBudgetFor(items: BudgetItem[]): Promise<boolean> {
  if (!items.length) return true;
  let ests;
  try {
    ests = await Promise.all(
      items.map((it) =>
        windowApi().invoke('cost:estimate', { ref: it.ref, input: it.input, count: it.count, schema: it.schema ?? null, utcOffsetMinutes: utcOffsetMinutes() }),
      ),
    );
  } catch (e) {
    // A budget that cannot be checked does not block the run; the person is told why.
    uiStore.getState().toast(`Could not check the budget: ${errorMessage(e)}`, { tone: 'error' });
    return true;
  }
  const count = items.reduce((n, it) => n + it.count, 0);
  const known = ests.filter((e) => e.usd !== null);
  const usd = known.length ? roundUsd(known.reduce((t, e) => t + e.usd!, 0)) : null;
  // Spend so far is the same in every answer; the crossing is decided on the sum.
  const b = ests[0]!.budget;
  const wouldCross = ests.length === 1 ? b.wouldCross : crossed(b, usd);
  if (!wouldCross) return true;
  const daily = wouldCross === 'daily';
  const basis =
    ests.length === 1 ? ests[0]!.basis : `${ests.length} runs${known.length < ests.length ? `, ${ests.length - known.length} of them priced unknown` : ''}`;
  return costStore.getState().askBudget({
    budget: wouldCross,
    limitUsd: (daily ? b.dailyUsd : b.monthlyUsd) ?? 0,
    spentUsd: daily ? b.spentTodayUsd : b.spentMonthUsd,
    estimate: { usd, estimated: true, basis, tableDate: ests[0]!.tableDate },
    count,
  });
}

/** The budget `usd` more would cross, as the backend decides it (electron/backend/ledger/index.ts budget()). */
function crossed(
  b: { dailyUsd: number | null; monthlyUsd: number | null; spentTodayUsd: number; spentMonthUsd: number },
  usd: number | null,
): 'daily' | 'monthly' | null {
  if (usd === null) return null;
  if (b.dailyUsd !== null && roundUsd(b.spentTodayUsd + usd) > b.dailyUsd) return 'daily';
  if (b.monthlyUsd !== null && roundUsd(b.spentMonthUsd + usd) > b.monthlyUsd) return 'monthly';
  return null;
}

/** Generate: this form × N. */
export async function confirmBudget(): Promise<boolean> {
  const { modelRef, fields, values, count, model, submitting } = composerStore.getState();
  if (!modelRef || submitting) return true;
  // An invalid form is not sent anyway: let the composer show its errors first.
  const v = validateForm(fields, values);
  if (!v.ok) return true;
  return confirmBudgetFor([{ ref: modelRef, input: v.input, count, schema: model?.inputSchema ?? null }]);
}

/** Retry (one run, or "Retry selected"): the same model and input again, once each. */
export function confirmRetryBudget(runs: { provider: string; model: string; input: Record<string, unknown> }[]): Promise<boolean> {
  return confirmBudgetFor(runs.map((r) => ({ ref: runRef(r), input: r.input, count: 1 })));
}
