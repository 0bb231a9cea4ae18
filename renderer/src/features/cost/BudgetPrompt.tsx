import { useId } from 'react';
import { formatUsd } from '../../../../shared/domain/cost.ts';
import { useCost } from '../../stores/cost.ts';
import { Modal } from './Modal.tsx';

// "This would cross your daily budget": names the budget, what is spent so far and the estimate.
// Cancel is first and focused, so Enter does not spend by accident; Escape cancels.

export function BudgetPrompt() {
  const ask = useCost((s) => s.ask);
  const descId = useId();
  if (!ask) return null;
  const which = ask.budget === 'daily' ? 'daily' : 'monthly';
  const period = ask.budget === 'daily' ? 'today' : 'this month';
  const runs = ask.count > 1 ? `These ${ask.count} runs` : 'This run';
  return (
    <Modal title={`Over your ${which} budget`} role="alertdialog" describedBy={descId} onClose={() => ask.answer(false)} className="budget-prompt">
      <div id={descId}>
        <p>
          {runs} would take you over your {which} budget of <strong>{formatUsd(ask.limitUsd)}</strong>.
        </p>
        <p>
          Spent {period}: <strong>{formatUsd(ask.spentUsd)}</strong>. {runs}: about <strong>{ask.estimate.usd === null ? 'an unknown amount' : formatUsd(ask.estimate.usd)}</strong> ({ask.estimate.basis}).
        </p>
      </div>
      <div className="money-actions">
        <button type="button" className="btn" data-autofocus onClick={() => ask.answer(false)}>Cancel</button>
        <button type="button" className="btn primary" onClick={() => ask.answer(true)}>Run anyway</button>
      </div>
    </Modal>
  );
}
