import { useEffect, useLayoutEffect, useMemo, useRef, useState, type CSSProperties, type KeyboardEvent } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { usePredictions, predictionsStore } from '../../stores/index.ts';
import { Card } from './Card.tsx';
import { Toolbar } from './Toolbar.tsx';
import { BulkBar } from './BulkBar.tsx';
import { EmptyState } from './EmptyState.tsx';
import { StackCard } from '../stacks/StackCard.tsx';
import { useStacks } from '../stacks/useStacks.ts';
import { groupOfKey } from '../stacks/stack-model.ts';
import { ThumbSizeControl } from '../scale/ThumbSize.tsx';
import { rowMediaHeights } from '../scale/aspect.ts';
import { useFlingWatch } from '../scale/fling.ts';
import { useViewPrefs } from '../../stores/view-prefs.ts';
import '../scale/scale.css';

const GAP = 14;
/**
 * The card's text under its picture (its actions sit on the picture): status, two lines of prompt,
 * model, and one line (cost or message; with both, the prompt has one line). The rows' heights are
 * set in base.css (.card-body), plus the card's 2 px of border; e2e card-text-fit.spec.ts checks they fit.
 */
export const BODY_H = 127;

export function Gallery() {
  const hasIds = usePredictions((s) => s.ids.length > 0);
  const loaded = usePredictions((s) => s.loaded);
  const error = usePredictions((s) => s.error);
  const filterActive = usePredictions((s) => Object.values(s.filter).some((v) => v !== undefined && v !== '' && !(Array.isArray(v) && !v.length)));
  return (
    <div className="gallery">
      {/* A brand-new, empty history gets the welcome alone: filters over nothing are noise. */}
      {(hasIds || filterActive || !loaded || error) && (
        <div className="gallery-top">
          <Toolbar />
          {hasIds && <ThumbSizeControl />}
        </div>
      )}
      <BulkBar />
      {error && (
        <p className="gallery-error" role="alert">
          Could not load the history: {error}
        </p>
      )}
      {loaded && !hasIds && !error ? (
        filterActive ? (
          <p className="empty-filter muted">Nothing matches these filters.</p>
        ) : (
          <EmptyState />
        )
      ) : (
        <GalleryGrid loaded={loaded} />
      )}
    </div>
  );
}

// The virtualized grid is its own component: it re-renders on every scroll frame, and the toolbar
// above it (filters, model list, counts) has no reason to re-render with it.
function GalleryGrid({ loaded }: { loaded: boolean }) {
  // Batches and compares show as one stack each (features/stacks), open ones followed by their runs.
  const { shown: ids, members } = useStacks(usePredictions((s) => s.ids));
  // Row heights follow the pictures' shapes alone: not `byId`, which changes with every progress
  // tick and status change of any card, and would re-render the grid (and redo every row) for each.
  const shapesVersion = usePredictions((s) => s.shapesVersion);
  const minCard = useViewPrefs((s) => s.thumbSize);
  // The feed's size as far as it is known (its slots: a stack is one): -1 while more can page in.
  const hasMore = usePredictions((s) => s.hasMore);
  const setSize = hasMore ? -1 : ids.length;
  const scrollRef = useRef<HTMLDivElement>(null);
  // Unknown until measured (before the first paint, below): cards laid out for a guessed width
  // would be rendered again in other rows — every card mounted twice — once it is known.
  const [measured, setWidth] = useState<number | null>(null);
  const width = measured ?? 0;
  // Cards that mount during a fling are light until it slows (scale/fling.ts).
  useFlingWatch(scrollRef);

  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    setWidth(el.clientWidth);
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const inner = Math.max(minCard, width - GAP * 2);
  const cols = Math.max(1, Math.floor((inner + GAP) / (minCard + GAP)));
  const cardW = (inner - GAP * (cols - 1)) / cols;
  // `shapes` is updated in place; `shapesVersion` says when (stores/predictions.ts).
  const media = useMemo(
    () => (measured === null ? [] : rowMediaHeights(ids, predictionsStore.getState().shapes, cols, cardW)),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- shapesVersion stands for the shapes
    [ids, shapesVersion, cols, cardW, measured === null],
  );
  const rows = media.length;
  const rowH = (i: number) => (media[i] ?? Math.round(cardW)) + BODY_H + GAP;
  // One number that changes when any row's height does: the virtualizer re-measures then only.
  const shape = useMemo(() => media.reduce((h, m, i) => (h * 31 + m * (i + 1)) % 2_147_483_647, media.length), [media]);

  const v = useVirtualizer({
    count: rows,
    getScrollElement: () => scrollRef.current,
    estimateSize: rowH,
    // A row is ~350 px: two rows beyond each edge cover a fast fling, and every extra row is five
    // more cards to render, style and paint on each scroll frame.
    overscan: 2,
  });
  useEffect(() => {
    v.measure();
  }, [shape, v]);

  // Page in more history as the end comes into view.
  const items = v.getVirtualItems();
  const lastRow = items.length ? items[items.length - 1]!.index : 0;
  useEffect(() => {
    if (rows && lastRow >= rows - 4) void predictionsStore.getState().loadMore();
  }, [lastRow, rows]);

  // Arrow keys move between cards; the virtualizer scrolls the target into existence first.
  const onKeyDown = (e: KeyboardEvent) => {
    const el = e.target as HTMLElement;
    if (el.tagName !== 'ARTICLE') return;
    const i = Number(el.dataset.index);
    const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: cols, ArrowUp: -cols, Home: -i, End: ids.length - 1 - i }[e.key];
    if (step === undefined) return;
    e.preventDefault();
    const next = Math.max(0, Math.min(ids.length - 1, i + step));
    v.scrollToIndex(Math.floor(next / cols), { align: 'auto' });
    requestAnimationFrame(() => scrollRef.current?.querySelector<HTMLElement>(`article[data-index="${next}"]`)?.focus());
  };

  return (
    // One delegated handler for the arrow keys of every card (the focusable articles inside).
    // eslint-disable-next-line jsx-a11y/no-static-element-interactions
    <div className="gallery-scroll" ref={scrollRef} onKeyDown={onKeyDown}>
      <div className="gallery-grid" role="feed" aria-busy={!loaded} aria-label="Predictions" style={{ height: v.getTotalSize() }}>
        {items.map((row) => (
          <div
            key={row.key}
            className="gallery-row"
            style={
              {
                transform: `translateY(${row.start}px)`,
                height: row.size - GAP,
                gridTemplateColumns: `repeat(${cols}, 1fr)`,
                gap: GAP,
                '--media-h': `${media[row.index] ?? Math.round(cardW)}px`,
              } as CSSProperties
            }
          >
            {ids.slice(row.index * cols, row.index * cols + cols).map((id, j) => {
              const g = groupOfKey(id);
              return g ? (
                <StackCard key={id} groupId={g} memberIds={members.get(g) ?? []} index={row.index * cols + j} setSize={setSize} />
              ) : (
                <Card key={id} id={id} index={row.index * cols + j} setSize={setSize} />
              );
            })}
          </div>
        ))}
      </div>
    </div>
  );
}
