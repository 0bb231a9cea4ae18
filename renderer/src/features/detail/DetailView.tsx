import { useEffect, useRef, useState, type PointerEvent, type WheelEvent } from 'react';
import type { PredictionView, OutputView } from '../../../../shared/domain/prediction.ts';
import { usePredictions, predictionsStore, uiStore, useUi } from '../../stores/index.ts';
import { windowApi } from '../../api.ts';
import { SafeMarkdown } from '../../components/Markdown.tsx';
import { useNow } from '../../components/now.ts';
import { formatDuration, formatBytes } from '../../components/format.ts';
import { statusBadge, canCancel, cardLabel, canRedownload } from '../gallery/status.ts';
import * as act from '../gallery/actions.ts';
import { DetailCost, retryCostId } from '../cost/CardCost.tsx';

export function DetailView({ id }: { id: string }) {
  const p = usePredictions((s) => s.byId[id]);
  const online = useUi((s) => s.online);
  const now = useNow(!!p && (p.status === 'starting' || p.status === 'processing'));
  const ref = useRef<HTMLDivElement>(null);
  const [outIdx, setOutIdx] = useState(0);

  useEffect(() => {
    const prev = document.activeElement as HTMLElement | null;
    ref.current?.focus();
    return () => prev?.focus?.();
  }, []);
  useEffect(() => setOutIdx(0), [id]);
  useEffect(() => {
    // Not in the loaded page (e.g. opened from a notification): fetch it.
    if (!p) windowApi().invoke('predictions:get', { id }).then((v) => predictionsStore.getState().upsert(v), () => uiStore.getState().openDetail(null));
  }, [id, p]);

  const move = (d: number) => {
    const ids = predictionsStore.getState().ids;
    const i = ids.indexOf(id);
    const next = ids[i + d];
    if (i >= 0 && next) uiStore.getState().openDetail(next);
  };
  // On the window, so the keys keep working when focus was lost (e.g. the focused button vanished).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      if (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'VIDEO' || t.tagName === 'SELECT') return;
      if (e.key === 'Escape') { e.preventDefault(); uiStore.getState().openDetail(null); }
      else if (e.key === 'ArrowRight') { e.preventDefault(); move(1); }
      else if (e.key === 'ArrowLeft') { e.preventDefault(); move(-1); }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  if (!p) return null;
  const badge = statusBadge(p, now, online);
  const out = p.outputs[outIdx] ?? p.outputs[0] ?? null;

  return (
    <div className="lightbox" role="dialog" aria-modal="true" aria-label={`Details: ${cardLabel(p)}`} tabIndex={-1} ref={ref}>
      <div className="lightbox-stage">
        <Stage p={p} out={out} />
        {p.outputs.length > 1 && (
          <div className="output-strip" role="group" aria-label="Outputs">
            {p.outputs.map((o, i) => (
              <button key={o.index} type="button" className={`thumb${i === outIdx ? ' on' : ''}`} aria-label={`Output ${i + 1}`} aria-pressed={i === outIdx} onClick={() => setOutIdx(i)}>
                {o.kind === 'image' && (o.thumbPath ?? o.path) ? <img src={windowApi().mediaUrl((o.thumbPath ?? o.path)!)} alt="" /> : <span>{i + 1}</span>}
              </button>
            ))}
          </div>
        )}
        <button type="button" className="nav prev" aria-label="Previous" onClick={() => move(-1)}>‹</button>
        <button type="button" className="nav next" aria-label="Next" onClick={() => move(1)}>›</button>
      </div>
      <aside className="lightbox-side">
        <div className="side-head">
          <span className={`badge ${badge.tone}`}>{badge.text}</span>
          <button type="button" className="btn icon" aria-label="Close" onClick={() => uiStore.getState().openDetail(null)}>×</button>
        </div>
        <h2 className="detail-prompt">{p.prompt ?? p.model}</h2>
        <p className="muted small">{p.model}{p.version ? ` · ${p.version.slice(0, 12)}` : ''} · {new Date(p.createdAt).toLocaleString()}</p>
        <DetailCost p={p} />
        {p.note && <p className="card-note small">{p.note}</p>}
        {p.error && <p className="card-error">{p.error.code ? `${p.error.code}: ` : ''}{p.error.message}</p>}
        {/* What you do with a prediction first, then the file chores as a quieter row, so the
            panel does not open on a wall of equal buttons. */}
        <div className="detail-actions">
          {canCancel(p) && <button type="button" className="btn" onClick={() => act.cancel(p.id)}>Cancel</button>}
          {canRedownload(p) && <button type="button" className="btn accent" onClick={() => act.redownload(p.id)}>Re-download</button>}
          <button type="button" className="btn" onClick={() => void act.retry(p.id)} aria-describedby={retryCostId(p.id, 'detail')}>Retry</button>
          <button type="button" className="btn" onClick={() => act.remix(p)}>Remix</button>
          <button type="button" className="btn" aria-pressed={p.favourite} onClick={() => act.favourite(p)}>{p.favourite ? '★ Favourite' : '☆ Favourite'}</button>
          <button type="button" className="btn danger-ghost push-end" onClick={() => { const next = neighbour(p.id); void act.remove([p.id]); uiStore.getState().openDetail(next); }}>Delete</button>
        </div>
        <div className="detail-actions secondary">
          <button type="button" className="btn small ghost" onClick={() => act.copyPrompt(p)}>Copy prompt</button>
          {act.fileActions(p, out).map((a) => <button key={a.label} type="button" className="btn small ghost" onClick={a.run}>{a.label}</button>)}
        </div>
        <Section title="Input">
          <table className="kv">
            <tbody>
              {Object.entries(p.input).map(([k, v]) => (
                <tr key={k}><th scope="row">{k}</th><td>{typeof v === 'string' ? v : JSON.stringify(v)}</td></tr>
              ))}
            </tbody>
          </table>
          <button type="button" className="btn small" onClick={() => void navigator.clipboard.writeText(JSON.stringify(p.input, null, 2)).then(() => uiStore.getState().toast('Input JSON copied', { timeout: 2000 }))}>Copy JSON</button>
        </Section>
        <Section title="Timeline">
          <ol className="timeline">
            {p.timeline.map((t, i) => {
              const end = p.timeline[i + 1]?.at ?? (canCancel(p) ? now : null);
              return <li key={i}><span className={`badge small-badge`}>{t.status}</span> <span className="muted small">{new Date(t.at).toLocaleTimeString()}{end != null ? ` · ${formatDuration(end - t.at)}` : ''}</span></li>;
            })}
          </ol>
          {p.metrics && (
            <p className="small muted">
              {p.metrics.predictTime != null && <>Predict time {formatDuration(p.metrics.predictTime * 1000)}. </>}
              {p.metrics.totalTime != null && <>Total {formatDuration(p.metrics.totalTime * 1000)}.</>}
            </p>
          )}
          {out && <p className="small muted">{out.mime ?? out.kind}{out.width ? ` · ${out.width}×${out.height}` : ''}{out.size ? ` · ${formatBytes(out.size)}` : ''} · {out.state}</p>}
        </Section>
        {p.logsTail && (
          <Section title="Logs">
            <pre className="logs">{p.logsTail}</pre>
          </Section>
        )}
      </aside>
    </div>
  );
}

function neighbour(id: string): string | null {
  const ids = predictionsStore.getState().ids;
  const i = ids.indexOf(id);
  return ids[i + 1] ?? ids[i - 1] ?? null;
}

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return <section className="detail-section"><h3>{title}</h3>{children}</section>;
}

function Stage({ p, out }: { p: PredictionView; out: OutputView | null }) {
  if (out?.state === 'missing') {
    return (
      <div className="stage-empty stage-missing">
        <p><strong>File missing</strong></p>
        <p>This output was deleted outside Kiln. Replicate may still have it for a while.</p>
        <button type="button" className="btn primary" onClick={() => act.redownload(p.id)}>Re-download file</button>
      </div>
    );
  }
  if (out?.kind === 'image' && out.path) return <ZoomImage src={windowApi().mediaUrl(out.path)} alt={p.prompt ?? p.model} />;
  if (out?.kind === 'video' && out.path) return <video className="stage-video" src={windowApi().mediaUrl(out.path)} poster={out.thumbPath ? windowApi().mediaUrl(out.thumbPath) : undefined} controls autoPlay loop />;
  if (out?.kind === 'audio' && out.path) return <audio src={windowApi().mediaUrl(out.path)} controls />;
  // Model text: markdown without raw HTML, remote images or in-page navigation (see SafeMarkdown).
  if (p.text) return <div className="stage-text markdown"><SafeMarkdown>{p.text}</SafeMarkdown></div>;
  return <div className="stage-empty muted">{p.error ? 'No output' : canCancel(p) ? 'Working on it…' : p.saveState === 'expired' ? 'The outputs expired on Replicate before they could be saved.' : 'No output saved'}</div>;
}

function ZoomImage({ src, alt }: { src: string; alt: string }) {
  const [z, setZ] = useState({ s: 1, x: 0, y: 0 });
  const drag = useRef<{ x: number; y: number } | null>(null);
  useEffect(() => setZ({ s: 1, x: 0, y: 0 }), [src]);
  const onWheel = (e: WheelEvent) => {
    const s = Math.min(8, Math.max(1, z.s * (e.deltaY < 0 ? 1.15 : 1 / 1.15)));
    setZ(s === 1 ? { s, x: 0, y: 0 } : { ...z, s });
  };
  const down = (e: PointerEvent) => { if (z.s > 1) { drag.current = { x: e.clientX - z.x, y: e.clientY - z.y }; (e.target as Element).setPointerCapture(e.pointerId); } };
  const moveP = (e: PointerEvent) => { if (drag.current) setZ({ ...z, x: e.clientX - drag.current.x, y: e.clientY - drag.current.y }); };
  return (
    <div className={`zoom${z.s > 1 ? ' zoomed' : ''}`} onWheel={onWheel} onDoubleClick={() => setZ(z.s > 1 ? { s: 1, x: 0, y: 0 } : { s: 2.5, x: 0, y: 0 })}
      onPointerDown={down} onPointerMove={moveP} onPointerUp={() => { drag.current = null; }}>
      <img src={src} alt={alt} draggable={false} style={{ transform: `translate(${z.x}px, ${z.y}px) scale(${z.s})` }} />
    </div>
  );
}
