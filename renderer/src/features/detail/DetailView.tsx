import { lazy, Suspense, useEffect, useRef, useState, type DragEvent, type PointerEvent, type WheelEvent } from 'react';
import type { PredictionView, OutputView } from '../../../../shared/domain/prediction.ts';
import { usePredictions, predictionsStore, uiStore, useUi } from '../../stores/index.ts';
import { windowApi } from '../../api.ts';
import { useNow } from '../../components/now.ts';
import { formatDuration, formatBytes } from '../../components/format.ts';
import { statusBadge, canCancel, cardLabel, canRedownload, previewPath, tooLargeToPreview, firstShownOutput } from '../gallery/status.ts';
import * as act from '../gallery/actions.ts';
import { Dialog, DialogClose } from '../../ui/Dialog.tsx';

/** Past this many characters a prompt is clamped, with "Show all": the actions must stay in reach. */
const PROMPT_CLAMP_CHARS = 600;
/** What a clamped prompt renders at most (a 100 KB prompt would otherwise lay out in full, unseen). */
const PROMPT_PREVIEW_CHARS = 2_000;
import { DetailCost, retryCostId } from '../cost/CardCost.tsx';
import { ProviderBadge } from '../../components/ProviderBadge.tsx';
import { CopyAsCode } from '../reproduce/CopyAsCode.tsx';
import { UseAsInput, chainKind } from '../chain/UseAsInput.tsx';
import { SourceLink } from '../chain/SourceLink.tsx';
import { chainDragProps } from '../chain/drag.ts';
import { renderAsMarkdown } from './markdown-budget.ts';
import { ErrorBoundary } from '../../components/ErrorBoundary.tsx';
import '../chain/chain.css';

// The markdown stack (react-markdown, micromark, unified: about a fifth of the bundle) loads with the
// first text output opened, not at start, where the gallery's first cards wait for the bundle.
const SafeMarkdown = lazy(() => import('../../components/Markdown.tsx').then((m) => ({ default: m.SafeMarkdown })));

export function DetailView({ id }: { id: string }) {
  const p = usePredictions((s) => s.byId[id]);
  const online = useUi((s) => s.online);
  const now = useNow(!!p && (p.status === 'starting' || p.status === 'processing'));
  // Per prediction: moving to the next one starts on its first output worth showing (a picture
  // before the answer's JSON, firstShownOutput) with its prompt clamped.
  const [view, setView] = useState<{ id: string; outIdx: number | null; fullPrompt: boolean }>({ id, outIdx: null, fullPrompt: false });
  const outIdx = (view.id === id ? view.outIdx : null) ?? (p ? firstShownOutput(p) : 0);
  const fullPrompt = view.id === id && view.fullPrompt;
  const setOutIdx = (i: number) => setView({ id, outIdx: i, fullPrompt });
  const setFullPrompt = (f: boolean) => setView({ id, outIdx, fullPrompt: f });
  const [codeFor, setCodeFor] = useState<string | null>(null);
  const [chainFor, setChainFor] = useState<string | null>(null);
  // Chain by drag from here: while an output is dragged, the detail steps aside so the composer's
  // file fields beneath it can take the drop (features/chain/drag.ts).
  const [dragging, setDragging] = useState(false);
  useEffect(() => {
    // Not in the loaded page (e.g. opened from a notification): fetch it.
    if (!p)
      windowApi()
        .invoke('predictions:get', { id })
        .then(
          (v) => predictionsStore.getState().upsert(v),
          () => uiStore.getState().openDetail(null),
        );
  }, [id, p]);

  const move = (d: number) => {
    const ids = predictionsStore.getState().ids;
    const i = ids.indexOf(id);
    const next = ids[i + d];
    if (i >= 0 && next) uiStore.getState().openDetail(next);
  };
  // Focus is kept inside the dialog, so its own key handler hears the arrows; Escape belongs to
  // the dialog primitive (it closes only the topmost dialog).
  const onKey = (e: React.KeyboardEvent) => {
    const t = e.target as HTMLElement;
    if (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'VIDEO' || t.tagName === 'SELECT') return;
    if (e.key === 'ArrowRight') {
      e.preventDefault();
      move(1);
    } else if (e.key === 'ArrowLeft') {
      e.preventDefault();
      move(-1);
    }
  };

  if (!p) return null;
  const badge = statusBadge(p, now, online);
  const out = p.outputs[outIdx] ?? p.outputs[0] ?? null;
  const prompt = p.prompt ?? p.model;
  const long = prompt.length > PROMPT_CLAMP_CHARS;
  const drag = stepAsideDrag(chainDragProps(p, out), setDragging);

  return (
    <Dialog
      bare
      header={false}
      className={`lightbox${dragging ? ' lightbox-dragging' : ''}`}
      title={`Details: ${cardLabel(p)}`}
      onClose={() => uiStore.getState().openDetail(null)}
      onKeyDown={onKey}
    >
      <div className="lightbox-stage">
        <Stage p={p} out={out} drag={drag} />
        {drag && (
          // For any kind of output (a video's own controls take its drags) and for a zoomed image.
          <span className="stage-drag" {...drag} title="Drag onto a file field in the composer to use it as input">
            <span aria-hidden="true">⠿</span> Drag to a field
          </span>
        )}
        {p.outputs.length > 1 && (
          <div className="output-strip" role="group" aria-label="Outputs">
            {p.outputs.map((o, i) => (
              <button
                key={o.index}
                type="button"
                className={`thumb${i === outIdx ? ' on' : ''}`}
                aria-label={`Output ${i + 1}`}
                aria-pressed={i === outIdx}
                onClick={() => setOutIdx(i)}
              >
                {o.kind === 'image' && previewPath(o) ? (
                  <img src={windowApi().mediaUrl(previewPath(o)!)} alt="" />
                ) : (
                  // The answer's data beside its files (fal's seed, timings) says what it is, not a number.
                  <span title={o.kind === 'json' ? 'The answer as data (JSON)' : undefined}>{o.kind === 'json' ? '{ }' : i + 1}</span>
                )}
              </button>
            ))}
          </div>
        )}
        <button type="button" className="nav prev" aria-label="Previous" onClick={() => move(-1)}>
          ‹
        </button>
        <button type="button" className="nav next" aria-label="Next" onClick={() => move(1)}>
          ›
        </button>
      </div>
      <aside className="lightbox-side">
        <div className="side-head">
          <span className={`badge ${badge.tone}`}>{badge.text}</span>
          <DialogClose />
        </div>
        {/* What you do with a prediction comes first, above the prompt, so no prompt however long
            pushes it out of reach; the file chores follow as a quieter row. */}
        <div className="detail-actions">
          {canCancel(p) && (
            <button type="button" className="btn" onClick={() => act.cancel(p.id)}>
              Cancel
            </button>
          )}
          {canRedownload(p) && (
            <button type="button" className="btn accent" onClick={() => act.redownload(p.id)}>
              Re-download
            </button>
          )}
          {act.refusedForInput(p) ? (
            <button type="button" className="btn accent" onClick={() => act.fixAndRun(p)}>
              Fix and run
            </button>
          ) : (
            <button type="button" className="btn" onClick={() => void act.retry(p.id)} aria-describedby={retryCostId(p.id, 'detail')}>
              Retry
            </button>
          )}
          <button type="button" className="btn" onClick={() => act.remix(p)}>
            Remix
          </button>
          <button type="button" className="btn" aria-pressed={p.favourite} onClick={() => act.favourite(p)}>
            {p.favourite ? '★ Favourite' : '☆ Favourite'}
          </button>
          <button
            type="button"
            className="btn danger-ghost push-end"
            onClick={() => {
              const next = neighbour(p.id);
              void act.remove([p.id]);
              uiStore.getState().openDetail(next);
            }}
          >
            Delete
          </button>
        </div>
        <div className="detail-actions secondary">
          <button type="button" className="btn small ghost" onClick={() => act.copyPrompt(p)}>
            Copy prompt
          </button>
          {p.text && (
            <button type="button" className="btn small ghost" onClick={() => act.copyText(p)}>
              Copy text
            </button>
          )}
          {p.error && (
            <button type="button" className="btn small ghost" onClick={() => act.copyError(p)}>
              Copy error
            </button>
          )}
          <button type="button" className="btn small ghost" onClick={() => setCodeFor(p.id)}>
            Copy as code
          </button>
          {chainKind(out) && (
            <button type="button" className="btn small ghost" onClick={() => setChainFor(p.id)}>
              Use as input…
            </button>
          )}
          {act.fileActions(p, out).map((a) => (
            <button key={a.label} type="button" className="btn small ghost" onClick={a.run}>
              {a.label}
            </button>
          ))}
        </div>
        <h2 className={`detail-prompt${long ? (fullPrompt ? ' expanded' : ' clamped') : ''}`} id={`prompt-${p.id}`}>
          {long && !fullPrompt ? `${prompt.slice(0, PROMPT_PREVIEW_CHARS)}…` : prompt}
        </h2>
        {long && (
          <button
            type="button"
            className="btn small ghost show-all"
            aria-expanded={fullPrompt}
            aria-controls={`prompt-${p.id}`}
            onClick={() => setFullPrompt(!fullPrompt)}
          >
            {fullPrompt ? 'Show less' : 'Show all'}
          </button>
        )}
        <p className="muted small">
          <ProviderBadge provider={p.provider} /> {p.model}
          {p.version ? ` · ${p.version.slice(0, 12)}` : ''} · {new Date(p.createdAt).toLocaleString()}
        </p>
        <SourceLink p={p} />
        {p.seed != null && (
          <p className="muted small detail-seed">
            Seed <span className="mono">{p.seed}</span>
            {p.input.seed === undefined ? ' (chosen by the model)' : ''}
          </p>
        )}
        <DetailCost p={p} />
        {p.note && <p className="card-note small">{p.note}</p>}
        {/* The whole error, as text that can be selected and copied: it is what explains a failure. */}
        {p.error && <pre className="detail-error">{act.errorText(p.error)}</pre>}
        <Section title="Input">
          <table className="kv">
            <tbody>
              {Object.entries(p.input).map(([k, v]) => (
                <tr key={k}>
                  <th scope="row">{k}</th>
                  <td>{typeof v === 'string' ? v : JSON.stringify(v)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <button
            type="button"
            className="btn small"
            onClick={() =>
              void navigator.clipboard.writeText(JSON.stringify(p.input, null, 2)).then(() => uiStore.getState().toast('Input JSON copied', { timeout: 2000 }))
            }
          >
            Copy JSON
          </button>
        </Section>
        <Section title="Timeline">
          <ol className="timeline">
            {p.timeline.map((t, i) => {
              const end = p.timeline[i + 1]?.at ?? (canCancel(p) ? now : null);
              return (
                <li key={i}>
                  <span className={`badge small-badge`}>{t.status}</span>{' '}
                  <span className="muted small">
                    {new Date(t.at).toLocaleTimeString()}
                    {end != null ? ` · ${formatDuration(end - t.at)}` : ''}
                  </span>
                </li>
              );
            })}
          </ol>
          {p.metrics && (
            <p className="small muted">
              {p.metrics.predictTime != null && <>Predict time {formatDuration(p.metrics.predictTime * 1000)}. </>}
              {p.metrics.totalTime != null && <>Total {formatDuration(p.metrics.totalTime * 1000)}.</>}
            </p>
          )}
          {out && (
            <p className="small muted">
              {out.mime ?? out.kind}
              {out.width ? ` · ${out.width}×${out.height}` : ''}
              {out.size ? ` · ${formatBytes(out.size)}` : ''} · {out.state}
            </p>
          )}
        </Section>
        {p.logsTail && (
          <Section title="Logs">
            <pre className="logs">{p.logsTail}</pre>
          </Section>
        )}
      </aside>
      {codeFor === p.id && <CopyAsCode id={p.id} onClose={() => setCodeFor(null)} />}
      {chainFor === p.id && out && <UseAsInput p={p} out={out} onClose={() => setChainFor(null)} />}
    </Dialog>
  );
}

function neighbour(id: string): string | null {
  const ids = predictionsStore.getState().ids;
  const i = ids.indexOf(id);
  return ids[i + 1] ?? ids[i - 1] ?? null;
}

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <section className="detail-section">
      <h3>{title}</h3>
      {children}
    </section>
  );
}

type DragProps = { draggable: true; onDragStart: (e: DragEvent) => void; onDragEnd: (e: DragEvent) => void };

/**
 * The chain drag props, plus stepping aside: the detail covers the page and, as a modal, keeps it
 * from taking pointer events, so once the drag has begun (its image is taken) the detail hides and
 * lets the page take the drop; a drop taken closes it, a drag let go elsewhere brings it back.
 */
function stepAsideDrag(base: ReturnType<typeof chainDragProps>, setDragging: (d: boolean) => void): DragProps | null {
  const start = base.onDragStart;
  if (!start) return null;
  return {
    draggable: true,
    onDragStart: (e) => {
      start(e);
      uiStore.getState().setComposerOpen(true);
      requestAnimationFrame(() => {
        document.body.classList.add('kiln-chain-drag');
        setDragging(true);
      });
    },
    onDragEnd: (e) => {
      document.body.classList.remove('kiln-chain-drag');
      setDragging(false);
      if (e.dataTransfer.dropEffect !== 'none') uiStore.getState().openDetail(null);
    },
  };
}

function Stage({ p, out, drag }: { p: PredictionView; out: OutputView | null; drag: DragProps | null }) {
  if (out?.state === 'missing') {
    return (
      <div className="stage-empty stage-missing">
        <p>
          <strong>File missing</strong>
        </p>
        <p>This output was deleted outside Kiln. Replicate may still have it for a while.</p>
        <button type="button" className="btn primary" onClick={() => act.redownload(p.id)}>
          Re-download file
        </button>
      </div>
    );
  }
  if (out?.kind === 'image' && out.path && tooLargeToPreview(out)) {
    const path = out.path;
    return (
      <div className="stage-empty stage-too-large">
        <p>
          <strong>
            Too large to preview ({out.width}×{out.height})
          </strong>
        </p>
        <p>The picture is saved in full; decoding it here would take more memory than a preview should. Open it in an image viewer.</p>
        <button type="button" className="btn" onClick={() => act.reveal(path)}>
          Show in folder
        </button>
      </div>
    );
  }
  if (out?.kind === 'image' && out.path) return <ZoomImage src={windowApi().mediaUrl(out.path)} alt={p.prompt ?? p.model} drag={drag} />;
  if (out?.kind === 'video' && out.path)
    return (
      // Model outputs come without caption tracks: there is nothing to caption them with.
      // eslint-disable-next-line jsx-a11y/media-has-caption
      <video
        className="stage-video"
        src={windowApi().mediaUrl(out.path)}
        poster={out.thumbPath ? windowApi().mediaUrl(out.thumbPath) : undefined}
        controls
        autoPlay
        loop
      />
    );
  // eslint-disable-next-line jsx-a11y/media-has-caption
  if (out?.kind === 'audio' && out.path) return <audio src={windowApi().mediaUrl(out.path)} controls />;
  // Model text: markdown without raw HTML, remote images or in-page navigation (see SafeMarkdown),
  // when its parse is bounded (markdown-budget.ts); else, or if the render throws, as it is.
  if (p.text) {
    const plain = <p className="stage-text-plain">{p.text}</p>;
    return (
      <div className="stage-text markdown">
        {renderAsMarkdown(p.text) ? (
          <ErrorBoundary key={p.id} fallback={plain}>
            {/* The text as it is until the renderer arrives: nothing to wait for to read it. */}
            <Suspense fallback={plain}>
              <SafeMarkdown>{p.text}</SafeMarkdown>
            </Suspense>
          </ErrorBoundary>
        ) : (
          plain
        )}
      </div>
    );
  }
  return (
    <div className="stage-empty muted">
      {p.error
        ? 'No output'
        : canCancel(p)
          ? 'Working on it…'
          : p.saveState === 'expired'
            ? 'The outputs expired on Replicate before they could be saved.'
            : 'No output saved'}
    </div>
  );
}

function ZoomImage({ src, alt, drag: chain }: { src: string; alt: string; drag: DragProps | null }) {
  // A new image starts unzoomed: the zoom belongs to the src it was made on.
  const [zoom, setZoom] = useState({ src, s: 1, x: 0, y: 0 });
  const z = zoom.src === src ? zoom : { src, s: 1, x: 0, y: 0 };
  const setZ = (n: { s: number; x: number; y: number }) => setZoom({ src, ...n });
  const drag = useRef<{ x: number; y: number } | null>(null);
  const onWheel = (e: WheelEvent) => {
    const s = Math.min(8, Math.max(1, z.s * (e.deltaY < 0 ? 1.15 : 1 / 1.15)));
    setZ(s === 1 ? { s, x: 0, y: 0 } : { ...z, s });
  };
  const down = (e: PointerEvent) => {
    if (z.s > 1) {
      drag.current = { x: e.clientX - z.x, y: e.clientY - z.y };
      (e.target as Element).setPointerCapture(e.pointerId);
    }
  };
  const moveP = (e: PointerEvent) => {
    if (drag.current) setZ({ ...z, x: e.clientX - drag.current.x, y: e.clientY - drag.current.y });
  };
  return (
    <div
      className={`zoom${z.s > 1 ? ' zoomed' : ''}`}
      onWheel={onWheel}
      onDoubleClick={() => setZ(z.s > 1 ? { s: 1, x: 0, y: 0 } : { s: 2.5, x: 0, y: 0 })}
      onPointerDown={down}
      onPointerMove={moveP}
      onPointerUp={() => {
        drag.current = null;
      }}
    >
      {/* Unzoomed, the picture itself is dragged to a file field; zoomed, a drag pans it (the handle still chains). */}
      <img src={src} alt={alt} {...(z.s === 1 && chain ? chain : { draggable: false })} style={{ transform: `translate(${z.x}px, ${z.y}px) scale(${z.s})` }} />
    </div>
  );
}
