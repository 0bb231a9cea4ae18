// The speed a gallery scrolls at, read from its scroll events, and what it means (fling.ts acts on it).
//
// One event's step over the time since the one before is not the speed: the browser dispatches
// scroll events once a frame, and a frame that starts late (a busy main thread, a loaded machine)
// puts two events a few ms apart, so one ordinary 13 px step reads as 3 px/ms. The meter takes
// the path scrolled over the last `FLING_WINDOW_MS` instead, and never less than a frame's time,
// so a late frame cannot make reading speed a fling. A fling is still seen from its second event
// (a 60 Hz frame's step over one frame), and on a 120 Hz display from its third.

/** Faster than this (px per ms: 2,500 px/s, about three screens a second) is a fling. */
export const FLING_PX_PER_MS = 2.5;
/** Below this time on screen (the screen's height over the speed), a card's picture is not worth painting. */
export const PICTURE_GLANCE_MS = 150;
/** The speed is the path scrolled over (at most) the last this-many ms. */
export const FLING_WINDOW_MS = 100;
/** No span is taken as shorter than a 60 Hz frame: a step took at least the frame it came in. */
export const FRAME_MS = 16;

/**
 * A meter for one scroll element, starting at `top`. Each call is one scroll event (the element's
 * scrollTop and the time it came): the speed the gallery is moving at, px per ms.
 */
export function flingMeter(top: number, at: number): (top: number, at: number) => number {
  // The events of the last window, oldest first, and the one just before them. Bounded by the
  // window: events come at most once a frame.
  let before = { top, at };
  const recent: { top: number; at: number }[] = [];
  return (top, at) => {
    recent.push({ top, at });
    while (recent.length > 1 && recent[0]!.at <= at - FLING_WINDOW_MS) before = recent.shift()!;
    // From the oldest event in the window when there are two or more; else this one step, over
    // the time since the event before it (a wheel's notch after a pause is slow, as it should be).
    const base = recent.length > 1 ? recent[0]! : before;
    let path = 0;
    let prev = base.top;
    for (const e of recent) {
      if (e === base) continue;
      path += Math.abs(e.top - prev);
      prev = e.top;
    }
    return path / Math.max(FRAME_MS, at - base.at);
  };
}

/**
 * What a scroll event at `speed` (px/ms) means in a screen `height` px tall: `flinging` at fling
 * speed; `racing` when a card also crosses the whole screen within a glance (PICTURE_GLANCE_MS).
 */
export function flingLevel(speed: number, height: number): { flinging: boolean; racing: boolean } {
  const flinging = speed >= FLING_PX_PER_MS;
  return { flinging, racing: flinging && speed * PICTURE_GLANCE_MS >= height };
}
