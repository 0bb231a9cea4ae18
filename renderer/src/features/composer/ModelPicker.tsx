import { useEffect, useRef, useState } from 'react';
import type { ModelSummary } from '../../../../shared/domain/model.ts';
import { composerStore, settingsStore, useComposer, useSettings } from '../../stores/index.ts';
import { formatCount } from '../../components/format.ts';

export function ModelPicker() {
  const model = useComposer((s) => s.model);
  const modelRef = useComposer((s) => s.modelRef);
  const version = useComposer((s) => s.version);
  const [open, setOpen] = useState(false);
  const [versionDraft, setVersionDraft] = useState('');
  const current: ModelSummary | null = model ?? null;

  return (
    <div className="model-picker">
      <button type="button" className="model-current" aria-haspopup="dialog" aria-expanded={open} onClick={() => setOpen(!open)}>
        {/* The name comes from this text rather than aria-label, so what is seen and what is
            announced cannot disagree (WCAG 2.5.3): the visible card is decoration for it. */}
        <span className="visually-hidden">{`Model: ${modelRef ?? 'none'}. Change model`}</span>
        <Cover m={current} />
        <span className="model-current-text" aria-hidden="true">
          <span className="model-name">{current?.name ?? modelRef ?? 'Choose a model'}</span>
          <span className="muted small">{current ? `${current.owner} · ${formatCount(current.runCount)}` : ' '}</span>
        </span>
        <span aria-hidden="true" className="chev">▾</span>
      </button>
      {open && <ModelMenu onClose={() => setOpen(false)} />}
      <details className="version-pin">
        <summary className="small muted">Version: {version ? version.slice(0, 12) : 'latest'}</summary>
        <form className="row gap" onSubmit={(e) => { e.preventDefault(); if (modelRef) void composerStore.getState().selectModel(modelRef, { version: versionDraft.trim() || null }); }}>
          <input aria-label="Pin version id" placeholder="version id (empty = latest)" value={versionDraft} onChange={(e) => setVersionDraft(e.target.value)} />
          <button type="submit" className="btn small">Use</button>
        </form>
      </details>
    </div>
  );
}

function Cover({ m }: { m: ModelSummary | null }) {
  const [broken, setBroken] = useState(false);
  if (m?.coverImageUrl && !broken) return <img className="cover" src={m.coverImageUrl} alt="" onError={() => setBroken(true)} />;
  return <span className="cover cover-fallback" aria-hidden="true">{(m?.name ?? '?').slice(0, 1).toUpperCase()}</span>;
}

function ModelMenu({ onClose }: { onClose: () => void }) {
  const featured = useComposer((s) => s.featured);
  const results = useComposer((s) => s.results);
  const searching = useComposer((s) => s.searching);
  const recent = useSettings((s) => s.settings.recentModels);
  const pinned = useSettings((s) => s.settings.pinnedModels);
  const [q, setQ] = useState('');
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const h = setTimeout(() => void composerStore.getState().search(q), 250);
    return () => clearTimeout(h);
  }, [q]);
  useEffect(() => {
    const onDown = (e: MouseEvent) => { if (ref.current && !ref.current.contains(e.target as Node) && !(e.target as HTMLElement).closest('.model-current')) onClose(); };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [onClose]);

  const pick = (ref: string) => { void composerStore.getState().selectModel(ref); onClose(); };
  const togglePin = (ref: string) => {
    const p = settingsStore.getState().settings.pinnedModels;
    void settingsStore.getState().update({ pinnedModels: p.includes(ref) ? p.filter((x) => x !== ref) : [...p, ref] });
  };
  const byRef = new Map(featured.map((m) => [m.ref, m]));
  const asSummary = (ref: string): ModelSummary => byRef.get(ref) ?? { ref, owner: ref.split('/')[0] ?? '', name: ref.split('/')[1] ?? ref, description: null, coverImageUrl: null, runCount: null };

  const Row = ({ m }: { m: ModelSummary }) => (
    <li className="model-row">
      <button type="button" className="model-pick" aria-description={m.description ?? undefined} onClick={() => pick(m.ref)}>
        {/* Named by its ref through text, not aria-label (see the current-model button above). */}
        <span className="visually-hidden">{m.ref}</span>
        <Cover m={m} />
        <span className="model-row-text" aria-hidden="true">
          <span className="model-name">{m.name} <span className="muted small">{m.owner}</span></span>
          {m.description && <span className="muted small clamp2">{m.description}</span>}
          {m.runCount != null && <span className="muted small">{formatCount(m.runCount)}</span>}
        </span>
      </button>
      <button type="button" className="btn ghost icon small pin" aria-label={`Pin ${m.ref}`} aria-pressed={pinned.includes(m.ref)} title={pinned.includes(m.ref) ? 'Unpin' : 'Pin to the top'} onClick={() => togglePin(m.ref)}>
        <svg width="14" height="14" viewBox="0 0 24 24" aria-hidden="true" fill={pinned.includes(m.ref) ? 'currentColor' : 'none'} stroke="currentColor" strokeWidth="2" strokeLinejoin="round"><path d="M9 3h6l-1 6 4 4H6l4-4-1-6zM12 13v8" /></svg>
      </button>
    </li>
  );

  return (
    <div className="model-menu" ref={ref} role="dialog" aria-label="Choose a model" onKeyDown={(e) => { if (e.key === 'Escape') { e.stopPropagation(); onClose(); } }}>
      <input type="search" autoFocus aria-label="Search models" placeholder="Search Replicate models…" value={q} onChange={(e) => setQ(e.target.value)} />
      <div className="model-menu-list">
        {results ? (
          <section>
            <h4>{searching ? 'Searching…' : `Results (${results.length})`}</h4>
            <ul>{results.map((m) => <Row key={m.ref} m={m} />)}</ul>
            {!searching && !results.length && <p className="muted small">No models match “{q}”.</p>}
          </section>
        ) : (
          <>
            {pinned.length > 0 && <section><h4>Pinned</h4><ul>{pinned.map((r) => <Row key={r} m={asSummary(r)} />)}</ul></section>}
            {recent.length > 0 && <section><h4>Recent</h4><ul>{recent.filter((r) => !pinned.includes(r)).slice(0, 5).map((r) => <Row key={r} m={asSummary(r)} />)}</ul></section>}
            <section><h4>Starter models</h4><ul>{featured.map((m) => <Row key={m.ref} m={m} />)}</ul></section>
          </>
        )}
      </div>
    </div>
  );
}
