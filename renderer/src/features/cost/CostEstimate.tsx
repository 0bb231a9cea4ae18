import { useEffect, useId, useMemo } from 'react';
import { createPortal } from 'react-dom';
import { estimateRun } from '../../../../shared/domain/cost.ts';
import { useComposer } from '../../stores/index.ts';
import { costStore, useCost } from '../../stores/cost.ts';
import { estimateText } from './format.ts';
import { BudgetPrompt } from './BudgetPrompt.tsx';
import './cost.css';

// The estimate next to Generate (DESIGN §9, §8: ≤ 50 ms after a form change). The model's price
// is asked once when it is chosen; after that every keystroke recomputes here, synchronously, with
// the same arithmetic the backend uses — no IPC, no network on that path. The basis is the
// element's accessible description and shows on hover and focus.

export function CostEstimate() {
  const modelRef = useComposer((s) => s.modelRef);
  const values = useComposer((s) => s.values);
  const count = useComposer((s) => s.count);
  const schema = useComposer((s) => s.model?.inputSchema ?? null);
  const price = useCost((s) => (modelRef ? s.prices[modelRef] : undefined));
  const tipId = useId();

  useEffect(() => { if (modelRef) costStore.getState().ensurePrice(modelRef); }, [modelRef]);

  const fig = useMemo(
    () => (modelRef && price !== undefined && price !== 'loading' ? estimateRun(price, { model: modelRef, input: values, schema, count }) : null),
    [modelRef, price, values, schema, count],
  );

  return (
    <>
      {modelRef && (
        <span className="cost-wrap">
          <span className={`cost-estimate${fig?.usd === null ? ' unknown' : ''}`} tabIndex={0} aria-describedby={fig ? tipId : undefined} data-testid="cost-estimate">
            <span className="visually-hidden">Estimated cost: </span>
            {fig ? estimateText(fig) : 'Pricing…'}
          </span>
          {fig && <span id={tipId} role="tooltip" className="cost-tip">{fig.basis}</span>}
        </span>
      )}
      {/* On <body>: the prompt must show even when the composer is collapsed (Ctrl+Enter). */}
      {createPortal(<BudgetPrompt />, document.body)}
    </>
  );
}
