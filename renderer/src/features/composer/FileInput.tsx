import { useState, type ClipboardEvent, type DragEvent } from 'react';
import { windowApi, errorMessage } from '../../api.ts';
import { ACCEPT, checkFile, type FileKind } from './file-kind.ts';

// File inputs (`format: uri`): drop, paste or pick a file; it is staged in the vault through
// `files:stage` and the returned ref goes into the input, so retries work later even if the
// original file moves. Previews come from object URLs of the local file, kept per ref.
const previews = new Map<string, { url: string; name: string; type: string }>();

const MAX_BYTES = 100 * 1024 * 1024;

async function toBase64(file: File): Promise<string> {
  const buf = new Uint8Array(await file.arrayBuffer());
  let bin = '';
  for (let i = 0; i < buf.length; i += 0x8000) bin += String.fromCharCode(...buf.subarray(i, i + 0x8000));
  return btoa(bin);
}

export async function stageFile(file: File): Promise<string> {
  if (file.size > MAX_BYTES) throw new Error(`${file.name} is larger than 100 MB`);
  const res = await windowApi().invoke('files:stage', { name: file.name || 'pasted', mime: file.type || 'application/octet-stream', dataBase64: await toBase64(file) });
  previews.set(res.ref, { url: URL.createObjectURL(file), name: file.name || 'pasted image', type: file.type });
  return res.ref;
}

interface Props { id: string; label: string; value: unknown; onChange: (v: unknown) => void; invalid: boolean; describedBy?: string; multiple?: boolean; kind?: FileKind }

export function FileInput({ id, label, value, onChange, invalid, describedBy, multiple, kind = 'any' }: Props) {
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
  const onDrop = (e: DragEvent) => { e.preventDefault(); setOver(false); void add([...e.dataTransfer.files]); };
  const onPaste = (e: ClipboardEvent) => {
    const files = [...e.clipboardData.files];
    if (files.length) { e.preventDefault(); void add(files); }
  };
  const removeAt = (i: number) => {
    const next = values.filter((_, j) => j !== i);
    onChange(multiple ? next : undefined);
  };

  return (
    <div className={`file-input${over ? ' over' : ''}${invalid ? ' invalid' : ''}`}
      data-testid="dropzone"
      onDragOver={(e) => { e.preventDefault(); setOver(true); }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
      onPaste={onPaste}
      tabIndex={-1}
    >
      {values.map((v, i) => <Preview key={v + i} value={v} onRemove={() => removeAt(i)} />)}
      {(multiple || !values.length) && (
        <div className="drop-hint">
          <span>{busy ? 'Uploading…' : 'Drop a file, paste, or'}</span>
          <label className="btn small" htmlFor={id}>Choose file</label>
          <input id={id} className="visually-hidden" type="file" multiple={multiple} accept={ACCEPT[kind]} aria-invalid={invalid || undefined} aria-describedby={describedBy} aria-label={label}
            onChange={(e) => { void add([...(e.target.files ?? [])]); e.target.value = ''; }} />
          <input type="url" className="url-input" aria-label={`${label} URL`} placeholder="or a https:// URL"
            onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); const u = e.currentTarget.value.trim(); if (u) { onChange(multiple ? [...values, u] : u); e.currentTarget.value = ''; } } }}
            onBlur={(e) => { const u = e.currentTarget.value.trim(); if (u) { onChange(multiple ? [...values, u] : u); e.currentTarget.value = ''; } }} />
        </div>
      )}
      {err && <p className="field-error" role="alert">{err}</p>}
    </div>
  );
}

function Preview({ value, onRemove }: { value: string; onRemove: () => void }) {
  const p = previews.get(value);
  const isImg = p ? p.type.startsWith('image/') : /\.(png|jpe?g|webp|gif)(\?|$)/i.test(value) && /^https?:/.test(value) === false;
  return (
    <div className="file-preview">
      {p && isImg ? <img src={p.url} alt={`Preview of ${p.name}`} /> : <span className="file-icon" aria-hidden="true">📄</span>}
      <span className="small file-name" title={value}>{p?.name ?? value}</span>
      <button type="button" className="btn icon small" aria-label={`Remove ${p?.name ?? 'file'}`} onClick={onRemove}>×</button>
    </div>
  );
}
