import { useEffect, useState, type FormEvent } from 'react';
import { settingsStore, useSettings } from '../../stores/index.ts';
import { keyFor } from '../../stores/settings.ts';
import { openExternal, KEY_URLS } from '../../components/external.ts';
import type { SecretStatus } from '../../../../shared/ipc.ts';
import type { ProviderId } from '../../../../shared/domain/provider.ts';
import './keys.css';

// One key per provider (ARCHITECTURE.md, "The contract and its transports"): each section saves, clears and shows its own key's state
// (valid / rejected / could not be checked) and last four characters — never the key.

interface ProviderKeyCopy {
  title: string;
  /** The provider's name in sentences. */
  who: string;
  inputId: string;
  placeholder: string;
  env: string;
  /** Button texts: Replicate's stay "Save key"/"Clear key" (what people and tests already know). */
  save: string;
  clear: string;
  statusClass: string;
}

const COPY: Record<ProviderId, ProviderKeyCopy> = {
  replicate: {
    title: 'Replicate',
    who: 'Replicate',
    inputId: 'replicate-key',
    placeholder: 'r8_…',
    env: 'REPLICATE_API_TOKEN',
    save: 'Save key',
    clear: 'Clear key',
    statusClass: 'key-status',
  },
  fal: {
    title: 'fal',
    who: 'fal',
    inputId: 'fal-key',
    placeholder: 'key_id:key_secret',
    env: 'FAL_KEY',
    save: 'Save fal key',
    clear: 'Clear fal key',
    statusClass: 'key-status-fal',
  },
};

export function KeysSection() {
  return (
    <>
      <ProviderKey provider="replicate" />
      <ProviderKey provider="fal" />
    </>
  );
}

function ProviderKey({ provider }: { provider: ProviderId }) {
  const c = COPY[provider];
  const { secret, account, accountError, busy, checking } = useSettings((s) => keyFor(s, provider));
  const [draft, setDraft] = useState('');

  const needsCheck = !!secret?.set && (secret.state === undefined || secret.state === 'unchecked');
  useEffect(() => {
    // Check an already-stored key (and learn its account) without blocking the panel.
    if (needsCheck) void settingsStore.getState().validateKey(provider);
  }, [needsCheck, provider]);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (draft.trim().length < 8) return;
    // The typed key leaves renderer state as soon as it is sent.
    const ok = await settingsStore.getState().saveKey(draft, provider);
    if (ok) setDraft('');
  };
  const headingId = `key-h-${provider}`;

  return (
    <section className="settings-section" aria-labelledby={headingId}>
      <h3 id={headingId}>{c.title}</h3>
      <form className="key-form" onSubmit={save}>
        <label htmlFor={c.inputId} className="field-label">
          {c.who} API key
        </label>
        <div className="key-row">
          <input
            id={c.inputId}
            type="password"
            autoComplete="off"
            spellCheck={false}
            placeholder={secret?.set ? 'Paste a new key to replace it' : c.placeholder}
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
          />
          <button type="submit" className="btn primary" disabled={busy || draft.trim().length < 8}>
            {c.save}
          </button>
          <button type="button" className="btn" disabled={busy || !secret?.set} onClick={() => void settingsStore.getState().clearKey(provider)}>
            {c.clear}
          </button>
        </div>
      </form>
      <div className={`${c.statusClass} key-state`} role="status" aria-label={`${c.who} key status`}>
        {secret?.set ? (
          <KeyLine secret={secret} checking={checking} copy={c} />
        ) : (
          <p>
            <span className="dot" aria-hidden="true" />
            No key yet.{' '}
            <a
              href={KEY_URLS[provider]}
              onClick={(e) => {
                e.preventDefault();
                openExternal(KEY_URLS[provider]);
              }}
            >
              Get a {c.who} API key
            </a>
          </p>
        )}
        {secret?.set && account && secret.state === 'valid' && (
          <p className="muted">
            Account: <strong>{account}</strong>
          </p>
        )}
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

/** The key's line: set and last 4, and what the provider said of it — never green before it answered. */
function KeyLine({ secret, checking, copy: c }: { secret: SecretStatus; checking: boolean; copy: ProviderKeyCopy }) {
  const ends = `Set, ends in ${secret.last4 ?? '????'}${secret.protection === 'env' ? ` (from ${c.env})` : ''}`;
  const [dot, note] = checking
    ? ['', `Checking with ${c.who}…`]
    : secret.state === 'valid'
      ? ['ok', `Checked with ${c.who}`]
      : secret.state === 'rejected'
        ? ['bad', `Rejected by ${c.who} — paste a new key`]
        : secret.state === 'unknown'
          ? ['warn', `Not checked yet — ${c.who} could not be reached; it is checked again when you open Settings`]
          : ['', 'Not checked yet'];
  return (
    <p>
      <span className={`dot ${dot}`} aria-hidden="true" />
      {ends} · <span className={dot === 'bad' ? 'field-error' : undefined}>{note}</span>
    </p>
  );
}
