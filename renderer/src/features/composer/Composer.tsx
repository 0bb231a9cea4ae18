import { useEffect, useId, useRef, type FormEvent } from 'react';
import { composerStore, useComposer, useSettings, useUi, uiStore } from '../../stores/index.ts';
import { blockedReason, isAdvancedField, providerOfRef } from '../../stores/composer.ts';
import { keyFor } from '../../stores/settings.ts';
import { PROVIDER_LABELS } from '../../../../shared/domain/provider.ts';
import { useViewPrefs, viewPrefsStore } from '../../stores/view-prefs.ts';
import '../reproduce/reproduce.css';
import { isModalOpen } from '../../ui/Dialog.tsx';
import { ModelPicker } from './ModelPicker.tsx';
import { Field } from './Field.tsx';
import { CostEstimate } from '../cost/CostEstimate.tsx';
import { confirmBudget } from '../cost/budget-gate.ts';
import { BatchButton } from '../batch/BatchDialog.tsx';

/** How often a model whose inputs could not be reached is asked for again (the network may be back). */
const SCHEMA_RETRY_MS = 8_000;

async function submit(formRef: React.RefObject<HTMLFormElement | null>) {
  if (!(await confirmBudget())) return; // a budget it would cross was not confirmed: send nothing
  const ids = await composerStore.getState().submit();
  if (ids?.length) uiStore.getState().toast(ids.length > 1 ? `Started ${ids.length} predictions` : 'Started', { timeout: 1800 });
  else if (ids === null) {
    // Take the user to the first field that needs attention.
    requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
  }
}

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
  const keySet = useSettings((s) => keyFor(s, providerOfRef(modelRef)).secret?.set ?? false);
  const keyRejected = useSettings((s) => keyFor(s, providerOfRef(modelRef)).secret?.state === 'rejected');
  const reason = useComposer((s) => blockedReason(s, keySet, keyRejected));
  const online = useUi((s) => s.online);
  const formRef = useRef<HTMLFormElement>(null);
  const reasonId = useId();
  const stale = !!model?.offline;
  const open = useUi((s) => s.composerOpen);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // Only the composer a person can see generates: never from behind a dialog (the detail
      // view, Settings) where it is hidden.
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !isModalOpen()) {
        e.preventDefault();
        void submit(formRef);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // A schema that could not be reached (or came from the local copy) is asked for again by
  // itself, at once when the backend says the network is back and every few seconds meanwhile.
  const needsReload = !!modelRef && keySet && (stale || (!model && modelErrorCode === 'network'));
  useEffect(() => {
    if (!needsReload) return;
    if (online) void composerStore.getState().refreshModel();
    const h = setInterval(() => void composerStore.getState().refreshModel(), SCHEMA_RETRY_MS);
    return () => clearInterval(h);
  }, [needsReload, online]);

  if (!open) {
    return (
      <div className="composer-rail">
        <button
          type="button"
          className="btn icon"
          aria-label="Show composer"
          aria-expanded={false}
          title="Show the composer"
          onClick={() => uiStore.getState().setComposerOpen(true)}
        >
          »
        </button>
        <span className="rail-label" aria-hidden="true">
          Composer
        </span>
      </div>
    );
  }
  return (
    <div className="composer">
      <div className="composer-head">
        <ModelPicker />
        <button
          type="button"
          className="btn icon ghost"
          aria-label="Hide composer"
          aria-expanded
          title="Fold the composer away: the gallery takes the window"
          onClick={() => uiStore.getState().setComposerOpen(false)}
        >
          «
        </button>
      </div>
      {modelError &&
        !model &&
        (modelErrorCode === 'auth' || !keySet ? (
          <div className="notice">
            <p>Add your {PROVIDER_LABELS[providerOfRef(modelRef)]} API key to load this model’s inputs.</p>
            <button type="button" className="btn small" onClick={() => uiStore.getState().openPanel('settings')}>
              Set up key
            </button>
          </div>
        ) : modelErrorCode === 'network' ? (
          <p className="notice muted small">
            Offline — {modelRef}’s inputs were never loaded on this computer. They load by themselves when {PROVIDER_LABELS[providerOfRef(modelRef)]} is
            reachable again.
          </p>
        ) : (
          <p className="field-error" role="alert">
            Could not load {modelRef}: {modelError}
          </p>
        ))}
      {stale && (
        <p className="muted small">
          Offline — using this model’s inputs as last loaded{model?.fetchedAt ? ` (${new Date(model.fetchedAt).toLocaleDateString()})` : ''}.
        </p>
      )}
      <form
        ref={formRef}
        className="composer-form"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          void submit(formRef);
        }}
        noValidate
        aria-busy={loading}
      >
        {model?.description && <p className="model-desc muted small">{model.description}</p>}
        {model && fields.length > 0 && <ComposerTools />}
        <div className="fields">
          {fields
            .filter((f) => !isAdvancedField(f))
            .map((f) => (
              <Field key={`${modelRef}:${f.name}`} field={f} />
            ))}
          {!loading && model && !fields.length && <p className="muted">This model publishes no input schema; it will run with its defaults.</p>}
          {modelRef && <Advanced modelRef={modelRef} />}
        </div>
        {formError && (
          <p className="field-error" role="alert">
            {formError}
          </p>
        )}
        <div className="composer-footer">
          <label className="count-picker" title="How many predictions to start">
            <span className="visually-hidden">Number of predictions</span>
            <span aria-hidden="true">×</span>
            <select value={count} onChange={(e) => composerStore.getState().setCount(Number(e.target.value))}>
              {[1, 2, 3, 4, 6, 8].map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" className="btn primary generate" disabled={!!reason || submitting} aria-describedby={reason ? reasonId : undefined}>
            Generate
          </button>
          <CostEstimate />
          <BatchButton />
          <span className="muted small kbd-hint" aria-hidden="true">
            Ctrl+Enter
          </span>
        </div>
        {reason && (
          <p id={reasonId} className="muted small generate-reason">
            {reason}
          </p>
        )}
        {!online && !reason && <p className="muted small">Offline: new predictions are queued and sent when the connection returns.</p>}
      </form>
    </div>
  );
}

/** "Same seed" after a remix, and "Reset to defaults": above the form, where iterating starts. */
function ComposerTools() {
  const remixSeed = useComposer((s) => s.remixSeed);
  const same = useComposer((s) => s.remixSeed !== null && s.values.seed === s.remixSeed);
  return (
    <div className="composer-tools">
      {remixSeed !== null && (
        <label className="check seed-row" title="Run with the seed of the run you remixed, so only your changes differ">
          <input type="checkbox" checked={same} onChange={(e) => composerStore.getState().setSameSeed(e.target.checked)} />
          <span>
            Same seed (<span className="seed-value">{remixSeed}</span>)
          </span>
        </label>
      )}
      <button
        type="button"
        className="btn small ghost"
        onClick={() => composerStore.getState().resetToDefaults()}
        title="Every setting back to the model’s default; your prompt and files stay"
      >
        Reset to defaults
      </button>
    </div>
  );
}

/**
 * The optional settings (not prompts or files) fold away under "Advanced", open or closed per
 * model as last left. A field there that needs fixing opens it, so an error is never hidden.
 */
function Advanced({ modelRef }: { modelRef: string }) {
  const fields = useComposer((s) => s.fields);
  const hasError = useComposer((s) => s.fields.some((f) => isAdvancedField(f) && s.errors[f.name]));
  const remembered = useViewPrefs((s) => s.advancedOpen[modelRef] === true);
  const regionId = useId();
  const adv = fields.filter(isAdvancedField);
  if (!adv.length) return null;
  const open = remembered || hasError;
  return (
    <div className="advanced">
      <button
        type="button"
        className="advanced-toggle"
        aria-expanded={open}
        aria-controls={regionId}
        onClick={() => viewPrefsStore.getState().setAdvancedOpen(modelRef, !open)}
      >
        <span className="chev" aria-hidden="true">
          ›
        </span>{' '}
        Advanced <span className="advanced-count">({adv.length})</span>
      </button>
      <div id={regionId} className="advanced-fields fields" hidden={!open}>
        {/* Kept in the page while folded: their values still go out, and an error can open them. */}
        {adv.map((f) => (
          <Field key={`${modelRef}:${f.name}`} field={f} />
        ))}
      </div>
    </div>
  );
}
