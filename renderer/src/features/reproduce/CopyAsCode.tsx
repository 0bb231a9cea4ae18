import { useEffect, useId, useState } from 'react';
import { Dialog } from '../../ui/Dialog.tsx';
import { RadioGroup } from '../../ui/RadioGroup.tsx';
import { windowApi, errorMessage } from '../../api.ts';
import { uiStore } from '../../stores/index.ts';
import { CODE_LANGS, requestCode, type CodeLang, type RunRequest } from './code.ts';
import './reproduce.css';

/** The language last chosen: a person who uses Python keeps getting Python. */
const LANG_KEY = 'kiln.copyAsCode.lang';

function savedLang(): CodeLang {
  const v = localStorage.getItem(LANG_KEY);
  return CODE_LANGS.some((l) => l.id === v) ? (v as CodeLang) : 'curl';
}

/** "Copy as code": the run's create request in three languages, with the key left as a variable. */
export function CopyAsCode({ id, onClose }: { id: string; onClose: () => void }) {
  const [req, setReq] = useState<RunRequest | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [lang, setLang] = useState<CodeLang>(savedLang);
  const labelId = useId();
  useEffect(() => {
    windowApi()
      .invoke('predictions:request', { id })
      .then(setReq, (e) => setError(errorMessage(e)));
  }, [id]);
  const code = req ? requestCode(req, lang) : '';
  const choose = (l: CodeLang) => {
    setLang(l);
    localStorage.setItem(LANG_KEY, l);
  };
  const copy = () =>
    navigator.clipboard.writeText(code).then(
      () => uiStore.getState().toast('Code copied', { timeout: 2000 }),
      (e) => uiStore.getState().toast(`Could not copy the code: ${errorMessage(e)}`, { tone: 'error' }),
    );
  return (
    <Dialog title="Copy as code" onClose={onClose} className="code-dialog">
      {error && (
        <p className="field-error" role="alert">
          Could not rebuild the request: {error}
        </p>
      )}
      {req && (
        <>
          <p className="muted small">
            The request {req.provider === 'fal' ? 'fal' : 'Replicate'} got for this run. The key is read from <code>${req.keyVariable}</code>; set it in your
            shell first.
          </p>
          <div className="code-head">
            <span id={labelId} className="visually-hidden">
              Language
            </span>
            <RadioGroup labelledBy={labelId} value={lang} onChange={choose} choices={CODE_LANGS.map((l) => ({ value: l.id, label: l.label }))} />
            <button type="button" className="btn small primary" onClick={() => void copy()}>
              Copy
            </button>
          </div>
          {/* Focusable so a keyboard user can scroll a long request (axe: scrollable-region-focusable). */}
          {/* eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex */}
          <pre className="code-block" tabIndex={0} aria-label={`${CODE_LANGS.find((l) => l.id === lang)!.label} code`} data-lang={lang}>
            {code}
          </pre>
          {req.files.length > 0 && (
            <p className="muted small">
              {req.files.join(', ')}: a file from this computer. Kiln uploaded it; put its URL (or a data: URI) where the placeholder is.
            </p>
          )}
        </>
      )}
    </Dialog>
  );
}
