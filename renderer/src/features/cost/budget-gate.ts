import { validateForm } from '../../../../shared/schema-form.ts';
import { windowApi, errorMessage } from '../../api.ts';
import { composerStore, uiStore } from '../../stores/index.ts';
import { costStore } from '../../stores/cost.ts';
import type { CostFigure } from '../../../../shared/domain/cost.ts';
import { runRef } from '../../../../shared/domain/provider.ts';
import type { Req, Res } from '../../../../shared/ipc.ts';

// The check before anything paid is sent (ARCHITECTURE.md, "Money"): Generate's form × N, a batch
// or compare, a Retry or "Retry selected". The backend, which knows today's and this month's
// spend, says whether the runs would cross a budget (one rule, in the ledger); if so the person is
// asked. Resolves false when they cancel — the caller then sends nothing.

/** Local days: the backend counts spend per calendar day in the caller's time zone. */
export const utcOffsetMinutes = (): number => -new Date().getTimezoneOffset();

/** A run to price: its model and input (a fan-out's member, or a run Retry repeats). */
export interface MemberRef {
  model: string;
  input: Record<string, unknown>;
  schema: Record<string, unknown> | null;
}

/** A group's estimate: a CostFigure plus what is known when some members have no price. */
export type GroupFigure = CostFigure & { knownUsd: number; unpriced: number };

type Answer = Res<'cost:estimate'>;

/** One form × N: what Generate would send. */
function askForm(ref: string, input: Record<string, unknown>, count: number, schema: Record<string, unknown> | null): Promise<Answer> {
  return windowApi().invoke('cost:estimate', { ref, input, count, schema, utcOffsetMinutes: utcOffsetMinutes() });
}

/** Several runs priced together: the backend sums them and decides the budget (ledger estimateGroup), the one copy of that rule. */
export function askGroup(members: MemberRef[]): Promise<Answer> {
  const req: Req<'cost:estimate'> = {
    members: members.map((m) => ({ ref: m.model, input: m.input, schema: m.schema })),
    utcOffsetMinutes: utcOffsetMinutes(),
  };
  return windowApi().invoke('cost:estimate', req);
}

export const groupFigureOf = (a: Answer): GroupFigure => ({
  usd: a.usd,
  estimated: a.estimated,
  basis: a.basis,
  tableDate: a.tableDate,
  knownUsd: a.knownUsd ?? a.usd ?? 0,
  unpriced: a.unpriced ?? 0,
});

/**
 * Asks the backend and, if the runs would cross a budget, asks the person. Unknown prices never
 * block (they are not $0 either: the prompt, if shown, says "an unknown amount"). Resolves false
 * when they cancel — the caller then sends nothing.
 */
async function confirmWith(ask: () => Promise<Answer>, count: number): Promise<boolean> {
  let a: Answer;
  try {
    a = await ask();
  } catch (e) {
    // A budget that cannot be checked does not block the run; the person is told why.
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
    estimate: a.knownUsd !== undefined ? groupFigureOf(a) : { usd: a.usd, estimated: true, basis: a.basis, tableDate: a.tableDate },
    count,
  });
}

/** A batch or compare, or several retries: the whole group asked about once. */
export function confirmGroupBudget(members: MemberRef[]): Promise<boolean> {
  if (members.length === 0) return Promise.resolve(true);
  return confirmWith(() => askGroup(members), members.length);
}

/** Generate: this form × N. */
export async function confirmBudget(): Promise<boolean> {
  const { modelRef, fields, values, count, model, submitting } = composerStore.getState();
  if (!modelRef || submitting) return true;
  // An invalid form is not sent anyway: let the composer show its errors first.
  const v = validateForm(fields, values);
  if (!v.ok) return true;
  return confirmWith(() => askForm(modelRef, v.input, count, model?.inputSchema ?? null), count);
}

/** Retry (one run, or "Retry selected", asked once for all): the same model and input again, once each. */
export function confirmRetryBudget(runs: { provider: string; model: string; input: Record<string, unknown> }[]): Promise<boolean> {
  if (runs.length === 1) return confirmWith(() => askForm(runRef(runs[0]!), runs[0]!.input, 1, null), 1);
  return confirmGroupBudget(runs.map((r) => ({ model: runRef(r), input: r.input, schema: null })));
}
