import { useEffect, useMemo, useRef, useState } from 'react';
import type { ModelSummary } from '../../../../shared/domain/model.ts';
import { PROVIDER_LABELS } from '../../../../shared/domain/provider.ts';
import { composerStore, settingsStore, useComposer, useSettings } from '../../stores/index.ts';
import { placeholderSummary, providerOfRef } from '../../stores/composer.ts';
import { ProviderBadge } from '../../components/ProviderBadge.tsx';
import { formatCount } from '../../components/format.ts';
import { Combobox, type ComboGroup } from '../../ui/Combobox.tsx';

export function ModelPicker() {
  const model = useComposer((s) => s.model);
  const modelRef = useComposer((s) => s.modelRef);
  const version = useComposer((s) => s.version);
  const [open, setOpen] = useState(false);
  const [versionDraft, setVersionDraft] = useState('');
  const triggerRef = useRef<HTMLButtonElement>(null);
  const current: ModelSummary | null = model ?? null;
  // Closing (picked or dismissed) puts focus back on the button, never on <body>.
  const close = () => {
    setOpen(false);
    requestAnimationFrame(() => triggerRef.current?.focus());
  };

  return (
    <div className="model-picker">
      <button ref={triggerRef} type="button" className="model-current" aria-haspopup="dialog" aria-expanded={open} onClick={() => setOpen(!open)}>
        {/* The name comes from this text rather than aria-label, so what is seen and what is
            announced cannot disagree (WCAG 2.5.3): the visible card is decoration for it. */}
        <span className="visually-hidden">{`Model: ${modelRef ?? 'none'}. Change model`}</span>
        <Cover m={current} />
        <span className="model-current-text" aria-hidden="true">
          <span className="model-name">{current?.name ?? modelRef ?? 'Choose a model'}</span>
          <span className="muted small">
            {current ? (
              <>
                <ProviderBadge provider={current.provider} /> {current.owner}
                {current.runCount != null ? ` · ${formatCount(current.runCount)}` : ''}
              </>
            ) : (
              ' '
            )}
          </span>
        </span>
        <span aria-hidden="true" className="chev">
          ▾
        </span>
      </button>
      {open && <ModelMenu onClose={close} />}
      {/* fal endpoints have no versions: each always runs its current code. */}
      {providerOfRef(modelRef) === 'replicate' && (
        <details className="version-pin">
          <summary className="small muted">Version: {version ? version.slice(0, 12) : 'latest'}</summary>
          <form
            className="row gap"
            onSubmit={(e) => {
              e.preventDefault();
              if (modelRef) void composerStore.getState().selectModel(modelRef, { version: versionDraft.trim() || null });
            }}
          >
            <input
              aria-label="Pin version id"
              placeholder="version id (empty = latest)"
              value={versionDraft}
              onChange={(e) => setVersionDraft(e.target.value)}
            />
            <button type="submit" className="btn small">
              Use
            </button>
          </form>
        </details>
      )}
    </div>
  );
}

function Cover({ m }: { m: ModelSummary | null }) {
  const [broken, setBroken] = useState(false);
  if (m?.coverImageUrl && !broken) return <img className="cover" src={m.coverImageUrl} alt="" onError={() => setBroken(true)} />;
  return (
    <span className="cover cover-fallback" aria-hidden="true">
      {(m?.name ?? '?').slice(0, 1).toUpperCase()}
    </span>
  );
}

function summaryOf(ref: string, known: Map<string, ModelSummary>): ModelSummary {
  return known.get(ref) ?? placeholderSummary(ref);
}

/** An option's accessible name: the ref (what people search and tests find it by), then who runs it. */
const optionName = (m: ModelSummary) => `${m.ref} — ${PROVIDER_LABELS[m.provider] ?? m.provider}`;

function ModelRow(m: ModelSummary) {
  return (
    <>
      <Cover m={m} />
      <span className="model-row-text">
        <span className="model-name">
          {m.name} <span className="muted small">{m.owner}</span> <ProviderBadge provider={m.provider} />
        </span>
        {m.description && <span className="muted small clamp2">{m.description}</span>}
        {m.runCount != null && <span className="muted small">{formatCount(m.runCount)}</span>}
      </span>
    </>
  );
}

/**
 * The model list and search (pinned, recent, starter models, then the providers' results). The
 * composer picks with it; others (the compare dialog) pass `onPick` and their trigger's selector,
 * so there is one list and one search, and no pin control outside the composer.
 */
export function ModelMenu({ onClose, onPick, trigger = '.model-current' }: { onClose: () => void; onPick?: (m: ModelSummary) => void; trigger?: string }) {
  const featured = useComposer((s) => s.featured);
  const results = useComposer((s) => s.results);
  const searching = useComposer((s) => s.searching);
  const modelRef = useComposer((s) => s.modelRef);
  const recent = useSettings((s) => s.settings.recentModels);
  const pinned = useSettings((s) => s.settings.pinnedModels);
  const [q, setQ] = useState('');
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const h = setTimeout(() => void composerStore.getState().search(q), 250);
    return () => clearTimeout(h);
  }, [q]);
  useEffect(() => {
    const onDown = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node) && !(e.target as HTMLElement).closest(trigger)) onClose();
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [onClose, trigger]);

  const groups = useMemo((): ComboGroup<ModelSummary>[] => {
    const known = new Map(featured.map((m) => [m.ref, m]));
    // Typing filters what is already here at once; the provider's search results follow.
    const words = q.toLowerCase().split(/\s+/).filter(Boolean);
    const match = (m: ModelSummary) => words.every((w) => `${m.ref} ${m.name} ${m.description ?? ''}`.toLowerCase().includes(w));
    const local: ComboGroup<ModelSummary>[] = [
      { label: 'Pinned', options: pinned.map((r) => summaryOf(r, known)) },
      {
        label: 'Recent',
        options: recent
          .filter((r) => !pinned.includes(r))
          .slice(0, 5)
          .map((r) => summaryOf(r, known)),
      },
      { label: 'Starter models', options: featured },
    ];
    if (!words.length) return local;
    const seen = new Set<string>();
    const mine = local.flatMap((g) => g.options).filter((m) => match(m) && !seen.has(m.ref) && seen.add(m.ref));
    return [
      { label: 'Your models', options: mine },
      { label: 'Results', options: (results ?? []).filter((m) => !seen.has(m.ref)) },
    ];
  }, [featured, results, recent, pinned, q]);

  const pick = (m: ModelSummary) => {
    if (onPick) onPick(m);
    else void composerStore.getState().selectModel(m.ref);
    onClose();
  };
  const isPinned = !!modelRef && pinned.includes(modelRef);
  const togglePin = () => {
    if (!modelRef) return;
    const p = settingsStore.getState().settings.pinnedModels;
    void settingsStore.getState().update({ pinnedModels: p.includes(modelRef) ? p.filter((x) => x !== modelRef) : [...p, modelRef] });
  };
  const empty = q.trim() && !searching && !groups.some((g) => g.options.length);

  return (
    <div className="model-menu" ref={ref} role="dialog" aria-label="Choose a model">
      <Combobox
        label="Search models"
        placeholder="Search Replicate and fal models…"
        query={q}
        onQuery={setQ}
        groups={groups}
        optionKey={(m) => m.ref}
        optionName={optionName}
        renderOption={ModelRow}
        onPick={pick}
        onClose={onClose}
        status={searching ? 'Searching…' : empty ? `No models match “${q}”.` : null}
      />
      {modelRef && !onPick && (
        <button type="button" className="btn ghost small pin" aria-pressed={isPinned} onClick={togglePin}>
          {isPinned ? `Unpin ${modelRef}` : `Pin ${modelRef} to the top`}
        </button>
      )}
    </div>
  );
}
