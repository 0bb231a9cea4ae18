import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { usePredictions, predictionsStore } from '../../stores/index.ts';
import { Card } from './Card.tsx';
import { Toolbar } from './Toolbar.tsx';
import { BulkBar } from './BulkBar.tsx';
import { EmptyState } from './EmptyState.tsx';
import { StackCard } from '../stacks/StackCard.tsx';
import { useStacks } from '../stacks/useStacks.ts';
import { groupOfKey } from '../stacks/stack-model.ts';

const MIN_CARD = 230;
const GAP = 14;
const BODY_H = 148; // status, prompt, model, actions

export function Gallery() {
  const hasIds = usePredictions((s) => s.ids.length > 0);
  const loaded = usePredictions((s) => s.loaded);
  const error = usePredictions((s) => s.error);
  const filterActive = usePredictions((s) => Object.values(s.filter).some((v) => v !== undefined && v !== '' && !(Array.isArray(v) && !v.length)));
  return (
    <div className="gallery">
      {/* A brand-new, empty history gets the welcome alone: filters over nothing are noise. */}
      {(hasIds || filterActive || !loaded || error) && <Toolbar />}
      <BulkBar />
      {error && <p className="gallery-error" role="alert">Could not load the history: {error}</p>}
      {loaded && !hasIds && !error ? (
        filterActive ? <p className="empty-filter muted">Nothing matches these filters.</p> : <EmptyState />
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
  // The feed's size as far as it is known: -1 (unknown) while more history can still page in.
  const setSize = usePredictions((s) => (s.hasMore ? -1 : s.ids.length));
  const scrollRef = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(900);

  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    setWidth(el.clientWidth);
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const inner = Math.max(MIN_CARD, width - GAP * 2);
  const cols = Math.max(1, Math.floor((inner + GAP) / (MIN_CARD + GAP)));
  const cardW = (inner - GAP * (cols - 1)) / cols;
  const rowH = Math.round(cardW + BODY_H + GAP);
  const rows = Math.ceil(ids.length / cols);

  const v = useVirtualizer({
    count: rows,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowH,
    // A row is ~380 px: two rows beyond each edge cover a fast fling, and every extra row is five
    // more cards to render, style and paint on each scroll frame.
    overscan: 2,
  });
  useEffect(() => { v.measure(); }, [rowH, v]);

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
          <div key={row.key} className="gallery-row" style={{ transform: `translateY(${row.start}px)`, height: rowH - GAP, gridTemplateColumns: `repeat(${cols}, 1fr)`, gap: GAP }}>
            {ids.slice(row.index * cols, row.index * cols + cols).map((id, j) => {
              const g = groupOfKey(id);
              return g ? <StackCard key={id} groupId={g} memberIds={members.get(g) ?? []} index={row.index * cols + j} setSize={setSize} /> : <Card key={id} id={id} index={row.index * cols + j} setSize={setSize} />;
            })}
          </div>
        ))}
      </div>
    </div>
  );
}
