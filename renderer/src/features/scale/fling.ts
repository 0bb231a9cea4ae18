import { startTransition, useEffect, useState, type RefObject } from 'react';
import { createStore } from 'zustand/vanilla';
import { flingLevel, flingMeter } from './fling-meter.ts';

// A fling through the gallery (a trackpad throw, a dragged scrollbar, End) passes a row of cards
// per frame: nobody reads a card's text or reaches its buttons at that speed, and building them
// (some 25 elements and 100 attributes a card, plus their layout and text) was most of each frame.
// So a card that mounts during a fling shows its picture and badges only, and becomes the whole
// card once the scrolling slows (ARCHITECTURE.md, "Performance targets"). Ordinary scrolling (a
// wheel at reading pace, arrow keys a step at a time) stays below the speed and gets whole cards;
// a wheel spun hard is a fling like any other. The speed is read by fling-meter.ts.
//
// Faster still, a card crosses the whole screen in less than a glance (fling-meter.ts): its
// picture would be fetched, decoded and painted for a frame or two nobody can see. On software
// raster (no GPU) that was what made a fast fling's frames late: a screen of new pictures to paint
// each frame. So a card that mounts at that speed holds its picture back too (the picture area
// keeps its size and tone), and shows it as soon as the gallery slows below that speed: a fling
// that eases out fills in while it still moves, a seeking scroll of a few screens a second keeps
// its pictures (docs/DECISIONS.md, "Pictures wait out a racing fling").

/** A fling has ended when no fast scroll step came for this long. */
export const FLING_SETTLE_MS = 150;
/** `flinging`: at fling speed; `racing`: so fast that a card crosses the screen within a glance. */
export const flingStore = createStore<{ flinging: boolean; racing: boolean }>()(() => ({ flinging: false, racing: false }));

/** Watches a scroll element and keeps `flingStore` current while it moves at fling speed. */
export function useFlingWatch(ref: RefObject<HTMLElement | null>): void {
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const speed = flingMeter(el.scrollTop, performance.now());
    let settle: ReturnType<typeof setTimeout> | undefined;
    const onScroll = () => {
      const now = flingLevel(speed(el.scrollTop, performance.now()), el.clientHeight);
      const was = flingStore.getState();
      // Slowing below racing speed shows the pictures at once; the fling itself ends only after a pause.
      if (!now.flinging) {
        if (was.racing) flingStore.setState({ racing: false });
        return;
      }
      if (now.flinging !== was.flinging || now.racing !== was.racing) flingStore.setState(now);
      clearTimeout(settle);
      settle = setTimeout(() => flingStore.setState({ flinging: false, racing: false }), FLING_SETTLE_MS);
    };
    // Capture: at the target, capture listeners run before the virtualizer's own, which renders
    // the new rows synchronously — so the first fast step already mounts light cards.
    el.addEventListener('scroll', onScroll, { passive: true, capture: true });
    return () => {
      el.removeEventListener('scroll', onScroll, { capture: true });
      clearTimeout(settle);
      flingStore.setState({ flinging: false, racing: false });
    };
  }, [ref]);
}

/**
 * How a card shows itself, decided at its mount and never turned back on: `lite` (picture and
 * badges only) when mounted during a fling, until the fling ends; `blank` (not even the picture)
 * when mounted during a racing one, until the gallery slows below racing speed. A whole card on
 * screen stays whole when a fling starts. The way back is a transition, so the cards on screen are
 * built in slices and a new fling can interrupt it.
 */
export function useFlingShape(): { lite: boolean; blank: boolean } {
  const [shape, setShape] = useState(() => {
    const s = flingStore.getState();
    return { lite: s.flinging, blank: s.racing };
  });
  useEffect(() => {
    if (!shape.lite && !shape.blank) return;
    const settle = () => {
      const s = flingStore.getState();
      const next = { lite: shape.lite && s.flinging, blank: shape.blank && s.racing };
      if (next.lite !== shape.lite || next.blank !== shape.blank) startTransition(() => setShape(next));
    };
    settle();
    return flingStore.subscribe(settle);
  }, [shape]);
  return shape;
}
