import { useState, type FormEvent } from 'react';
import { formatUsd } from '../../../../shared/domain/cost.ts';
import { settingsStore, useSettings } from '../../stores/index.ts';
import { parseBudget } from './format.ts';
import './cost.css';

// Daily and monthly budgets (ARCHITECTURE.md, "Money"): a run that would cross one asks first (the CLI refuses).
// Empty means no budget. A refused value is kept in the field with the reason beside it.

export function BudgetSettings() {
  return (
    <section className="settings-section" aria-labelledby="budget-h">
      <h3 id="budget-h">Budget</h3>
      <BudgetField id="budget-daily" label="Daily budget (USD)" field="budgetDailyUsd" />
      <BudgetField id="budget-monthly" label="Monthly budget (USD)" field="budgetMonthlyUsd" />
      <p className="help">
        A run or batch that would take the day’s or the month’s spend over its budget asks before it starts. Spend counts estimates where the provider does not
        say what it charged.
      </p>
    </section>
  );
}

function BudgetField({ id, label, field }: { id: string; label: string; field: 'budgetDailyUsd' | 'budgetMonthlyUsd' }) {
  const saved = useSettings((s) => s.settings[field]);
  const [draft, setDraft] = useState(saved === null ? '' : String(saved));
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  // When the saved value changes (this field saved, or another window did), the field shows it.
  // Adjusted during render, not in an effect, so there is no frame with the old text.
  const [shown, setShown] = useState(saved);
  if (shown !== saved) {
    setShown(saved);
    setDraft(saved === null ? '' : String(saved));
  }

  const save = (e?: FormEvent) => {
    e?.preventDefault();
    const r = parseBudget(draft);
    if (!r.ok) {
      setError(r.reason);
      setDone(false);
      return;
    }
    setError(null);
    if (r.usd === saved) return;
    void settingsStore
      .getState()
      .update({ [field]: r.usd })
      .then(() => setDone(true));
  };

  return (
    <form className="budget-row" onSubmit={save} noValidate>
      <div className="setting-row">
        <label htmlFor={id}>{label}</label>
        <span className="budget-input">
          <input
            id={id}
            type="text"
            inputMode="decimal"
            placeholder="No budget"
            value={draft}
            aria-invalid={!!error}
            aria-describedby={error ? `${id}-err` : undefined}
            onChange={(e) => {
              setDraft(e.target.value);
              setDone(false);
            }}
            onBlur={() => save()}
          />
          <button type="submit" className="btn small">
            Save
          </button>
        </span>
      </div>
      {error && (
        <p id={`${id}-err`} className="field-error" role="alert">
          {error}
        </p>
      )}
      {done && !error && (
        <p className="help" role="status">
          {saved === null ? 'No budget.' : `Saved: ${formatUsd(saved)}.`}
        </p>
      )}
    </form>
  );
}
