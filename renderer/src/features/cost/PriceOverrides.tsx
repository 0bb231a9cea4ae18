import { useState, type FormEvent } from 'react';
import { formatUsd } from '../../../../shared/domain/cost.ts';
import type { PriceOverride } from '../../../../shared/domain/settings.ts';
import { settingsStore, useSettings } from '../../stores/index.ts';
import { costStore } from '../../stores/cost.ts';
import { draftOf, EMPTY_DRAFT, overrideText, parseOverride, UNIT_LABELS, UNITS, type OverrideDraft, type OverrideErrors } from './overrides.ts';
import './cost.css';

// "Your prices" in Settings (ARCHITECTURE.md, "Money"): a price of your own for any model wins over Replicate's
// table and fal's pricing API — for a negotiated rate, a private deployment, or a model Kiln does
// not know. Listed, added, edited and removed here; the estimate beside Generate uses it at once
// (usePrice reads the override synchronously), and the backend prices runs that end with it.

const EMPTY_OVERRIDES: Record<string, PriceOverride> = {};

export function PriceOverrides() {
  const overrides = useSettings((s) => s.settings.priceOverrides ?? EMPTY_OVERRIDES);
  const [draft, setDraft] = useState<OverrideDraft>(EMPTY_DRAFT);
  const [editing, setEditing] = useState<string | null>(null);
  const [errors, setErrors] = useState<OverrideErrors>({});
  const [status, setStatus] = useState<string | null>(null);
  const keys = Object.keys(overrides).sort();

  // A field's refusal goes once that field is changed (the reason no longer describes it).
  const change = (p: Partial<OverrideDraft>) => {
    setDraft((d) => ({ ...d, ...p }));
    setErrors((e) => Object.fromEntries(Object.entries(e).filter(([k]) => !(k in p) && !(k === 'model' && 'provider' in p))));
    setStatus(null);
  };
  const reset = () => {
    setDraft(EMPTY_DRAFT);
    setEditing(null);
    setErrors({});
  };

  const save = async (next: Record<string, PriceOverride>, done: string) => {
    await settingsStore.getState().update({ priceOverrides: next });
    // Prices the renderer asked for earlier may have been this override (or what it replaced).
    costStore.getState().forgetPrices();
    // A refused save has put the old overrides back and said why (toast): no "saved" then.
    if (JSON.stringify(settingsStore.getState().settings.priceOverrides) === JSON.stringify(next)) setStatus(done);
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const r = parseOverride(draft, overrides, editing);
    if (!r.ok) {
      setErrors(r.errors);
      setStatus(null);
      return;
    }
    const next = { ...overrides };
    if (editing && editing !== r.key) delete next[editing];
    next[r.key] = r.value;
    const verb = editing ? 'Updated' : 'Added';
    reset();
    void save(next, `${verb}: ${r.key} at ${overrideText(r.value, formatUsd)}.`);
  };

  const remove = (key: string) => {
    const next = { ...overrides };
    delete next[key];
    if (editing === key) reset();
    void save(next, `Removed your price for ${key}; its listed price applies again.`);
  };

  const err = (f: keyof OverrideErrors) =>
    errors[f] && (
      <p id={`po-${f}-err`} className="field-error" role="alert">
        {errors[f]}
      </p>
    );
  const described = (f: keyof OverrideErrors) => (errors[f] ? { 'aria-invalid': true, 'aria-describedby': `po-${f}-err` } : {});

  return (
    <section className="settings-section price-overrides" aria-labelledby="prices-h">
      <h3 id="prices-h">Prices</h3>
      <p className="help">A price of your own for a model wins over Replicate’s price table and fal’s pricing API, in estimates and in what ended runs cost.</p>
      {keys.length === 0 ? (
        <p className="help" data-testid="no-overrides">
          No prices of your own yet.
        </p>
      ) : (
        <table className="overrides-table">
          <caption className="visually-hidden">Your prices</caption>
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col">Price</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k} aria-current={editing === k || undefined}>
                <th scope="row" className="override-model">
                  {k}
                </th>
                <td>{overrideText(overrides[k]!, formatUsd)}</td>
                <td className="override-actions">
                  <button
                    type="button"
                    className="btn small"
                    aria-label={`Edit the price for ${k}`}
                    onClick={() => {
                      setDraft(draftOf(k, overrides[k]!));
                      setEditing(k);
                      setErrors({});
                      setStatus(null);
                    }}
                  >
                    Edit
                  </button>
                  <button type="button" className="btn small" aria-label={`Remove the price for ${k}`} onClick={() => remove(k)}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <form className="override-form" onSubmit={submit} noValidate aria-labelledby="po-form-h">
        <h4 id="po-form-h">{editing ? `Edit the price for ${editing}` : 'Add a price'}</h4>
        <div className="override-grid">
          <label htmlFor="po-provider">Provider</label>
          <select id="po-provider" value={draft.provider} onChange={(e) => change({ provider: e.target.value === 'fal' ? 'fal' : 'replicate' })}>
            <option value="replicate">Replicate</option>
            <option value="fal">fal</option>
          </select>
          <label htmlFor="po-model">Model</label>
          <input
            id="po-model"
            type="text"
            spellCheck={false}
            autoComplete="off"
            value={draft.model}
            maxLength={200}
            placeholder={draft.provider === 'fal' ? 'fal-ai/flux/dev' : 'black-forest-labs/flux-schnell'}
            onChange={(e) => change({ model: e.target.value })}
            {...described('model')}
          />
          {err('model')}
          <label htmlFor="po-unit">Billed</label>
          <select id="po-unit" value={draft.unit} onChange={(e) => change({ unit: e.target.value as OverrideDraft['unit'] })}>
            {UNITS.map((u) => (
              <option key={u} value={u}>
                {UNIT_LABELS[u]}
              </option>
            ))}
          </select>
          <label htmlFor="po-usd">Price (USD)</label>
          <input
            id="po-usd"
            type="text"
            inputMode="decimal"
            autoComplete="off"
            value={draft.usd}
            placeholder="0.003"
            onChange={(e) => change({ usd: e.target.value })}
            {...described('usd')}
          />
          {err('usd')}
          {draft.unit === 'token' && (
            <>
              <label htmlFor="po-input-usd">Per input token (USD)</label>
              <input
                id="po-input-usd"
                type="text"
                inputMode="decimal"
                autoComplete="off"
                value={draft.inputUsd}
                placeholder="Not charged"
                onChange={(e) => change({ inputUsd: e.target.value })}
                {...described('inputUsd')}
              />
              {err('inputUsd')}
            </>
          )}
        </div>
        <div className="money-actions">
          {editing && (
            <button type="button" className="btn" onClick={reset}>
              Cancel edit
            </button>
          )}
          <button type="submit" className="btn primary">
            {editing ? 'Save price' : 'Add price'}
          </button>
        </div>
        {status && (
          <p className="help" role="status">
            {status}
          </p>
        )}
      </form>
    </section>
  );
}
