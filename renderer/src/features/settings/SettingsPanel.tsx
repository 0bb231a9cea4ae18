import { useState } from 'react';
import { settingsStore, uiStore, useSettings } from '../../stores/index.ts';
import { StorageSection } from './StorageSection.tsx';
import { ImportSection } from './ImportSection.tsx';
import { KeysSection } from './KeysSection.tsx';
import { Dialog } from '../../ui/Dialog.tsx';
import { RadioGroup } from '../../ui/RadioGroup.tsx';
import { BudgetSettings } from '../cost/BudgetSettings.tsx';
import { PriceOverrides } from '../cost/PriceOverrides.tsx';

export function SettingsPanel() {
  return (
    <Dialog title="Settings" onClose={() => uiStore.getState().openPanel('gallery')} className="settings-dialog">
      <KeysSection />
      <GenerationSection />
      <BudgetSettings />
      <PriceOverrides />
      <AppearanceSection />
      <StorageSection />
      <ImportSection />
    </Dialog>
  );
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
          {DEADLINES.map((d) => (
            <option key={d.label} value={d.value ?? ''}>
              {d.label}
            </option>
          ))}
          {!known && s.cancelAfter && <option value={s.cancelAfter}>{s.cancelAfter}</option>}
        </select>
      </div>
      <p className="help">
        Cold models can take minutes to boot. Runs that have not started by then are aborted by the provider (Replicate or fal) and not billed. Replicate counts
        the time from when a run was sent, and also stops a run still going at that time (canceled, its time so far billed): choose more than your longest runs
        take.
      </p>
      <ConcurrencyRow value={s.createConcurrency} onSave={(n) => update({ createConcurrency: n })} />
      <div className="setting-row">
        <label htmlFor="notify">Notify me when a long prediction finishes</label>
        <input
          id="notify"
          type="checkbox"
          checked={s.notifications}
          onChange={(e) => {
            update({ notifications: e.target.checked });
            if (e.target.checked && typeof Notification !== 'undefined' && Notification.permission === 'default') void Notification.requestPermission();
          }}
        />
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
        <input
          id="concurrency"
          type="number"
          min={CONCURRENCY.min}
          max={CONCURRENCY.max}
          value={draft ?? String(value)}
          aria-invalid={bad || undefined}
          aria-describedby={bad ? 'concurrency-err' : undefined}
          onChange={(e) => {
            const next = e.target.value;
            const v = Number(next);
            setDraft(next);
            if (next.trim() !== '' && Number.isInteger(v) && v >= CONCURRENCY.min && v <= CONCURRENCY.max) onSave(v);
          }}
          onBlur={() => {
            if (!bad) setDraft(null);
          }}
        />
      </div>
      {bad && (
        <p id="concurrency-err" className="field-error" role="alert">
          Predictions started at once must be between {CONCURRENCY.min} and {CONCURRENCY.max} (a whole number); still {value}.
        </p>
      )}
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
        <RadioGroup
          labelledBy="theme-label"
          value={theme}
          onChange={(t) => void settingsStore.getState().update({ theme: t })}
          choices={[
            { value: 'system', label: 'System' },
            { value: 'light', label: 'Light' },
            { value: 'dark', label: 'Dark' },
          ]}
        />
      </div>
    </section>
  );
}
