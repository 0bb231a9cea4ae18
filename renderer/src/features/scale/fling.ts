import { startTransition, useEffect, useState, type RefObject } from 'react';
import { createStore } from 'zustand/vanilla';
import { flingMeter } from './fling-meter.ts';

// A fling through the gallery (a trackpad throw, a dragged scrollbar, End) passes a row of cards
// per frame: nobody reads a card's text or reaches its buttons at that speed, and building them
// (some 25 elements and 100 attributes a card, plus their layout and text) was most of each frame.
// So a card that mounts during a fling shows its picture and badges only, and becomes the whole
// card once the scrolling slows (ARCHITECTURE.md, "Performance targets"). Ordinary scrolling (a
// wheel at reading pace, arrow keys a step at a time) stays below the speed and gets whole cards;
// a wheel spun hard is a fling like any other. The speed is read by fling-meter.ts.

/** A fling has ended when no fast scroll step came for this long. */
export const FLING_SETTLE_MS = 150;

export const flingStore = createStore<{ flinging: boolean }>()(() => ({ flinging: false }));

/** Watches a scroll element and keeps `flingStore` true while it moves at fling speed. */
export function useFlingWatch(ref: RefObject<HTMLElement | null>): void {
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const fast = flingMeter(el.scrollTop, performance.now());
    let settle: ReturnType<typeof setTimeout> | undefined;
    const onScroll = () => {
      if (!fast(el.scrollTop, performance.now())) return;
      if (!flingStore.getState().flinging) flingStore.setState({ flinging: true });
      clearTimeout(settle);
      settle = setTimeout(() => flingStore.setState({ flinging: false }), FLING_SETTLE_MS);
    };
    // Capture: at the target, capture listeners run before the virtualizer's own, which renders
    // the new rows synchronously — so the first fast step already mounts light cards.
    el.addEventListener('scroll', onScroll, { passive: true, capture: true });
    return () => {
      el.removeEventListener('scroll', onScroll, { capture: true });
      clearTimeout(settle);
      flingStore.setState({ flinging: false });
    };
  }, [ref]);
}

/**
 * True for a card mounted during a fling, until the fling ends. Decided at mount and never turned
 * back on: a whole card on screen stays whole when a fling starts. The switch to the whole card is
 * a transition, so the cards on screen are built in slices and a new fling can interrupt it.
 */
export function useLiteWhileFlinging(): boolean {
  const [lite, setLite] = useState(() => flingStore.getState().flinging);
  useEffect(() => {
    if (!lite) return;
    const settle = () => {
      if (!flingStore.getState().flinging) startTransition(() => setLite(false));
    };
    settle();
    return flingStore.subscribe(settle);
  }, [lite]);
  return lite;
}
