import { memo, useState, type KeyboardEvent, type MouseEvent } from 'react';
import type { PredictionView } from '../../../../shared/domain/prediction.ts';
import { usePredictions, useUi, uiStore } from '../../stores/index.ts';
import { useNow } from '../../components/now.ts';
import { windowApi } from '../../api.ts';
import { excerpt, formatDuration } from '../../components/format.ts';
import { statusBadge, pendingCaption, cardLabel, canCancel, runTimeMs, primaryOutput, canRedownload } from './status.ts';
import * as act from './actions.ts';
import { CardCost, retryCostId } from '../cost/CardCost.tsx';

export const Card = memo(function Card({ id, index }: { id: string; index: number }) {
  const p = usePredictions((s) => s.byId[id]);
  const selected = useUi((s) => !!s.selected[id]);
  const online = useUi((s) => s.online);
  const badgeNow = useNow(!!p && (p.status === 'starting' || p.status === 'processing' || (p.expiresAt != null && p.saveState === 'none')));
  if (!p) return null;
  const badge = statusBadge(p, badgeNow, online);
  const out = primaryOutput(p);
  // A file deleted outside Kiln: no broken image, the card offers a re-download instead.
  const gone = out?.state === 'missing';
  const missing = canRedownload(p);
  const media = out && out.path && !gone ? windowApi().mediaUrl(out.thumbPath ?? out.path) : null;
  const runMs = runTimeMs(p);
  const active = canCancel(p); // not terminal: still worth watching
  const caption = pendingCaption(p, badgeNow, online);

  const open = () => uiStore.getState().openDetail(id);
  const onClick = (e: MouseEvent) => {
    if ((e.target as HTMLElement).closest('button, summary, input, label, a, details')) return;
    if (e.ctrlKey || e.metaKey || e.shiftKey) { uiStore.getState().toggleSelect(id); return; }
    open();
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.target !== e.currentTarget) return;
    if (e.key === 'Enter') { e.preventDefault(); open(); }
    else if (e.key === ' ') { e.preventDefault(); uiStore.getState().toggleSelect(id); }
    else if (e.key === 'Delete') { e.preventDefault(); void act.remove([id]); }
  };

  return (
    <article
      className={`card tone-${badge.tone}${selected ? ' selected' : ''}`}
      aria-label={cardLabel(p)}
      tabIndex={0}
      data-index={index}
      data-id={id}
      onClick={onClick}
      onKeyDown={onKey}
    >
      <div className="card-media">
        {gone ? (
          <div className="card-placeholder card-missing">
            <svg aria-hidden="true" width="34" height="34" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" strokeLinejoin="round">
              <rect x="3.5" y="4.5" width="17" height="15" rx="2" /><path d="M4 5l16 14" />
            </svg>
            <span className="small">The file was deleted outside Kiln</span>
          </div>
        ) : out?.kind === 'video' && out.path ? (
          <video src={windowApi().mediaUrl(out.path)} poster={out.thumbPath ? windowApi().mediaUrl(out.thumbPath) : undefined} muted loop playsInline preload="metadata"
            onMouseEnter={(e) => void e.currentTarget.play().catch(() => {})} onMouseLeave={(e) => e.currentTarget.pause()} />
        ) : media && out?.kind === 'image' ? (
          <img src={media} alt="" loading="lazy" decoding="async" draggable={false} />
        ) : p.text ? (
          <div className="card-text">{p.text.slice(-600)}</div>
        ) : (
          <div className={`card-placeholder${caption ? ' card-pending' : ''}`} aria-hidden="true">
            {caption && (
              <div className="pending-caption">
                <span className="pending-title">{caption.title}</span>
                {caption.detail && <span className="pending-detail">{caption.detail}</span>}
              </div>
            )}
            {!caption && (
              <svg width="34" height="34" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" strokeLinejoin="round">
                {p.error
                  ? <><circle cx="12" cy="12" r="9" /><path d="M12 7.5v5.5M12 16.5h.01" /></>
                  : <><rect x="3.5" y="4.5" width="17" height="15" rx="2" /><path d="M3.5 15l5-5 4 4 3-3 5 5" /></>}
              </svg>
            )}
          </div>
        )}
        {p.progress && active && (
          <div className="progress" role="progressbar" aria-label="Progress" aria-valuenow={Math.round(p.progress.percent)} aria-valuemin={0} aria-valuemax={100}>
            <div style={{ width: `${p.progress.percent}%` }} />
          </div>
        )}
        <label className="card-select" title="Select">
          <input type="checkbox" checked={selected} aria-label="Select" onChange={() => uiStore.getState().toggleSelect(id)} />
        </label>
        {p.variantCount > 1 && <span className="variants" title="Retries of the same input">{p.variantCount} variants</span>}
        {p.logsTail && active && <pre className="log-tail" aria-hidden="true">{p.logsTail.split(/\r?\n|\r/).filter(Boolean).slice(-4).join('\n')}</pre>}
      </div>
      <div className="card-body">
        <div className="card-status-row">
          <span className={`badge ${badge.tone}`}>{badge.text}</span>
          {runMs != null && <span className="muted small">{formatDuration(runMs)}</span>}
        </div>
        <p className="card-prompt" title={p.prompt ?? undefined}>{excerpt(p.prompt, 110) || <span className="muted">{p.model}</span>}</p>
        <p className="card-model muted small">{p.model}</p>
        <CardCost p={p} />
        {p.note && <p className="card-note small">{p.note}</p>}
        {p.error && p.status !== 'succeeded' && <p className="card-error small" title={p.error.message}>{excerpt(p.error.message, 100)}</p>}
        <div className="card-actions">
          <button type="button" className="btn small icon" aria-label={p.favourite ? 'Unfavourite' : 'Favourite'} aria-pressed={p.favourite} onClick={() => act.favourite(p)}>{p.favourite ? '★' : '☆'}</button>
          {/* One primary action slot, so the row never overflows the card: a missing file's fix comes first. */}
          {canCancel(p)
            ? <button type="button" className="btn small" onClick={() => act.cancel(id)}>Cancel</button>
            : missing
              ? <button type="button" className="btn small accent" onClick={() => act.redownload(id)}>Re-download</button>
              : <button type="button" className={`btn small${p.status === 'succeeded' && p.saveState !== 'expired' ? '' : ' accent'}`} onClick={() => void act.retry(id)} aria-describedby={retryCostId(id, 'card')}>Retry</button>}
          <button type="button" className="btn small" onClick={() => act.remix(p)}>Remix</button>
          <button type="button" className="btn small danger-ghost" onClick={() => void act.remove([id])}>Delete</button>
          <MoreMenu p={p} out={out} missing={missing} />
        </div>
      </div>
    </article>
  );
});

type Output = PredictionView['outputs'][number];

// The menu's items exist only while it is open: a closed <details> still builds, styles and lays
// out its content, and that was eight elements per card on every scroll frame.
function MoreMenu({ p, out, missing }: { p: PredictionView; out: Output | null; missing: boolean }) {
  const [open, setOpen] = useState(false);
  const id = p.id;
  return (
    <details className="more" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary className="btn small icon" aria-label="More actions">⋯</summary>
      {open && (
        <div className="menu" role="menu">
          <button type="button" role="menuitem" onClick={() => act.copyPrompt(p)}>Copy prompt</button>
          {(canCancel(p) || missing) && <button type="button" role="menuitem" onClick={() => void act.retry(id)}>{missing ? 'Retry' : 'Run again'}</button>}
          {act.fileActions(p, out).map((a) => <button key={a.label} type="button" role="menuitem" onClick={a.run}>{a.label}</button>)}
        </div>
      )}
    </details>
  );
}
