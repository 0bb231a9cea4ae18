import { describe, it, expect } from 'vitest';
import { FLING_PX_PER_MS, PICTURE_GLANCE_MS, flingLevel, flingMeter } from '../../renderer/src/features/scale/fling-meter.ts';

// The gallery's speed meter (features/scale/fling-meter.ts), fed scroll events as a browser sends
// them: once a frame, at times that slip when a frame starts late.

/** Feeds [px, ms] steps (each relative to the event before) from rest at 0; which events were fast. */
function feed(steps: [number, number][], startAt = 10_000): boolean[] {
  const speed = flingMeter(0, 0);
  let top = 0;
  let at = startAt;
  return steps.map(([dy, dt]) => speed((top += dy), (at += dt)) >= FLING_PX_PER_MS);
}
const frames = (n: number, dy: number, dt: number): [number, number][] => Array.from({ length: n }, () => [dy, dt]);

describe('flingMeter', () => {
  it('reading speed (13 px a 60 Hz frame) is never a fling, even when a frame starts late', () => {
    expect(feed(frames(60, 13, 16.7))).not.toContain(true);
    // A late frame: its event comes 12 ms late, the next one on time, 4.7 ms after it.
    const late: [number, number][] = [...frames(5, 13, 16.7), [13, 28.7], [13, 4.7], ...frames(5, 13, 16.7)];
    expect(feed(late)).not.toContain(true);
    // The same at the very start of the scroll: the first two events 3 ms apart.
    expect(feed([[13, 16.7], [13, 3], ...frames(10, 13, 16.7)])).not.toContain(true);
  });

  it('a fling (most of a screen a frame) is seen from its second event, and a late frame does not end it', () => {
    const seen = feed([...frames(6, 640, 16.7), [640, 40], ...frames(3, 640, 16.7)]);
    expect(seen[0]).toBe(false); // the first step after a rest is over the time since the last event
    expect(seen.slice(1)).not.toContain(false);
  });

  it('on a 120 Hz display a fling at 3 px/ms is seen from its third event', () => {
    const seen = feed(frames(8, 25, 8.33));
    expect(seen.slice(0, 2)).toEqual([false, false]);
    expect(seen.slice(2)).not.toContain(false);
  });

  it('a wheel at reading pace is not a fling; a wheel spun hard is', () => {
    expect(feed(frames(20, 100, 120))).not.toContain(true);
    expect(feed(frames(20, 120, 30)).slice(2)).not.toContain(false);
  });

  it('arrow keys held down (40 px, 30 a second) are not a fling; a jump to the end after a pause is', () => {
    expect(feed(frames(30, 40, 33))).not.toContain(true);
    expect(feed([[120_000, 2_000]])).toEqual([true]);
  });

  it('slowing down ends the fling once the fast steps leave the window', () => {
    const seen = feed([...frames(5, 640, 16.7), ...frames(12, 5, 16.7)]);
    expect(seen.slice(1, 5)).not.toContain(false);
    expect(seen.at(-1)).toBe(false);
  });
});

describe('flingLevel', () => {
  it('racing is a fling fast enough that a card crosses the screen within a glance (PICTURE_GLANCE_MS)', () => {
    const crossing = 860 / PICTURE_GLANCE_MS; // px/ms at which a card crosses an 860 px screen in a glance
    expect(flingLevel(FLING_PX_PER_MS * 0.9, 860)).toEqual({ flinging: false, racing: false });
    expect(flingLevel(FLING_PX_PER_MS, 860)).toEqual({ flinging: true, racing: false });
    expect(flingLevel(crossing * 0.95, 860)).toEqual({ flinging: true, racing: false });
    expect(flingLevel(crossing, 860)).toEqual({ flinging: true, racing: true });
    // The bench's fling: 0.8 of a 900 px screen a 60 Hz frame.
    expect(flingLevel((0.8 * 900) / 16.7, 900).racing).toBe(true);
  });

  it('a small window races at a lower speed, but never below fling speed', () => {
    expect(flingLevel(3, 400).racing).toBe(true);
    expect(flingLevel(3, 860).racing).toBe(false);
    expect(flingLevel(2, 200)).toEqual({ flinging: false, racing: false });
  });
});
