import { formatUsd, type CostFigure } from '../../../../shared/domain/cost.ts';

// How a cost reads on screen (ARCHITECTURE.md, "Money"): unknown is said, never shown as $0; $0 is shown only
// for runs the provider does not bill ("not billed"); estimates carry "est.".

export function costText(fig: CostFigure | null | undefined): string {
  if (!fig || fig.usd === null) return 'Cost unknown';
  if (fig.usd === 0 && !fig.estimated) return 'Not billed';
  return `${formatUsd(fig.usd)}${fig.estimated ? ' est.' : ''}`;
}

/** The estimate before a run, next to Generate. */
export function estimateText(fig: CostFigure): string {
  return fig.usd === null ? 'Price unknown' : `≈ ${formatUsd(fig.usd)}`;
}

/** Retry's description: what running the same input again should cost. */
export function retryText(fig: CostFigure | null): string {
  if (!fig) return 'Price not loaded yet';
  return fig.usd === null ? `Price unknown: ${fig.basis}` : `Costs about ${formatUsd(fig.usd)}: ${fig.basis}`;
}

/** The settings schema's bound for dollars (shared/domain/settings.ts Usd). */
const MAX_BUDGET_USD = 1_000_000;

/** A typed budget → dollars, null for "no budget", or why it is refused. */
export function parseBudget(text: string): { ok: true; usd: number | null } | { ok: false; reason: string } {
  const t = text.trim().replace(/^\$/, '');
  if (t === '') return { ok: true, usd: null };
  if (!/^\d+(\.\d+)?$/.test(t)) return { ok: false, reason: 'Use an amount in dollars, like 5 or 12.50 (leave it empty for no budget).' };
  const usd = Number(t);
  if (usd <= 0) return { ok: false, reason: 'A budget must be more than $0; leave it empty for no budget.' };
  if (usd > MAX_BUDGET_USD) return { ok: false, reason: `At most $${MAX_BUDGET_USD.toLocaleString('en-US')} (the largest budget Kiln keeps).` };
  if (!/^\d+(\.\d{1,2})?$/.test(t)) return { ok: false, reason: 'Use at most two decimals (whole cents).' };
  return { ok: true, usd };
}
