import { useEffect } from 'react';
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { windowApi } from '../../api.ts';

// A source run deleted while its chained card is on screen: the view the card has was read before
// the delete (the backend names the source at read time), so the card learns it from the
// `predictions:removed` event instead, and says "From a deleted run" at once. Undone (the run comes
// back with an update), it is a link again.

/** Deleted ids remembered at most (a bulk delete of the whole history must not grow this without bound). */
const MAX = 10_000;

const store = createStore<{ gone: Record<string, true> }>()(() => ({ gone: {} }));
let listening = false;

function listen() {
  if (listening) return;
  listening = true;
  const k = windowApi();
  k.on('predictions:removed', (ev) => {
    const gone = { ...store.getState().gone };
    for (const id of ev.ids) gone[id] = true;
    const keys = Object.keys(gone);
    for (const id of keys.slice(0, Math.max(0, keys.length - MAX))) delete gone[id];
    store.setState({ gone });
  });
  k.on('prediction:updated', (ev) => {
    if (!store.getState().gone[ev.id]) return;
    const gone = { ...store.getState().gone };
    delete gone[ev.id];
    store.setState({ gone });
  });
}

/** True once the run `id` has been deleted since this window started listening. */
export function useSourceGone(id: string): boolean {
  useEffect(listen, []);
  return useStore(store, (s) => !!s.gone[id]);
}
