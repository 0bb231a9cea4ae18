import { memo, useEffect, useState, type KeyboardEvent, type MouseEvent } from 'react';
import type { PredictionView } from '../../../../shared/domain/prediction.ts';
import { usePredictions, useUi, uiStore } from '../../stores/index.ts';
import { useNow } from '../../components/now.ts';
import { windowApi } from '../../api.ts';
import { excerpt, formatDuration, formatElapsed } from '../../components/format.ts';
import {
  statusBadge,
  pendingCaption,
  cardLabel,
  canCancel,
  runTimeMs,
  primaryOutput,
  canRedownload,
  previewPath,
  tooLargeToPreview,
  countedOutputs,
} from './status.ts';
import * as act from './actions.ts';
import { Menu } from '../../ui/Menu.tsx';
import { CardCost, retryCostId } from '../cost/CardCost.tsx';
import { ProviderBadge } from '../../components/ProviderBadge.tsx';
import { UseAsInput, chainKind } from '../chain/UseAsInput.tsx';
import { usePosterFrame } from '../poster/poster.ts';

import { chainDragProps } from '../chain/drag.ts';
import { SourceLink } from '../chain/SourceLink.tsx';
import { useFlingShape } from '../scale/fling.ts';
import { TrashIcon } from '../../ui/StrokeIcon.tsx';

/** How long a video card stays on screen before its <video> is made (its length badge and hover preview). */
const VIDEO_AFTER_MS = 400;

/**
 * The first screenful of cards fetches its pictures at once: lazy loading holds each fetch back
 * until layout and an intersection check, ~100 ms on the pictures a person waits for at start.
 * Further down, lazy it stays: in a fast scroll it skips the rows passed over (measured: eager
 * everywhere cost the gallery bench ~40 % more main-thread time per frame).
 */
const EAGER_CARDS = 24;
const imageLoading = (index: number): 'eager' | 'lazy' => (index < EAGER_CARDS ? 'eager' : 'lazy');

/** True once `on` has held for `ms` since mount (a card a scroll passes by never gets there). */
function useSettled(on: boolean, ms: number): boolean {
  const [settled, setSettled] = useState(false);
  useEffect(() => {
    if (!on || settled) return;
    const t = setTimeout(() => setSettled(true), ms);
    return () => clearTimeout(t);
  }, [on, settled, ms]);
  return on && settled;
}

export const Card = memo(function Card({ id, index, setSize }: { id: string; index: number; setSize: number }) {
  const p = usePredictions((s) => s.byId[id]);
  const held = usePredictions((s) => s.held[id] !== undefined);
  const selected = useUi((s) => !!s.selected[id]);
  const online = useUi((s) => s.online);
  // A video's length, read from its metadata by the browser (the file is local).
  const [videoSecs, setVideoSecs] = useState<number | null>(null);
  usePosterFrame(id, p ? primaryOutput(p) : null);
  const isVideo = !!p && primaryOutput(p)?.kind === 'video';
  const settled = useSettled(isVideo, VIDEO_AFTER_MS);
  const [hovered, setVideoLive] = useState(false);
  const videoLive = settled || hovered;
  // Mounted during a fling: the picture and its badges only, until the scrolling slows; during a
  // racing one, not even the picture until it slows below that (scale/fling.ts).
  const { lite, blank } = useFlingShape();
  const badgeNow = useNow(!!p && (p.status === 'starting' || p.status === 'processing' || (p.expiresAt != null && p.saveState === 'none')));
  if (!p) return null;
  // Just deleted: the slot stays, empty and inert, so a second click lands on nothing.
  if (held) return <div className="card card-held" aria-hidden="true" data-index={index} />;
  const badge = statusBadge(p, badgeNow, online);
  const out = primaryOutput(p);
  // A file deleted outside Kiln: no broken image, the card offers a re-download instead.
  const gone = out?.state === 'missing';
  const missing = canRedownload(p);
  const shown = out && out.path && !gone ? previewPath(out) : null;
  const media = shown ? windowApi().mediaUrl(shown) : null;
  // Held back while the gallery races past (scale/fling.ts): the area keeps its size and tone.
  const heldBack = blank && (out?.kind === 'video' || out?.kind === 'image');
  const runMs = runTimeMs(p);
  const active = canCancel(p); // not terminal: still worth watching
  const message = p.error && p.status !== 'succeeded' ? { kind: 'error', text: p.error.message } : p.note ? { kind: 'note', text: p.note } : null;
  const caption = pendingCaption(p, badgeNow, online);
  const progress = !lite && active ? p.progress : null;

  const open = () => uiStore.getState().openDetail(id);
  const onClick = (e: MouseEvent) => {
    if ((e.target as HTMLElement).closest('button, input, label, a, [role="menu"]')) return;
    if (e.ctrlKey || e.metaKey || e.shiftKey) {
      uiStore.getState().toggleSelect(id);
      return;
    }
    open();
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.target !== e.currentTarget) return;
    if (e.key === 'Enter') {
      e.preventDefault();
      open();
    } else if (e.key === ' ') {
      e.preventDefault();
      uiStore.getState().toggleSelect(id);
    } else if (e.key === 'Delete') {
      e.preventDefault();
      void act.remove([id]);
    }
  };

  return (
    // The ARIA feed pattern: each article takes focus itself (arrow keys move between them, Enter
    // opens, Delete deletes), so it carries a tab stop and key handlers although it is not a control.
    // eslint-disable-next-line jsx-a11y/no-noninteractive-element-interactions
    <article
      className={`card tone-${badge.tone}${selected ? ' selected' : ''}`}
      aria-label={cardLabel(p)}
      aria-posinset={index + 1}
      aria-setsize={setSize}
      // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
      tabIndex={0}
      data-index={index}
      data-id={id}
      onClick={onClick}
      onKeyDown={onKey}
    >
      {/* Drag an output onto a composer file field to chain it (features/chain/drag.ts). */}
      <div className="card-media" {...chainDragProps(p, out)}>
        {gone ? (
          <div className="card-placeholder card-missing">
            <svg
              aria-hidden="true"
              width="34"
              height="34"
              viewBox="0 0 24 24"
              fill="none"
              stroke="currentColor"
              strokeWidth="1.5"
              strokeLinecap="round"
              strokeLinejoin="round"
            >
              <rect x="3.5" y="4.5" width="17" height="15" rx="2" />
              <path d="M4 5l16 14" />
            </svg>
            <span className="small">The file was deleted outside Kiln</span>
          </div>
        ) : heldBack ? null : out?.kind === 'video' && out.path && !videoLive && out.thumbPath ? (
          // Its poster until the card has stayed on screen a moment (useSettled): a <video> element
          // builds a media player and fetches the file's header, which on every card a fast scroll
          // passes cost the gallery its frame rate.
          <img
            src={windowApi().mediaUrl(out.thumbPath)}
            alt=""
            loading={imageLoading(index)}
            decoding="async"
            draggable={false}
            onPointerEnter={() => setVideoLive(true)}
          />
        ) : out?.kind === 'video' && out.path && videoLive ? (
          <video
            src={windowApi().mediaUrl(out.path)}
            poster={out.thumbPath ? windowApi().mediaUrl(out.thumbPath) : undefined}
            muted
            loop
            playsInline
            preload="metadata"
            onLoadedMetadata={(e) => {
              const d = e.currentTarget.duration;
              if (Number.isFinite(d)) setVideoSecs(d);
            }}
            onMouseEnter={(e) => void e.currentTarget.play().catch(() => {})}
            onMouseLeave={(e) => e.currentTarget.pause()}
          />
        ) : media && out?.kind === 'image' ? (
          <img src={media} alt="" loading={imageLoading(index)} decoding="async" draggable={false} />
        ) : out?.path && tooLargeToPreview(out) ? (
          <div className="card-placeholder card-missing card-too-large">
            <span className="small">
              Too large to preview ({out.width}×{out.height})
            </span>
          </div>
        ) : p.text ? (
          // While the answer streams, its newest words; once finished, its beginning.
          <div className={`card-text${active ? ' streaming' : ''}`}>{active ? p.text.slice(-600) : p.text.slice(0, 600)}</div>
        ) : (
          // `with-progress`: a class rather than `:has(+ .progress)`, which the engine would check on every
          // DOM change (and the gallery changes on every scroll frame).
          <div className={`card-placeholder${caption ? ' card-pending' : ''}${progress ? ' with-progress' : ''}`} aria-hidden="true">
            {caption && (
              <div className="pending-caption">
                <span className="pending-title">{caption.title}</span>
                {caption.detail && <span className="pending-detail">{caption.detail}</span>}
              </div>
            )}
            {!caption && (
              <svg width="34" height="34" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" strokeLinejoin="round">
                {p.error ? (
                  <>
                    <circle cx="12" cy="12" r="9" />
                    <path d="M12 7.5v5.5M12 16.5h.01" />
                  </>
                ) : (
                  <>
                    <rect x="3.5" y="4.5" width="17" height="15" rx="2" />
                    <path d="M3.5 15l5-5 4 4 3-3 5 5" />
                  </>
                )}
              </svg>
            )}
          </div>
        )}
        {progress && (
          <div className="progress" role="progressbar" aria-label="Progress" aria-valuenow={Math.round(progress.percent)} aria-valuemin={0} aria-valuemax={100}>
            <div style={{ width: `${progress.percent}%` }} />
          </div>
        )}
        {!lite && (
          <label className="card-select" title="Select">
            <input type="checkbox" checked={selected} aria-label="Select" onChange={() => uiStore.getState().toggleSelect(id)} />
          </label>
        )}
        <div className="card-badges">
          {countedOutputs(p) > 1 && (
            <span className="media-badge" title={`${countedOutputs(p)} outputs`}>
              <span aria-hidden="true">×</span>
              {countedOutputs(p)}
              <span className="visually-hidden"> outputs</span>
            </span>
          )}
          {p.variantCount > 1 && (
            <span className="media-badge variants" title="Retries of the same input">
              {p.variantCount} variants
            </span>
          )}
        </div>
        {out?.kind === 'video' && (
          <span className="media-badge video-badge" title="Video">
            <span aria-hidden="true">▶</span>
            <span className="visually-hidden">Video</span>
            {videoSecs != null && ` ${formatElapsed(videoSecs * 1000)}`}
          </span>
        )}
        {!lite && p.logsTail && active && (
          <pre className="log-tail" aria-hidden="true">
            {p.logsTail
              .split(/\r?\n|\r/)
              .filter(Boolean)
              .slice(-4)
              .join('\n')}
          </pre>
        )}
      </div>
      {lite ? (
        // The text and actions come with the whole card; this holds their place (drawn as a sketch).
        <div className="card-body card-body-lite" />
      ) : (
        <div className="card-body">
          <div className="card-status-row">
            <span className={`badge ${badge.tone}`}>{badge.text}</span>
            {runMs != null && <span className="muted small">{formatDuration(runMs)}</span>}
          </div>
          {/* An ended run's cost and a message both below: the prompt gives up its second line (base.css, .card-body). */}
          <p className={`card-prompt${message && !active ? ' one-line' : ''}`} title={p.prompt ?? undefined}>
            {excerpt(p.prompt, 110) || <span className="muted">{p.model}</span>}
          </p>
          {p.source ? (
            // Chain: where this run's input came from, a link back to it (features/chain/SourceLink.tsx).
            <p className="card-model has-source muted small">
              <span className="card-model-name">
                <ProviderBadge provider={p.provider} /> {p.model}
              </span>
              <SourceLink p={p} compact />
            </p>
          ) : (
            <p className="card-model muted small">
              <ProviderBadge provider={p.provider} /> {p.model}
            </p>
          )}
          <CardCost p={p} />
          {/* One message line: why it failed, else what Kiln is doing about it (both are in the detail view). */}
          {message?.kind === 'error' ? (
            <p className="card-error small" title={message.text}>
              {excerpt(message.text, 100)}
            </p>
          ) : message ? (
            <p className="card-note small" title={message.text}>
              {message.text}
            </p>
          ) : null}
          <div className="card-actions">
            <button
              type="button"
              className="btn small icon"
              aria-label={p.favourite ? 'Unfavourite' : 'Favourite'}
              aria-pressed={p.favourite}
              onClick={() => act.favourite(p)}
            >
              {p.favourite ? '★' : '☆'}
            </button>
            {/* One primary action slot, so the row never overflows the card: a missing file's fix comes first. */}
            {canCancel(p) ? (
              <button type="button" className="btn small" onClick={() => act.cancel(id)}>
                Cancel
              </button>
            ) : missing ? (
              <button type="button" className="btn small accent" onClick={() => act.redownload(id)}>
                Re-download
              </button>
            ) : act.refusedForInput(p) ? (
              <button type="button" className="btn small accent" onClick={() => act.fixAndRun(p)}>
                Fix and run
              </button>
            ) : (
              <button
                type="button"
                className={`btn small${p.status === 'succeeded' && p.saveState !== 'expired' ? '' : ' accent'}`}
                onClick={() => void act.retry(id)}
                aria-describedby={retryCostId(id, 'card')}
              >
                Retry
              </button>
            )}
            <button type="button" className="btn small" onClick={() => act.remix(p)}>
              Remix
            </button>
            {/* A small button beside the menu (the fixed interface names a "Delete" button on every card);
                undoable from the toast, and also last in the menu. */}
            <button
              type="button"
              className="btn small icon card-delete"
              aria-label="Delete"
              title="Delete (undo from the toast)"
              onClick={() => void act.remove([p.id])}
            >
              <TrashIcon size={13} />
            </button>
            <MoreMenu p={p} out={out} missing={missing} />
          </div>
        </div>
      )}
    </article>
  );
});

type Output = PredictionView['outputs'][number];

function MoreMenu({ p, out, missing }: { p: PredictionView; out: Output | null; missing: boolean }) {
  const [chaining, setChaining] = useState(false);
  const items = [
    ...(chainKind(out) ? [{ label: 'Use as input…', run: () => setChaining(true) }] : []),
    { label: 'Copy prompt', run: () => act.copyPrompt(p) },
    ...(p.text ? [{ label: 'Copy text', run: () => act.copyText(p) }] : []),
    ...((canCancel(p) || missing) && !act.refusedForInput(p) ? [{ label: missing ? 'Retry' : 'Run again', run: () => void act.retry(p.id) }] : []),
    ...act.fileActions(p, out),
    // Last and behind the menu: the one action that takes the run away (undoable from the toast).
    { label: 'Delete', run: () => void act.remove([p.id]) },
  ];
  return (
    <>
      <Menu label="More actions" items={items} triggerClassName="btn small icon more-trigger" />
      {chaining && out && <UseAsInput p={p} out={out} onClose={() => setChaining(false)} />}
    </>
  );
}
