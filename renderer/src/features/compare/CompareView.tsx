import { useEffect, useMemo, useState, type PointerEvent } from 'react';
import type { PredictionView } from '../../../../shared/domain/prediction.ts';
import type { CanonicalInput } from '../../../../shared/compare/canonical.ts';
import { parseRatio } from '../../../../shared/compare/canonical.ts';
import { runRef } from '../../../../shared/domain/provider.ts';
import { useShallow } from 'zustand/react/shallow';
import { usePredictions, predictionsStore, uiStore } from '../../stores/index.ts';
import { windowApi, errorMessage } from '../../api.ts';
import { Dialog } from '../../ui/Dialog.tsx';
import { primaryOutput, statusBadge, tooLargeToPreview } from '../gallery/status.ts';
import * as act from '../gallery/actions.ts';
import { fanoutStore } from '../stacks/store.ts';
import { needsRetry, stackProgress } from '../stacks/stack-model.ts';
import { confirmGroupBudget } from '../stacks/fanout-money.ts';
import { useNow } from '../../components/now.ts';
import './compare.css';

// A compare's results together (issue 14): one pane per model side by side, or a slider over two
// images; zoom is one setting for every pane (and follows the pointer in all of them at once), so
// the same detail is looked at in each. A failed model shows its reason and retries alone.
// Re-run sends the same inputs again as a new compare; Remix opens the compare dialog with them.

function groupMembers(byId: Record<string, PredictionView>, ids: string[], groupId: string): PredictionView[] {
  return ids.map((id) => byId[id]).filter((p): p is PredictionView => !!p && p.groupId === groupId);
}

/** The canonical input a compare was made from, read back from its first member. */
export function canonicalOf(p: PredictionView): CanonicalInput {
  const i = p.input;
  const str = (...keys: string[]) => keys.map((k) => i[k]).find((v): v is string => typeof v === 'string' && v !== '') ?? '';
  const ratio = str('aspect_ratio');
  return {
    prompt: p.prompt ?? str('prompt'),
    negativePrompt: str('negative_prompt'),
    seed: typeof i.seed === 'number' ? i.seed : null,
    aspectRatio: ratio && parseRatio(ratio) ? ratio : '',
    image: str('image', 'image_url'),
  };
}

export function CompareView({ groupId }: { groupId: string }) {
  // Its members' views, compared one by one: `byId` is updated in place (stores/predictions.ts),
  // so the array changes exactly when a member's view does.
  const members = usePredictions(useShallow((s) => groupMembers(s.byId, s.ids, groupId)));
  // The panes in the order the models were added: each member keeps its index in the group (a
  // retry its original's), so neither the gallery's order (same-millisecond ties broken by id) nor
  // the history's insert order (changed by a delete + undo or an import) decides it.
  const prog = useMemo(() => stackProgress(members), [members]);
  const [mode, setMode] = useState<'side' | 'slider'>('side');
  const [zoom, setZoom] = useState(1);
  const [origin, setOrigin] = useState({ x: 50, y: 50 });
  const [split, setSplit] = useState(50);

  // Members not in the loaded page (an old compare): ask the history for the whole group.
  useEffect(() => {
    windowApi()
      .invoke('predictions:list', { groupId, limit: 200 })
      .then(
        (r) => {
          for (const v of r.items) if (!predictionsStore.getState().byId[v.id]) predictionsStore.getState().upsert(v);
        },
        () => {},
      );
  }, [groupId]);

  // Pictures the slider may decode whole (not one too large to preview: gallery/status.ts).
  const images = prog.current.filter((p) => {
    const o = primaryOutput(p);
    return o?.kind === 'image' && !!o.path && !tooLargeToPreview(o);
  });
  const canSlide = images.length >= 2;
  const close = () => fanoutStore.getState().openView(null);
  const follow = (e: PointerEvent<HTMLElement>) => {
    if (zoom === 1) return;
    const r = e.currentTarget.getBoundingClientRect();
    setOrigin({ x: ((e.clientX - r.left) / r.width) * 100, y: ((e.clientY - r.top) / r.height) * 100 });
  };
  const zoomStyle = { transform: `scale(${zoom})`, transformOrigin: `${origin.x}% ${origin.y}%` };

  const rerun = async () => {
    const refs = prog.current.map((p) => ({ model: runRef(p), input: p.input, schema: null }));
    if (!(await confirmGroupBudget(refs))) return;
    try {
      const res = await windowApi().invoke('predictions:createGroup', {
        kind: 'compare',
        members: prog.current.map((p) => ({
          model: runRef(p),
          version: p.version === 'hidden' ? null : p.version,
          input: p.input,
        })),
      });
      fanoutStore.getState().openView(res.groupId);
    } catch (e) {
      uiStore.getState().toast(`Could not re-run the compare: ${errorMessage(e)}`, { tone: 'error' });
    }
  };
  const remix = () => {
    const first = prog.current[0];
    if (!first) return;
    fanoutStore.getState().openView(null);
    // The image went only to the models that take one: take it from whichever member has it.
    const image = prog.current.map(canonicalOf).find((c) => c.image)?.image ?? '';
    fanoutStore.getState().openCompare({ models: prog.current.map(runRef), canonical: { ...canonicalOf(first), image } });
  };

  return (
    <Dialog title={`Compare — ${excerptOf(prog.current[0]?.prompt)}`} onClose={close} className="compare-view">
      <div className="compare-toolbar">
        <span className="small" data-testid="compare-summary">
          {prog.done} of {prog.total} done{prog.failed ? ` · ${prog.failed} failed` : ''}
        </span>
        <div className="segmented" role="group" aria-label="Layout">
          <button type="button" className="btn small" aria-pressed={mode === 'side'} onClick={() => setMode('side')}>
            Side by side
          </button>
          <button
            type="button"
            className="btn small"
            aria-pressed={mode === 'slider'}
            disabled={!canSlide}
            onClick={() => setMode('slider')}
            title={canSlide ? undefined : 'Needs two images'}
          >
            Slider
          </button>
        </div>
        <label className="small compare-zoom">
          Zoom <input type="range" min={1} max={4} step={0.25} value={zoom} onChange={(e) => setZoom(Number(e.target.value))} aria-valuetext={`${zoom}×`} />{' '}
          {zoom}×
        </label>
        <span className="compare-spacer" />
        <button type="button" className="btn small" onClick={() => void rerun()}>
          Re-run
        </button>
        <button type="button" className="btn small" onClick={remix}>
          Remix
        </button>
      </div>

      {mode === 'slider' && canSlide ? (
        <div className="compare-slider" onPointerMove={follow}>
          <img src={windowApi().mediaUrl(primaryOutput(images[0]!)!.path!)} alt={`${images[0]!.model}`} style={zoomStyle} draggable={false} />
          <img
            src={windowApi().mediaUrl(primaryOutput(images[1]!)!.path!)}
            alt={`${images[1]!.model}`}
            style={{ ...zoomStyle, clipPath: `inset(0 0 0 ${split}%)` }}
            draggable={false}
          />
          <span className="compare-slider-line" style={{ left: `${split}%` }} aria-hidden="true" />
          <span className="compare-slider-label left">{images[0]!.model}</span>
          <span className="compare-slider-label right">{images[1]!.model}</span>
          <input
            className="compare-slider-range"
            type="range"
            min={0}
            max={100}
            value={split}
            onChange={(e) => setSplit(Number(e.target.value))}
            aria-label={`Slider between ${images[0]!.model} and ${images[1]!.model}`}
          />
        </div>
      ) : (
        <ul
          className="compare-panes"
          aria-label="Results by model"
          style={{ gridTemplateColumns: `repeat(${Math.min(4, Math.max(1, prog.current.length))}, minmax(0, 1fr))` }}
        >
          {prog.current.map((p) => (
            <Pane key={p.id} p={p} zoomStyle={zoomStyle} onMove={follow} />
          ))}
        </ul>
      )}
    </Dialog>
  );
}

function excerptOf(s: string | null | undefined): string {
  const t = (s ?? '').trim();
  return t.length > 60 ? `${t.slice(0, 57)}…` : t;
}

function Pane({ p, zoomStyle, onMove }: { p: PredictionView; zoomStyle: React.CSSProperties; onMove: (e: PointerEvent<HTMLElement>) => void }) {
  const out = primaryOutput(p);
  const now = useNow(p.status === 'starting' || p.status === 'processing');
  const badge = statusBadge(p, now, true);
  const provider = p.provider === 'fal' ? 'fal' : 'Replicate';
  return (
    <li className={`compare-pane tone-${badge.tone}`} aria-label={`${p.model} — ${badge.text}`}>
      <div className="compare-pane-head">
        <strong className="compare-pane-model" title={`${p.model} (${provider})`}>
          {p.model} <span className="muted small">· {provider}</span>
        </strong>
        <span className={`badge ${badge.tone}`}>{badge.text}</span>
      </div>
      <div className="compare-pane-media" onPointerMove={onMove}>
        {out?.kind === 'image' && out.path && tooLargeToPreview(out) ? (
          <div className="compare-pane-text">
            Too large to preview ({out.width}×{out.height})
          </div>
        ) : out?.kind === 'image' && out.path ? (
          <img src={windowApi().mediaUrl(out.path)} alt={`Result of ${p.model}`} style={zoomStyle} draggable={false} />
        ) : out?.kind === 'video' && out.path ? (
          <video src={windowApi().mediaUrl(out.path)} style={zoomStyle} muted loop playsInline controls />
        ) : p.text ? (
          <div className="compare-pane-text">{p.text.slice(0, 4000)}</div>
        ) : needsRetry(p) ? (
          <div className="compare-pane-error">
            <p>{p.error?.message ?? 'This run did not finish.'}</p>
          </div>
        ) : (
          <div className="compare-pane-wait muted small">
            {p.note ??
              (p.status === 'succeeded'
                ? !out
                  ? 'It returned no file.'
                  : out.path
                    ? `It returned ${out.kind}, not an image: open its card for it.`
                    : `Its ${out.kind} is not saved on this computer (${out.state}).`
                : 'Working…')}
          </div>
        )}
      </div>
      {needsRetry(p) && (
        <div className="compare-pane-actions">
          <button type="button" className="btn small" onClick={() => void act.retry(p.id)}>
            Retry {p.model}
          </button>
        </div>
      )}
    </li>
  );
}
