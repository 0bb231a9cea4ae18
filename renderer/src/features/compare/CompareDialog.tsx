import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import type { ModelDetail } from '../../../../shared/domain/model.ts';
import { mapCanonical, type CanonicalField, type CanonicalInput } from '../../../../shared/compare/canonical.ts';
import { buildFormFields, validateForm } from '../../../../shared/schema-form.ts';
import { LIMITS } from '../../../../shared/limits.ts';
import { useComposer, uiStore } from '../../stores/index.ts';
import { costStore } from '../../stores/cost.ts';
import { windowApi, errorMessage } from '../../api.ts';
import { Dialog } from '../../ui/Dialog.tsx';
import { fanoutStore, useFanout } from '../stacks/store.ts';
import { confirmGroupBudget, totalText, useGroupEstimate } from '../stacks/fanout-money.ts';
import { FileInput } from '../composer/FileInput.tsx';
import { ModelMenu } from '../composer/ModelPicker.tsx';
import './compare.css';

// Compare (issue 14, ARCHITECTURE.md, "Workflows"): several models, any provider, one canonical input. Each model's
// row shows where each canonical field goes in that model's own schema (shared/compare/canonical.ts)
// and marks the ones it has no equivalent for; one click makes one run per model, as one group.

const ASPECTS = ['1:1', '16:9', '9:16', '4:3', '3:4', '3:2', '2:3', '21:9'];
const LABELS: Record<CanonicalField, string> = {
  prompt: 'prompt',
  negativePrompt: 'negative prompt',
  seed: 'seed',
  aspectRatio: 'aspect ratio',
  image: 'image',
};
type Loaded = { state: 'loading' } | { state: 'ok'; detail: ModelDetail } | { state: 'error'; message: string };

export function CompareDialog() {
  const preset = useFanout((s) => s.compare?.preset ?? null);
  const composerModel = useComposer((s) => s.modelRef);
  const ids = { add: useId(), prompt: useId(), neg: useId(), seed: useId(), aspect: useId(), image: useId(), err: useId() };
  const [models, setModels] = useState<string[]>(() => preset?.models ?? (composerModel ? [composerModel] : []));
  const [loaded, setLoaded] = useState<Record<string, Loaded>>({});
  const [adding, setAdding] = useState('');
  const [picking, setPicking] = useState(false);
  const [c, setC] = useState<CanonicalInput>(() => preset?.canonical ?? { prompt: '', negativePrompt: '', seed: null, aspectRatio: '', image: '' });
  const [starting, setStarting] = useState(false);

  // Each model's schema (models:get) and price, asked once per model (no answer yet = loading).
  const asked = useRef(new Set<string>());
  useEffect(() => {
    for (const ref of models) {
      if (asked.current.has(ref)) continue;
      asked.current.add(ref);
      costStore.getState().ensurePrice(ref);
      windowApi()
        .invoke('models:get', { ref })
        .then(
          (detail) => setLoaded((l) => ({ ...l, [ref]: { state: 'ok', detail } })),
          (e) => setLoaded((l) => ({ ...l, [ref]: { state: 'error', message: errorMessage(e) } })),
        );
    }
  }, [models]);

  const rows = useMemo(
    () =>
      models.map((ref) => {
        const l: Loaded = loaded[ref] ?? { state: 'loading' };
        if (!l || l.state !== 'ok') return { ref, l, mapped: null, input: null, problem: l?.state === 'error' ? l.message : null };
        const mapped = mapCanonical(c, l.detail.inputSchema);
        const fields = buildFormFields(l.detail.inputSchema);
        // Only what was asked is sent (each model keeps its own defaults), validated as the composer
        // would: required inputs, bounds, enums. A JSON-kind field (fal's image_size) is given as text.
        const asForm = Object.fromEntries(
          Object.entries(mapped.input).map(([k, v]) => [k, fields.find((f) => f.name === k)?.kind === 'json' ? JSON.stringify(v) : v]),
        );
        const v = validateForm(fields, asForm);
        // Before a prompt is written, its field being empty is not a row's problem: the footer
        // says "Write a prompt." once for all of them.
        const shown = v.ok ? [] : Object.entries(v.errors).filter(([k]) => c.prompt.trim() || k !== mapped.fields.prompt?.to);
        return {
          ref,
          l,
          mapped,
          input: v.ok ? v.input : null,
          problem: shown.length ? shown.map(([k, e]) => `${k}: ${e}`).join('; ') : null,
        };
      }),
    [models, loaded, c],
  );

  const ready = rows.filter((r) => r.input);
  const refs = useMemo(() => ready.map((r) => ({ model: r.ref, input: r.input!, schema: r.l?.state === 'ok' ? r.l.detail.inputSchema : null })), [ready]);
  const total = useGroupEstimate(refs);
  const blocked =
    models.length < 2
      ? 'Add at least two models to compare.'
      : !c.prompt.trim()
        ? 'Write a prompt.'
        : rows.some((r) => !r.input)
          ? rows.some((r) => r.problem)
            ? 'A model cannot run with this input (see its row), or remove it.'
            : 'Loading the models’ inputs…'
          : null;

  // Models are kept, and run and shown, in the order they were added.
  const addRef = (raw: string) => {
    const ref = raw.trim();
    if (!ref || models.includes(ref)) return;
    if (models.length >= LIMITS.groupMembers) return;
    setModels((m) => (m.includes(ref) ? m : [...m, ref]));
  };
  const add = (e: FormEvent) => {
    e.preventDefault();
    addRef(adding);
    setAdding('');
  };

  const close = () => fanoutStore.getState().closeCompare();
  const run = async () => {
    if (blocked || starting) return;
    if (!(await confirmGroupBudget(refs))) return;
    setStarting(true);
    try {
      const members = ready.map((r) => {
        const d = (r.l as { detail: ModelDetail }).detail;
        return { model: r.ref, version: d.official ? null : d.latestVersionId, input: r.input! };
      });
      const res = await windowApi().invoke('predictions:createGroup', { kind: 'compare', members });
      close();
      fanoutStore.getState().openView(res.groupId);
      const refused = Object.keys(res.refused).length;
      uiStore
        .getState()
        .toast(refused ? `Compare started; ${refused} model refused the run (its card says why)` : `Compare started: ${members.length} models`, {
          tone: refused ? 'error' : 'info',
          timeout: 2500,
        });
    } catch (e) {
      uiStore.getState().toast(`Could not start the compare: ${errorMessage(e)}`, { tone: 'error' });
    } finally {
      setStarting(false);
    }
  };

  const set = (patch: Partial<CanonicalInput>) => setC({ ...c, ...patch });
  return (
    <Dialog title="Compare models" onClose={close} className="compare-dialog">
      <div className="compare-canonical">
        <label htmlFor={ids.prompt} className="batch-label">
          Prompt
        </label>
        <textarea id={ids.prompt} rows={3} value={c.prompt} onChange={(e) => set({ prompt: e.target.value })} placeholder="One prompt for every model" />
        <div className="compare-grid">
          <label htmlFor={ids.neg}>Negative prompt</label>
          <input id={ids.neg} type="text" value={c.negativePrompt ?? ''} onChange={(e) => set({ negativePrompt: e.target.value })} />
          <label htmlFor={ids.seed}>Seed</label>
          <input
            id={ids.seed}
            type="number"
            min={0}
            value={c.seed ?? ''}
            onChange={(e) => set({ seed: e.target.value === '' ? null : Math.floor(Number(e.target.value)) })}
          />
          <label htmlFor={ids.aspect}>Aspect ratio</label>
          <select id={ids.aspect} value={c.aspectRatio ?? ''} onChange={(e) => set({ aspectRatio: e.target.value })}>
            <option value="">Each model’s default</option>
            {ASPECTS.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </div>
        <div className="compare-image">
          <span className="batch-label">
            Image <span className="muted small">— for models with an image input</span>
          </span>
          <FileInput
            id={ids.image}
            label="Image"
            value={c.image || undefined}
            onChange={(v) => set({ image: typeof v === 'string' ? v : '' })}
            invalid={false}
            kind="image"
          />
        </div>
      </div>

      {/* The composer's own model list and search (pinned, recent, starter, results); a reference
          can still be typed for a model no list shows. */}
      <div className="model-picker compare-picker">
        <button type="button" className="btn small compare-pick" aria-haspopup="dialog" aria-expanded={picking} onClick={() => setPicking(!picking)}>
          Choose a model…
        </button>
        {picking && <ModelMenu trigger=".compare-pick" onPick={(m) => addRef(m.ref)} onClose={() => setPicking(false)} />}
      </div>
      <form className="compare-add" onSubmit={add}>
        <label htmlFor={ids.add} className="batch-label">
          Add a model
        </label>
        <input id={ids.add} type="text" value={adding} onChange={(e) => setAdding(e.target.value)} placeholder="owner/name (Replicate) or fal:owner/endpoint" />
        <button type="submit" className="btn small" disabled={!adding.trim()}>
          Add
        </button>
      </form>

      <ul className="compare-models" aria-label="Models to compare">
        {rows.map((r) => (
          <li key={r.ref} className="compare-model">
            <div className="compare-model-head">
              <strong>{r.ref}</strong>
              <button type="button" className="btn small ghost" aria-label={`Remove ${r.ref}`} onClick={() => setModels(models.filter((m) => m !== r.ref))}>
                Remove
              </button>
            </div>
            {r.l?.state === 'loading' && <span className="muted small">Loading its inputs…</span>}
            {r.mapped && (
              <ul className="compare-mapping">
                {(Object.entries(r.mapped.fields) as [CanonicalField, NonNullable<(typeof r.mapped.fields)[CanonicalField]>][]).map(([k, m]) => (
                  <li key={k} className={m.to ? 'mapped' : 'unmatched'} title={m.note}>
                    {m.to ? (
                      <>
                        {LABELS[k]} → <code>{m.to}</code>
                        {m.sent ? ` (${m.sent})` : ''}
                      </>
                    ) : (
                      <>✕ {LABELS[k]}: no equivalent, not sent</>
                    )}
                  </li>
                ))}
              </ul>
            )}
            {r.problem && (
              <p className="field-error small" role="alert">
                {r.l?.state === 'error' ? `Could not load ${r.ref}: ` : 'Cannot run: '}
                {r.problem}
              </p>
            )}
          </li>
        ))}
      </ul>

      {blocked && (
        <p className="muted small" id={ids.err}>
          {blocked}
        </p>
      )}
      <div className="batch-footer">
        <span className="batch-total" data-testid="compare-total" aria-live="polite">
          {ready.length ? (
            <>
              <strong>{ready.length} runs</strong> · <span title={total?.basis}>{totalText(total)}</span>
            </>
          ) : null}
        </span>
        <button type="button" className="btn" onClick={close}>
          Cancel
        </button>
        <button
          type="button"
          className="btn primary"
          disabled={!!blocked || starting}
          onClick={() => void run()}
          aria-describedby={blocked ? ids.err : undefined}
        >
          Run compare
        </button>
      </div>
    </Dialog>
  );
}
