import { useEffect, useId, useMemo, useState, type ChangeEvent } from 'react';
import { validateForm } from '../../../../shared/schema-form.ts';
import { LIMITS, formatBytes } from '../../../../shared/limits.ts';
import { parseCsvTable, parsePromptLines, type BatchTable } from '../../../../shared/batch/table.ts';
import { parseAxisValues, planBatch, type BatchSpec, type SeedSweep } from '../../../../shared/batch/plan.ts';
import { useComposer, uiStore } from '../../stores/index.ts';
import { costStore } from '../../stores/cost.ts';
import { windowApi, errorMessage } from '../../api.ts';
import { Dialog } from '../../ui/Dialog.tsx';
import { fanoutStore } from '../stacks/store.ts';
import { confirmGroupBudget, totalText, useGroupEstimate } from '../stacks/fanout-money.ts';
import './batch.css';

// Batch (issue 14): many runs of the composer's model from one dialog — prompts pasted one per
// line or opened from a .txt/.csv file (CSV columns named after the model's inputs), `{a|b}`
// alternatives, a seed sweep and an X/Y grid over two inputs. The count and the whole fan-out's
// estimate show before Start; the runs are one group, shown as one stack in the gallery.

type Source = { kind: 'lines'; prompts: string[]; name: string | null } | { kind: 'csv'; table: BatchTable; name: string };

const randomSeed = () => Math.floor(Math.random() * 1_000_000);

export function BatchDialog() {
  const modelRef = useComposer((s) => s.modelRef);
  const version = useComposer((s) => s.version);
  const model = useComposer((s) => s.model);
  const fields = useComposer((s) => s.fields);
  const values = useComposer((s) => s.values);
  const ids = { text: useId(), file: useId(), err: useId() };
  const [text, setText] = useState('');
  const [file, setFile] = useState<Source | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [seedMode, setSeedMode] = useState<SeedSweep['mode']>('none');
  const [seedCount, setSeedCount] = useState('4');
  const [seedFrom, setSeedFrom] = useState('1');
  const [seedTo, setSeedTo] = useState('4');
  const [seedStart] = useState(() => (typeof values.seed === 'number' ? values.seed : randomSeed()));
  const [axes, setAxes] = useState({ x: '', xValues: '', y: '', yValues: '' });
  const [starting, setStarting] = useState(false);

  useEffect(() => {
    if (modelRef) costStore.getState().ensurePrice(modelRef);
  }, [modelRef]);

  const promptField = fields.find((f) => f.name === 'prompt') ?? fields.find((f) => f.kind === 'prompt') ?? null;
  const seedField = fields.find((f) => /^seed$/i.test(f.name) && (f.kind === 'integer' || f.kind === 'number')) ?? null;
  const axisFields = fields.filter((f) => f !== promptField && f !== seedField && ['integer', 'number', 'enum', 'boolean', 'string', 'size'].includes(f.kind));

  // The whole plan, recomputed as the person types: the count, each member's input, or why not.
  const plan = useMemo(() => {
    try {
      const source: Source = file ?? { kind: 'lines', prompts: text.trim() ? parsePromptLines(text, 'The pasted list') : [], name: null };
      const rows = source.kind === 'csv' ? source.table.rows : source.prompts.map((p) => (promptField ? { [promptField.name]: p } : {}));
      const kindOf = (name: string) => fields.find((f) => f.name === name)?.kind ?? 'string';
      const axis = (field: string, vals: string) => (field && vals.trim() ? { field, values: parseAxisValues(vals, kindOf(field)) } : null);
      const seeds: SeedSweep =
        seedMode === 'count'
          ? { mode: 'count', count: Number(seedCount), start: seedStart }
          : seedMode === 'range'
            ? { mode: 'range', from: Number(seedFrom), to: Number(seedTo) }
            : { mode: 'none' };
      const spec: BatchSpec = {
        base: values,
        rows,
        promptField: promptField?.name ?? null,
        seedField: seedField?.name ?? null,
        seeds,
        x: axis(axes.x, axes.xValues),
        y: axis(axes.y, axes.yValues),
      };
      if (rows.length === 0 && seeds.mode === 'none' && !spec.x && !spec.y) return { error: null, members: [], empty: true };
      const members = planBatch(spec).map((m) => {
        const v = validateForm(fields, m.input);
        if (!v.ok)
          throw new Error(
            `${m.label || String(m.input[promptField?.name ?? ''] ?? 'A run')}: ${Object.entries(v.errors)
              .map(([k, e]) => `${k} — ${e}`)
              .join('; ')}`,
          );
        return v.input;
      });
      return { error: null, members, empty: false };
    } catch (e) {
      return { error: errorMessage(e), members: [] as Record<string, unknown>[], empty: false };
    }
  }, [file, text, seedMode, seedCount, seedFrom, seedTo, seedStart, axes, fields, values, promptField, seedField]);

  const refs = useMemo(
    () => plan.members.map((input) => ({ model: modelRef ?? '', input, schema: model?.inputSchema ?? null })),
    [plan.members, modelRef, model],
  );
  const total = useGroupEstimate(refs);

  const close = () => fanoutStore.getState().setBatchOpen(false);

  const openFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const f = e.target.files?.[0];
    e.target.value = '';
    if (!f) return;
    setFileError(null);
    // Refused before it is read: a batch list is text, never hundreds of megabytes.
    if (f.size > LIMITS.batchFileBytes) {
      setFileError(
        `${f.name} (${formatBytes(f.size)}) is larger than ${formatBytes(LIMITS.batchFileBytes)}, the most a batch list may be (batchFileBytes). Split it into several files.`,
      );
      return;
    }
    try {
      const body = await f.text();
      if (/\.csv$/i.test(f.name) || f.type === 'text/csv') setFile({ kind: 'csv', table: parseCsvTable(body, fields, f.name), name: f.name });
      else setFile({ kind: 'lines', prompts: parsePromptLines(body, f.name), name: f.name });
    } catch (err) {
      setFile(null);
      setFileError(errorMessage(err));
    }
  };

  const start = async () => {
    if (!modelRef || !plan.members.length || starting) return;
    if (!(await confirmGroupBudget(refs))) return;
    setStarting(true);
    try {
      const res = await windowApi().invoke('predictions:createGroup', {
        kind: 'batch',
        members: plan.members.map((input) => ({ model: modelRef, version: version ?? (model?.official ? null : (model?.latestVersionId ?? null)), input })),
      });
      fanoutStore.getState().setBatchOpen(false);
      const refused = Object.values(res.refused);
      uiStore.getState().toast(refused.length ? `Started a batch of ${res.ids.length} runs; ${refused[0]}` : `Started a batch of ${res.ids.length} runs`, {
        tone: refused.length ? 'error' : 'info',
        timeout: 2500,
      });
    } catch (e) {
      uiStore.getState().toast(`Could not start the batch: ${errorMessage(e)}`, { tone: 'error' });
    } finally {
      setStarting(false);
    }
  };

  const count = plan.members.length;
  return (
    <Dialog title={`Batch — ${modelRef ?? 'no model'}`} onClose={close} className="batch-dialog">
      <section className="batch-section">
        <label htmlFor={ids.text} className="batch-label">
          Prompts, one per line <span className="muted small">— {'{a|b}'} makes one run per alternative</span>
        </label>
        {file ? (
          <div className="batch-file" data-testid="batch-file">
            <span>
              <strong>{file.name}</strong>{' '}
              {file.kind === 'csv'
                ? `— ${file.table.rows.length} rows; columns ${file.table.columns.join(', ')}${file.table.ignored.length ? `; not inputs of this model, ignored: ${file.table.ignored.join(', ')}` : ''}`
                : `— ${file.prompts.length} prompts`}
            </span>
            <button type="button" className="btn small" onClick={() => setFile(null)}>
              Remove file
            </button>
          </div>
        ) : (
          <textarea
            id={ids.text}
            rows={6}
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder={'a red fox in the snow\na {lighthouse|windmill} at dusk'}
          />
        )}
        <div className="batch-row">
          <label className="btn small batch-open" htmlFor={ids.file}>
            Open .txt or .csv…
          </label>
          <input
            id={ids.file}
            className="visually-hidden"
            type="file"
            accept=".txt,.csv,text/plain,text/csv"
            onChange={(e) => void openFile(e)}
            aria-label="Open a prompt list (.txt or .csv)"
          />
          <span className="muted small">
            CSV: a header row naming inputs (
            {fields
              .slice(0, 4)
              .map((f) => f.name)
              .join(', ')}
            …). Up to {formatBytes(LIMITS.batchFileBytes)}, {LIMITS.groupMembers} runs.
          </span>
        </div>
        {fileError && (
          <p className="field-error" role="alert">
            {fileError}
          </p>
        )}
      </section>

      {seedField && (
        <fieldset className="batch-section">
          <legend className="batch-label">Seeds</legend>
          <div className="batch-row">
            <label>
              <input type="radio" name="seed-mode" checked={seedMode === 'none'} onChange={() => setSeedMode('none')} /> As in the composer
            </label>
            <label>
              <input type="radio" name="seed-mode" checked={seedMode === 'count'} onChange={() => setSeedMode('count')} /> N seeds
            </label>
            <label>
              <input type="radio" name="seed-mode" checked={seedMode === 'range'} onChange={() => setSeedMode('range')} /> A range
            </label>
          </div>
          {seedMode === 'count' && (
            <label className="batch-row">
              Number of seeds <input type="number" min={1} max={LIMITS.groupMembers} value={seedCount} onChange={(e) => setSeedCount(e.target.value)} />{' '}
              <span className="muted small">from {seedStart}</span>
            </label>
          )}
          {seedMode === 'range' && (
            <div className="batch-row">
              <label>
                From <input type="number" min={0} value={seedFrom} onChange={(e) => setSeedFrom(e.target.value)} />
              </label>
              <label>
                to <input type="number" min={0} value={seedTo} onChange={(e) => setSeedTo(e.target.value)} />
              </label>
            </div>
          )}
        </fieldset>
      )}

      <fieldset className="batch-section">
        <legend className="batch-label">
          X/Y grid <span className="muted small">— one run per combination</span>
        </legend>
        {(['x', 'y'] as const).map((axis) => {
          const field = fields.find((f) => f.name === axes[axis]);
          return (
            <div className="batch-row" key={axis}>
              <label>
                {axis.toUpperCase()}{' '}
                <select value={axes[axis]} onChange={(e) => setAxes({ ...axes, [axis]: e.target.value })}>
                  <option value="">None</option>
                  {axisFields.map((f) => (
                    <option key={f.name} value={f.name}>
                      {f.label}
                    </option>
                  ))}
                </select>
              </label>
              {axes[axis] && (
                <label className="batch-grow">
                  Values{' '}
                  <input
                    type="text"
                    value={axes[`${axis}Values`]}
                    onChange={(e) => setAxes({ ...axes, [`${axis}Values`]: e.target.value })}
                    placeholder={field?.options ? field.options.slice(0, 3).join(', ') : '1, 2, 4'}
                  />
                </label>
              )}
            </div>
          );
        })}
      </fieldset>

      {plan.error && (
        <p className="field-error" role="alert" id={ids.err}>
          {plan.error}
        </p>
      )}
      <div className="batch-footer">
        <span className="batch-total" data-testid="batch-total" aria-live="polite">
          {count ? (
            <>
              <strong>
                {count} {count === 1 ? 'run' : 'runs'}
              </strong>{' '}
              · <span title={total?.basis}>{totalText(total)}</span>
            </>
          ) : plan.empty ? (
            'Paste prompts, open a file, or choose seeds or a grid.'
          ) : null}
        </span>
        <button type="button" className="btn" onClick={close}>
          Cancel
        </button>
        <button
          type="button"
          className="btn primary"
          disabled={!count || starting}
          onClick={() => void start()}
          aria-describedby={plan.error ? ids.err : undefined}
        >
          {count ? `Start ${count} ${count === 1 ? 'run' : 'runs'}` : 'Start'}
        </button>
      </div>
    </Dialog>
  );
}

/** The composer's "Batch…" button: the dialog runs the model chosen there. */
export function BatchButton() {
  const ready = useComposer((s) => !!s.model && !!s.modelRef);
  return (
    <button
      type="button"
      className="btn"
      disabled={!ready}
      onClick={() => fanoutStore.getState().setBatchOpen(true)}
      title="Run a list of prompts, seeds or a grid"
    >
      Batch…
    </button>
  );
}
