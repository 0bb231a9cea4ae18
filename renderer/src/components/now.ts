import { useSyncExternalStore } from 'react';

// One shared 1 s clock for every ticking label (cold-boot counters, expiry), instead of one
// interval per card; it only runs while something is subscribed.
const listeners = new Set<() => void>();
let now = Date.now();
let timer: ReturnType<typeof setInterval> | null = null;

function subscribe(fn: () => void) {
  listeners.add(fn);
  if (!timer)
    timer = setInterval(() => {
      now = Math.floor(Date.now() / 1000) * 1000;
      listeners.forEach((l) => l());
    }, 1000);
  return () => {
    listeners.delete(fn);
    if (!listeners.size && timer) {
      clearInterval(timer);
      timer = null;
    }
  };
}

const noop = () => () => {};
// Whole seconds keep the snapshot stable between React's consecutive reads when no tick runs.
const snapshot = () => (timer ? now : (now = Math.floor(Date.now() / 1000) * 1000));

export function useNow(active = true): number {
  return useSyncExternalStore(active ? subscribe : noop, snapshot);
}
