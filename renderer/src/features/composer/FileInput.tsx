import { useState, type ClipboardEvent, type DragEvent } from 'react';
import { errorMessage } from '../../api.ts';
import { previews, stageFile } from './stage-file.ts';
import { ACCEPT, checkFile, type FileKind } from './file-kind.ts';
import { isChainDrag, readChainDrag, stageDragged } from '../chain/drag.ts';

// File inputs (`format: uri`): drop, paste or pick a file; it is staged in the vault (stage-file.ts)
// and the returned ref goes into the input, so retries work later even if the original file moves.
export { stageFile };

interface Props {
  id: string;
  label: string;
  value: unknown;
  onChange: (v: unknown) => void;
  invalid: boolean;
  describedBy?: string;
  multiple?: boolean;
  kind?: FileKind;
  /** An output dragged from the gallery landed here (chain): the new value, and the run it came from. Without it, plain onChange. */
  onChained?: (value: unknown, ref: string, runId: string) => void;
}

export function FileInput({ id, label, value, onChange, invalid, describedBy, multiple, kind = 'any', onChained }: Props) {
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<string | null>(null);
  const [over, setOver] = useState(false);
  const values = (Array.isArray(value) ? value : value ? [value] : []).filter((v): v is string => typeof v === 'string');

  const add = async (files: File[]) => {
    if (!files.length) return;
    setBusy(true);
    setErr(null);
    try {
      const refs: string[] = [];
      const chosen = multiple ? files : files.slice(0, 1);
      // Every file is checked before any is staged: a wrong one never leaves the computer.
      for (const f of chosen) {
        const wrong = await checkFile(f, kind);
        if (wrong) throw new Error(wrong);
      }
      for (const f of chosen) refs.push(await stageFile(f));
      onChange(multiple ? [...values, ...refs] : refs[0]);
    } catch (e) {
      setErr(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  // An output dragged from a card: staged from the vault like "Use as input", and its run recorded.
  const addChained = async (e: DragEvent) => {
    const drag = readChainDrag(e);
    setErr(null);
    if (!drag) {
      setErr('That drop did not say which output it was; drag the output from its card again.');
      return;
    }
    setBusy(true);
    try {
      const { ref, runId } = await stageDragged(drag, kind);
      const next = multiple ? [...values, ref] : ref;
      if (onChained) onChained(next, ref, runId);
      else onChange(next);
    } catch (err) {
      setErr(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    if (isChainDrag(e)) void addChained(e);
    else void add([...e.dataTransfer.files]);
  };
  const onPaste = (e: ClipboardEvent) => {
    const files = [...e.clipboardData.files];
    if (files.length) {
      e.preventDefault();
      void add(files);
    }
  };
  const removeAt = (i: number) => {
    const next = values.filter((_, j) => j !== i);
    onChange(multiple ? next : undefined);
  };

  return (
    <div
      className={`file-input${over ? ' over' : ''}${invalid ? ' invalid' : ''}`}
      data-testid="dropzone"
      onDragOver={(e) => {
        e.preventDefault();
        if (isChainDrag(e)) e.dataTransfer.dropEffect = 'copy';
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
      onPaste={onPaste}
      tabIndex={-1}
    >
      {values.map((v, i) => (
        <Preview key={v + i} value={v} onRemove={() => removeAt(i)} />
      ))}
      {(multiple || !values.length) && (
        <div className="drop-hint">
          <span>{busy ? 'Uploading…' : 'Drop a file, paste, or'}</span>
          <label className="btn small" htmlFor={id}>
            Choose file
          </label>
          <input
            id={id}
            className="visually-hidden"
            type="file"
            multiple={multiple}
            accept={ACCEPT[kind]}
            aria-invalid={invalid || undefined}
            aria-describedby={describedBy}
            aria-label={label}
            onChange={(e) => {
              void add([...(e.target.files ?? [])]);
              e.target.value = '';
            }}
          />
          <input
            type="url"
            className="url-input"
            aria-label={`${label} URL`}
            placeholder="or a https:// URL"
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                const u = e.currentTarget.value.trim();
                if (u) {
                  onChange(multiple ? [...values, u] : u);
                  e.currentTarget.value = '';
                }
              }
            }}
            onBlur={(e) => {
              const u = e.currentTarget.value.trim();
              if (u) {
                onChange(multiple ? [...values, u] : u);
                e.currentTarget.value = '';
              }
            }}
          />
        </div>
      )}
      {err && (
        <p className="field-error" role="alert">
          {err}
        </p>
      )}
    </div>
  );
}

function Preview({ value, onRemove }: { value: string; onRemove: () => void }) {
  const p = previews.get(value);
  const isImg = p ? p.type.startsWith('image/') : /\.(png|jpe?g|webp|gif)(\?|$)/i.test(value) && /^https?:/.test(value) === false;
  return (
    <div className="file-preview">
      {p && isImg ? (
        <img src={p.url} alt={`Preview of ${p.name}`} />
      ) : (
        <span className="file-icon" aria-hidden="true">
          📄
        </span>
      )}
      <span className="small file-name" title={value}>
        {p?.name ?? value}
      </span>
      <button type="button" className="btn icon small" aria-label={`Remove ${p?.name ?? 'file'}`} onClick={onRemove}>
        ×
      </button>
    </div>
  );
}
