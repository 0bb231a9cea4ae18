import { useEffect, useRef, type FormEvent } from 'react';
import { composerStore, useComposer, useUi, uiStore } from '../../stores/index.ts';
import { ModelPicker } from './ModelPicker.tsx';
import { Field } from './Field.tsx';
import { CostEstimate } from '../cost/CostEstimate.tsx';
import { confirmBudget } from '../cost/budget-gate.ts';

export function Composer() {
  const fields = useComposer((s) => s.fields);
  const model = useComposer((s) => s.model);
  const modelRef = useComposer((s) => s.modelRef);
  const loading = useComposer((s) => s.loadingModel);
  const modelError = useComposer((s) => s.modelError);
  const modelErrorCode = useComposer((s) => s.modelErrorCode);
  const formError = useComposer((s) => s.errors._form);
  const count = useComposer((s) => s.count);
  const submitting = useComposer((s) => s.submitting);
  const online = useUi((s) => s.online);
  const formRef = useRef<HTMLFormElement>(null);

  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    if (!(await confirmBudget())) return; // a budget it would cross was not confirmed: send nothing
    const ids = await composerStore.getState().submit();
    if (ids?.length) uiStore.getState().toast(ids.length > 1 ? `Started ${ids.length} predictions` : 'Started', { timeout: 1800 });
    else if (ids === null) {
      // Take the user to the first field that needs attention.
      requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
    }
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !document.querySelector('.dialog')) {
        e.preventDefault();
        void submit();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div className="composer">
      <ModelPicker />
      {modelError && (modelErrorCode === 'auth' ? (
        <div className="notice">
          <p>Add your Replicate API key to load this model’s inputs.</p>
          <button type="button" className="btn small" onClick={() => uiStore.getState().openPanel('settings')}>Set up key</button>
        </div>
      ) : (
        <p className="field-error" role="alert">Could not load {modelRef}: {modelError}</p>
      ))}
      <form ref={formRef} className="composer-form" onSubmit={submit} noValidate aria-busy={loading}>
        {model?.description && <p className="model-desc muted small">{model.description}</p>}
        <div className="fields">
          {fields.map((f) => <Field key={`${modelRef}:${f.name}`} field={f} />)}
          {!loading && model && !fields.length && <p className="muted">This model publishes no input schema; it will run with its defaults.</p>}
        </div>
        {formError && <p className="field-error" role="alert">{formError}</p>}
        <div className="composer-footer">
          <label className="count-picker" title="How many predictions to start">
            <span className="visually-hidden">Number of predictions</span>
            <span aria-hidden="true">×</span>
            <select value={count} onChange={(e) => composerStore.getState().setCount(Number(e.target.value))}>
              {[1, 2, 3, 4, 6, 8].map((n) => <option key={n} value={n}>{n}</option>)}
            </select>
          </label>
          <button type="submit" className="btn primary generate" disabled={!modelRef || loading || submitting}>
            Generate
          </button>
          <CostEstimate />
          <span className="muted small kbd-hint" aria-hidden="true">Ctrl+Enter</span>
        </div>
        {!online && <p className="muted small">Offline: new predictions are queued and sent when the connection returns.</p>}
      </form>
    </div>
  );
}
