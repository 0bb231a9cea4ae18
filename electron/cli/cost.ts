import { formatUsd } from '../../shared/domain/cost.ts';
import type { CostServices } from '../backend/ledger/index.ts';
import { rangeOf } from '../backend/ipc/handlers/cost.ts';

// `kiln run --max-cost` and `kiln cost` (ARCHITECTURE.md, "Fixed interfaces", §9).

/** The local offset of this machine, so `--since` and "today" are the user's own days. */
export const localOffsetMinutes = () => -new Date().getTimezoneOffset();

/**
 * Why this run must not start, or null: its estimate is above --max-cost (or unknown while a
 * maximum is set), or it would cross the daily/monthly budget set in the app.
 */
export function checkMaxCost(
  cost: CostServices,
  o: { ref: string; input: Record<string, unknown>; schema: Record<string, unknown> | null; maxCost: number | null },
): string | null {
  const est = cost.estimate({ ref: o.ref, input: o.input, count: 1, schema: o.schema, utcOffsetMinutes: localOffsetMinutes() });
  const shown = est.usd === null ? 'unknown' : formatUsd(est.usd);
  if (o.maxCost !== null) {
    if (est.usd === null)
      return `the cost of this run is unknown (${est.basis}), so --max-cost ${formatUsd(o.maxCost)} cannot be honoured; nothing was created. Set a price for the model in the app's Settings, or drop --max-cost.`;
    if (est.usd > o.maxCost) return `estimated cost ${shown} (${est.basis}) is above --max-cost ${formatUsd(o.maxCost)}; nothing was created.`;
  }
  const b = est.budget;
  if (b.wouldCross === 'daily')
    return `estimated cost ${shown} would take today's spend to ${formatUsd(b.spentTodayUsd + est.usd!)}, over the daily budget of ${formatUsd(b.dailyUsd!)} (Settings); nothing was created.`;
  if (b.wouldCross === 'monthly')
    return `estimated cost ${shown} would take this month's spend to ${formatUsd(b.spentMonthUsd + est.usd!)}, over the monthly budget of ${formatUsd(b.monthlyUsd!)} (Settings); nothing was created.`;
  return null;
}

export function printCost(cost: CostServices, cmd: { since: string | null; json: boolean }, out: (s: string) => void, err: (s: string) => void): void {
  const off = localOffsetMinutes();
  const s = cost.ledger.summary({ ...rangeOf({ from: cmd.since, to: null, utcOffsetMinutes: off }), utcOffsetMinutes: off });
  if (cmd.json) {
    out(
      JSON.stringify(
        {
          total_usd: s.totalUsd,
          estimated: s.estimated,
          runs: s.runs,
          unknown_runs: s.unknownRuns,
          since: cmd.since,
          by_model: s.byModel.map((m) => ({
            provider: m.provider,
            model: m.model,
            usd: m.usd,
            runs: m.runs,
            estimated: m.estimated,
            unknown_runs: m.unknownRuns,
          })),
        },
        null,
        2,
      ),
    );
    return;
  }
  if (s.runs === 0) {
    err(`kiln: no spend recorded${cmd.since ? ` since ${cmd.since}` : ''}`);
    return;
  }
  for (const m of s.byModel) {
    const usd = m.usd === null ? 'unknown' : `${m.estimated ? '~' : ''}${formatUsd(m.usd)}`;
    out(
      [usd.padStart(12), `${m.runs} run${m.runs === 1 ? '' : 's'}`.padEnd(9), `${m.provider}:${m.model}`, m.unknownRuns ? `(${m.unknownRuns} unknown)` : '']
        .join('  ')
        .trimEnd(),
    );
  }
  out(
    `${`${s.estimated ? '~' : ''}${formatUsd(s.totalUsd)}`.padStart(12)}  total${cmd.since ? ` since ${cmd.since}` : ''}${s.unknownRuns ? ` (+ ${s.unknownRuns} run${s.unknownRuns === 1 ? '' : 's'} of unknown cost)` : ''}${s.estimated ? '  (~ = estimated)' : ''}`,
  );
}
