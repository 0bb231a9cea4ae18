import { useId, useRef } from 'react';
import { formatUsd } from '../../../../shared/domain/cost.ts';
import { useCost } from '../../stores/cost.ts';
import { Dialog } from '../../ui/Dialog.tsx';

// "This would cross your daily budget": names the budget, what is spent so far and the estimate.
// The shared Dialog (focus trapped, page behind inert, Escape closes only the topmost dialog, and
// its data-kiln-modal mark keeps Ctrl+Enter from running behind it). Cancel is first and focused,
// so Enter does not spend by accident; Escape and the Close button cancel too.

export function BudgetPrompt() {
  const ask = useCost((s) => s.ask);
  const descId = useId();
  const cancelRef = useRef<HTMLButtonElement>(null);
  if (!ask) return null;
  const which = ask.budget === 'daily' ? 'daily' : 'monthly';
  const period = ask.budget === 'daily' ? 'today' : 'this month';
  const runs = ask.count > 1 ? `These ${ask.count} runs` : 'This run';
  return (
    <Dialog
      title={`Over your ${which} budget`}
      role="alertdialog"
      describedBy={descId}
      initialFocus={() => cancelRef.current}
      onClose={() => ask.answer(false)}
      className="budget-prompt"
    >
      <div id={descId}>
        <p>
          {runs} would take you over your {which} budget of <strong>{formatUsd(ask.limitUsd)}</strong>.
        </p>
        <p>
          Spent {period}: <strong>{formatUsd(ask.spentUsd)}</strong>. {runs}: about{' '}
          <strong>{ask.estimate.usd === null ? 'an unknown amount' : formatUsd(ask.estimate.usd)}</strong> ({ask.estimate.basis}).
        </p>
      </div>
      <div className="money-actions">
        <button ref={cancelRef} type="button" className="btn" onClick={() => ask.answer(false)}>
          Cancel
        </button>
        <button type="button" className="btn primary" onClick={() => ask.answer(true)}>
          Run anyway
        </button>
      </div>
    </Dialog>
  );
}
