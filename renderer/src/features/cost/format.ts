import { formatUsd, type CostFigure } from '../../../../shared/domain/cost.ts';

// How a cost reads on screen (DESIGN §9): unknown is said, never shown as $0; $0 is shown only
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
