import { useState, type FormEvent } from 'react';
import { windowApi, errorMessage } from '../../api.ts';
import { predictionsStore } from '../../stores/index.ts';

// Brings a history exported by "Export all" (here or on another machine) back in. A typed path
// rather than a file picker: browser mode has no native dialog, and the backend needs an absolute
// path on its own disk anyway.
export function ImportSection() {
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);

  const run = async (e: FormEvent) => {
    e.preventDefault();
    const source = path.trim();
    if (!source) return;
    setBusy(true);
    setResult(null);
    try {
      const r = await windowApi().invoke('predictions:import', { path: source });
      setResult({ ok: true, text: `Imported ${r.imported}, skipped ${r.skipped}` });
      if (r.imported > 0) void predictionsStore.getState().reload();
    } catch (err) {
      setResult({ ok: false, text: errorMessage(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="settings-section" aria-labelledby="import-h">
      <h3 id="import-h">Import history</h3>
      <form className="key-form" onSubmit={(e) => void run(e)}>
        <label htmlFor="import-path" className="field-label">
          Export folder or .zip (absolute path)
        </label>
        <div className="key-row">
          <input
            id="import-path"
            type="text"
            spellCheck={false}
            autoComplete="off"
            placeholder="/home/me/kiln-export.zip"
            value={path}
            onChange={(e) => setPath(e.target.value)}
          />
          <button type="submit" className="btn" disabled={busy || !path.trim()}>
            {busy ? 'Importing…' : 'Import history…'}
          </button>
        </div>
      </form>
      <div role="status" aria-live="polite">
        {result && (
          <p className={result.ok ? '' : 'field-error'}>{result.ok ? result.text : `Import failed: ${result.text.replace(/^Import failed: /, '')}`}</p>
        )}
      </div>
      <p className="help">Predictions already in this history are skipped; nothing is overwritten.</p>
    </section>
  );
}
