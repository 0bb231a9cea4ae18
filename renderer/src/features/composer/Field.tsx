import { useId } from 'react';
import type { FormField } from '../../../../shared/schema-form.ts';
import { composerStore, useComposer } from '../../stores/index.ts';
import { FileInput } from './FileInput.tsx';
import { expectedKind } from './file-kind.ts';
import { RadioGroup } from '../../ui/RadioGroup.tsx';
import { SizeInput } from './SizeInput.tsx';

export function Field({ field: f }: { field: FormField }) {
  const value = useComposer((s) => s.values[f.name]);
  const error = useComposer((s) => s.errors[f.name]);
  const id = useId();
  const set = (v: unknown) => composerStore.getState().setValue(f.name, v);
  const chained = (v: unknown, ref: string, runId: string) => composerStore.getState().setChainedFile(f.name, v, ref, runId);
  const describedBy = [f.description ? `${id}-help` : '', error ? `${id}-err` : ''].filter(Boolean).join(' ') || undefined;
  const common = { id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy, 'aria-required': f.required || undefined } as const;

  let control: React.ReactNode;
  switch (f.kind) {
    case 'prompt':
      control = (
        <textarea
          {...common}
          rows={f.name === 'prompt' ? 4 : 2}
          value={str(value)}
          onChange={(e) => set(e.target.value)}
          placeholder={f.name === 'prompt' ? 'Describe what you want…' : undefined}
        />
      );
      break;
    case 'string':
      control = f.multiline ? (
        <textarea {...common} rows={3} value={str(value)} onChange={(e) => set(e.target.value)} />
      ) : (
        <input {...common} type="text" value={str(value)} onChange={(e) => set(e.target.value)} />
      );
      break;
    case 'number':
    case 'integer': {
      const step =
        f.kind === 'integer'
          ? 1
          : f.min != null && f.max != null && f.max - f.min <= 2
            ? 0.01
            : f.min != null && f.max != null && f.max - f.min <= 20
              ? 0.1
              : 'any';
      const bounded = f.min != null && f.max != null && f.max - f.min <= 10_000;
      control = (
        <div className="num-row">
          {bounded && (
            <input
              type="range"
              aria-hidden="true"
              tabIndex={-1}
              min={f.min!}
              max={f.max!}
              step={step}
              value={value === undefined || value === '' ? (f.min! + f.max!) / 2 : Number(value)}
              onChange={(e) => set(Number(e.target.value))}
            />
          )}
          <input
            {...common}
            type="number"
            inputMode={f.kind === 'integer' ? 'numeric' : 'decimal'}
            min={f.min ?? undefined}
            max={f.max ?? undefined}
            step={step}
            value={value === undefined || value === null ? '' : String(value)}
            onChange={(e) => set(e.target.value === '' ? undefined : Number.isNaN(e.target.valueAsNumber) ? e.target.value : e.target.valueAsNumber)}
          />
        </div>
      );
      break;
    }
    case 'boolean':
      control = <input {...common} type="checkbox" checked={value === true} onChange={(e) => set(e.target.checked)} />;
      break;
    case 'enum': {
      const opts = f.options!;
      const short = opts.length <= 4 && opts.every((o) => String(o).length <= 8);
      control = short ? (
        <RadioGroup
          labelledBy={`${id}-label`}
          describedBy={describedBy}
          value={value as string | number | undefined}
          choices={opts.map((o) => ({ value: o, label: String(o) }))}
          onChange={set}
        />
      ) : (
        <select {...common} value={value === undefined ? '' : String(value)} onChange={(e) => set(opts.find((o) => String(o) === e.target.value) ?? undefined)}>
          {(!f.required || value === undefined) && <option value="">—</option>}
          {opts.map((o) => (
            <option key={String(o)} value={String(o)}>
              {String(o)}
            </option>
          ))}
        </select>
      );
      break;
    }
    case 'size':
      control = <SizeInput field={f} value={value} onChange={set} common={common} />;
      break;
    case 'file':
      control = (
        <FileInput
          id={id}
          label={f.label}
          value={value}
          onChange={set}
          onChained={chained}
          invalid={!!error}
          describedBy={describedBy}
          kind={expectedKind(f)}
        />
      );
      break;
    case 'array':
      control =
        f.itemKind === 'file' ? (
          <FileInput
            id={id}
            label={f.label}
            value={value}
            onChange={set}
            onChained={chained}
            invalid={!!error}
            describedBy={describedBy}
            multiple
            kind={expectedKind(f)}
          />
        ) : (
          <textarea
            {...common}
            rows={2}
            placeholder="One item per line"
            value={Array.isArray(value) ? value.join('\n') : str(value)}
            onChange={(e) => set(e.target.value)}
          />
        );
      break;
    default:
      control = (
        <textarea
          {...common}
          className="mono"
          rows={3}
          spellCheck={false}
          placeholder="JSON"
          value={typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value, null, 2)}
          onChange={(e) => set(e.target.value)}
        />
      );
  }

  const labelFor = f.kind === 'enum' && f.options!.length <= 4 ? undefined : id;
  return (
    <div className={`field kind-${f.kind}${error ? ' has-error' : ''}`} data-field={f.name}>
      <div className="field-head">
        {f.kind === 'boolean' ? null : (
          // The required marker sits outside the label so the accessible name stays the field's title.
          <span className="field-title">
            {labelFor ? (
              <label htmlFor={labelFor} id={`${id}-label`} className="field-label">
                {f.label}
              </label>
            ) : (
              <span id={`${id}-label`} className="field-label">
                {f.label}
              </span>
            )}
            {f.required && (
              <span className="req" title="Required" aria-hidden="true">
                {' '}
                *
              </span>
            )}
          </span>
        )}
        {(f.kind === 'number' || f.kind === 'integer') && f.min != null && f.max != null && (
          <span className="muted small">
            {f.min}–{f.max}
          </span>
        )}
      </div>
      {f.kind === 'boolean' ? (
        <label className="check" htmlFor={id}>
          {control}
          <span>{f.label}</span>
        </label>
      ) : (
        control
      )}
      {f.description && (
        <p id={`${id}-help`} className="help">
          {f.description}
        </p>
      )}
      {error && (
        <p id={`${id}-err`} className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

function str(v: unknown): string {
  return v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
}
