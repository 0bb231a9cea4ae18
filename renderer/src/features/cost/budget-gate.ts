import { validateForm } from '../../../../shared/schema-form.ts';
import { windowApi, errorMessage } from '../../api.ts';
import { composerStore, uiStore } from '../../stores/index.ts';
import { costStore } from '../../stores/cost.ts';

// The check before Generate sends anything (DESIGN §9): asks the backend, which knows today's and
// this month's spend, whether this form × N would cross a budget, and if so asks the person.
// Resolves false when they cancel — the caller then sends nothing.

/** Local days: the backend counts spend per calendar day in the caller's time zone. */
export const utcOffsetMinutes = (): number => -new Date().getTimezoneOffset();

export async function confirmBudget(): Promise<boolean> {
  const { modelRef, fields, values, count, model, submitting } = composerStore.getState();
  if (!modelRef || submitting) return true;
  // An invalid form is not sent anyway: let the composer show its errors first.
  const v = validateForm(fields, values);
  if (!v.ok) return true;
  let est;
  try {
    est = await windowApi().invoke('cost:estimate', { ref: modelRef, input: v.input, count, schema: model?.inputSchema ?? null, utcOffsetMinutes: utcOffsetMinutes() });
  } catch (e) {
    // A budget that cannot be checked does not block the run; the person is told why.
    uiStore.getState().toast(`Could not check the budget: ${errorMessage(e)}`, { tone: 'error' });
    return true;
  }
  const b = est.budget;
  if (!b.wouldCross) return true;
  const daily = b.wouldCross === 'daily';
  return costStore.getState().askBudget({
    budget: b.wouldCross,
    limitUsd: (daily ? b.dailyUsd : b.monthlyUsd) ?? 0,
    spentUsd: daily ? b.spentTodayUsd : b.spentMonthUsd,
    estimate: { usd: est.usd, estimated: est.estimated, basis: est.basis, tableDate: est.tableDate },
    count,
  });
}
