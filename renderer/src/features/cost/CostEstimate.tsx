import { useId, useMemo, useState } from 'react';
import { estimateRun } from '../../../../shared/domain/cost.ts';
import { useComposer } from '../../stores/index.ts';
import { usePrice } from './use-price.ts';
import { estimateText } from './format.ts';
import { BudgetPrompt } from './BudgetPrompt.tsx';
import './cost.css';

// The estimate next to Generate (ARCHITECTURE.md, "Money", §8: ≤ 50 ms after a form change). The model's price
// is asked once when it is chosen; after that every keystroke recomputes here, synchronously, with
// the same arithmetic the backend uses — no IPC, no network on that path.
// The figure is a button so the basis is reachable by keyboard and by touch: its basis is the
// button's accessible description and a tooltip that shows on hover and focus, and a press pins it
// open (aria-expanded) until pressed again or Escape.

export function CostEstimate() {
  const modelRef = useComposer((s) => s.modelRef);
  const values = useComposer((s) => s.values);
  const count = useComposer((s) => s.count);
  const schema = useComposer((s) => s.model?.inputSchema ?? null);
  const price = usePrice(modelRef);
  const tipId = useId();
  const [pinned, setPinned] = useState(false);

  const fig = useMemo(
    () => (modelRef && price !== undefined && price !== 'loading' ? estimateRun(price, { model: modelRef, input: values, schema, count }) : null),
    [modelRef, price, values, schema, count],
  );

  return (
    <>
      {modelRef && (
        <span className={`cost-wrap${pinned && fig ? ' pinned' : ''}`}>
          <button
            type="button"
            className={`cost-estimate${fig?.usd === null ? ' unknown' : ''}`}
            data-testid="cost-estimate"
            aria-describedby={fig ? tipId : undefined}
            aria-expanded={fig ? pinned : undefined}
            onClick={() => {
              if (fig) setPinned((v) => !v);
            }}
            onKeyDown={(e) => {
              if (e.key === 'Escape' && pinned) {
                e.stopPropagation();
                setPinned(false);
              }
            }}
            onBlur={() => setPinned(false)}
          >
            <span className="visually-hidden">Estimated cost: </span>
            {fig ? estimateText(fig) : 'Pricing…'}
          </button>
          {fig && (
            <span id={tipId} role="tooltip" className="cost-tip">
              {fig.basis}
            </span>
          )}
        </span>
      )}
      {/* The shared Dialog portals to <body>: the prompt shows even when the composer is collapsed (Ctrl+Enter). */}
      <BudgetPrompt />
    </>
  );
}
