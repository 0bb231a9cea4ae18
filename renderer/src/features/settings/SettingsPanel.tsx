import { useEffect, useRef, useState, type FormEvent } from 'react';
import { settingsStore, uiStore, useSettings } from '../../stores/index.ts';
import { openExternal, KEY_URL } from '../../components/external.ts';
import { StorageSection } from './StorageSection.tsx';
import { ImportSection } from './ImportSection.tsx';
import { Dialog } from '../../ui/Dialog.tsx';
import { RadioGroup } from '../../ui/RadioGroup.tsx';
import type { SecretStatus } from '../../../../shared/ipc.ts';
import { BudgetSettings } from '../cost/BudgetSettings.tsx';
import { PriceOverrides } from '../cost/PriceOverrides.tsx';

export function SettingsPanel() {
  return (
    <Dialog title="Settings" onClose={() => uiStore.getState().openPanel('gallery')} className="settings-dialog">
      <KeySection />
      <GenerationSection />
      <BudgetSettings />
      <PriceOverrides />
      <AppearanceSection />
      <StorageSection />
      <ImportSection />
    </Dialog>
  );
}

function KeySection() {
  const secret = useSettings((s) => s.secret);
  const account = useSettings((s) => s.account);
  const accountError = useSettings((s) => s.accountError);
  const busy = useSettings((s) => s.busy);
  const checking = useSettings((s) => s.checking);
  const [draft, setDraft] = useState('');
  const inputRef = useRef<HTMLInputElement>(null);

  const needsCheck = !!secret?.set && (secret.state === undefined || secret.state === 'unchecked');
  useEffect(() => {
    // Check an already-stored key (and learn its account) without blocking the panel.
    if (needsCheck) void settingsStore.getState().validateKey();
  }, [needsCheck]);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (draft.trim().length < 8) return;
    // The typed key leaves renderer state as soon as it is sent.
    const ok = await settingsStore.getState().saveKey(draft);
    if (ok) setDraft('');
  };

  return (
    <section className="settings-section" aria-labelledby="key-h">
      <h3 id="key-h">Replicate</h3>
      <form className="key-form" onSubmit={save}>
        <label htmlFor="replicate-key" className="field-label">Replicate API key</label>
        <div className="key-row">
          <input
            id="replicate-key"
            ref={inputRef}
            type="password"
            autoComplete="off"
            spellCheck={false}
            placeholder={secret?.set ? 'Paste a new key to replace it' : 'r8_…'}
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
          />
          <button type="submit" className="btn primary" disabled={busy || draft.trim().length < 8}>Save key</button>
          <button type="button" className="btn" disabled={busy || !secret?.set} onClick={() => void settingsStore.getState().clearKey()}>Clear key</button>
        </div>
      </form>
      <div className="key-status" role="status">
        {secret?.set ? (
          <KeyLine secret={secret} checking={checking} />
        ) : (
          <p><span className="dot" aria-hidden="true" />No key yet. <a href={KEY_URL} onClick={(e) => { e.preventDefault(); openExternal(KEY_URL); }}>Get a Replicate API key</a></p>
        )}
        {secret?.set && account && secret.state === 'valid' && <p className="muted">Account: <strong>{account}</strong></p>}
        {secret?.set && accountError && secret.state === 'unknown' && <p className="muted small">{accountError}</p>}
        {secret?.protection === 'basic_text' && (
          <p className="warning" role="note">
            This system has no keyring Kiln can use, so the key is stored with only basic obfuscation — it is not truly protected on this system.
          </p>
        )}
      </div>
    </section>
  );
}

/** The key's line: set and last 4, and what Replicate said of it — never green before it answered. */
function KeyLine({ secret, checking }: { secret: SecretStatus; checking: boolean }) {
  const ends = `Set, ends in ${secret.last4 ?? '????'}${secret.protection === 'env' ? ' (from REPLICATE_API_TOKEN)' : ''}`;
  const [dot, note] = checking
    ? ['', 'Checking with Replicate…']
    : secret.state === 'valid' ? ['ok', 'Checked with Replicate']
      : secret.state === 'rejected' ? ['bad', 'Rejected by Replicate — paste a new key']
        : secret.state === 'unknown' ? ['warn', 'Not checked yet — Replicate could not be reached; it is checked again when you open Settings']
          : ['', 'Not checked yet'];
  return <p><span className={`dot ${dot}`} aria-hidden="true" />{ends} · <span className={dot === 'bad' ? 'field-error' : undefined}>{note}</span></p>;
}

const DEADLINES: { label: string; value: string | null }[] = [
  { label: 'Never', value: null },
  { label: '1 minute', value: '1m' },
  { label: '5 minutes', value: '5m' },
  { label: '10 minutes', value: '10m' },
  { label: '30 minutes', value: '30m' },
  { label: '1 hour', value: '1h' },
];

function GenerationSection() {
  const s = useSettings((x) => x.settings);
  const update = (p: Parameters<ReturnType<typeof settingsStore.getState>['update']>[0]) => void settingsStore.getState().update(p);
  const known = DEADLINES.some((d) => d.value === s.cancelAfter);
  return (
    <section className="settings-section" aria-labelledby="gen-h">
      <h3 id="gen-h">Generation</h3>
      <div className="setting-row">
        <label htmlFor="cancel-after">Give up if not started within</label>
        <select id="cancel-after" value={s.cancelAfter ?? ''} onChange={(e) => update({ cancelAfter: e.target.value || null })}>
          {DEADLINES.map((d) => <option key={d.label} value={d.value ?? ''}>{d.label}</option>)}
          {!known && s.cancelAfter && <option value={s.cancelAfter}>{s.cancelAfter}</option>}
        </select>
      </div>
      <p className="help">Cold models can take minutes to boot. Predictions that have not started by then are aborted by Replicate (not billed).</p>
      <ConcurrencyRow value={s.createConcurrency} onSave={(n) => update({ createConcurrency: n })} />
      <div className="setting-row">
        <label htmlFor="notify">Notify me when a long prediction finishes</label>
        <input id="notify" type="checkbox" checked={s.notifications}
          onChange={(e) => {
            update({ notifications: e.target.checked });
            if (e.target.checked && typeof Notification !== 'undefined' && Notification.permission === 'default') void Notification.requestPermission();
          }} />
      </div>
    </section>
  );
}

const CONCURRENCY = { min: 1, max: 32 };

/** A number the person types: what is out of range is kept in the box and explained, not silently reverted. */
function ConcurrencyRow({ value, onSave }: { value: number; onSave: (n: number) => void }) {
  const [draft, setDraft] = useState<string | null>(null);
  const n = draft === null ? value : Number(draft);
  const bad = draft !== null && !(draft.trim() !== '' && Number.isInteger(n) && n >= CONCURRENCY.min && n <= CONCURRENCY.max);
  return (
    <>
      <div className="setting-row">
        <label htmlFor="concurrency">Predictions started at once</label>
        <input id="concurrency" type="number" min={CONCURRENCY.min} max={CONCURRENCY.max} value={draft ?? String(value)}
          aria-invalid={bad || undefined} aria-describedby={bad ? 'concurrency-err' : undefined}
          onChange={(e) => {
            const next = e.target.value;
            const v = Number(next);
            setDraft(next);
            if (next.trim() !== '' && Number.isInteger(v) && v >= CONCURRENCY.min && v <= CONCURRENCY.max) onSave(v);
          }}
          onBlur={() => { if (!bad) setDraft(null); }} />
      </div>
      {bad && <p id="concurrency-err" className="field-error" role="alert">Predictions started at once must be between {CONCURRENCY.min} and {CONCURRENCY.max} (a whole number); still {value}.</p>}
    </>
  );
}

function AppearanceSection() {
  const theme = useSettings((x) => x.settings.theme);
  return (
    <section className="settings-section" aria-labelledby="look-h">
      <h3 id="look-h">Appearance</h3>
      <div className="setting-row">
        <span id="theme-label">Theme</span>
        <RadioGroup labelledBy="theme-label" value={theme} onChange={(t) => void settingsStore.getState().update({ theme: t })}
          choices={[{ value: 'system', label: 'System' }, { value: 'light', label: 'Light' }, { value: 'dark', label: 'Dark' }]} />
      </div>
    </section>
  );
}
