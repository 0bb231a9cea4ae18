import type { PredictionView } from '../../../shared/domain/prediction.ts';
import type { EventName, EventPayload } from '../../../shared/ipc.ts';
import type { Clock } from '../types.ts';

export type Emit = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

// Coalesces prediction updates for the renderer (ARCHITECTURE.md, "The engine"): any writer just says "this one
// changed"; at most one event per card per interval goes out, carrying only the fields that differ
// from what the renderer last got. Writers never build patches themselves, so they cannot disagree.
export function createPublisher(opts: { clock: Clock; view: (id: string) => PredictionView | null; emit: Emit; intervalMs?: number }) {
  const interval = opts.intervalMs ?? 250;
  /** What the renderer last got per card, each field as JSON: compared field by field, so the new view is serialised once and the old one never again. */
  const lastSent = new Map<string, Record<string, string>>();
  const pending = new Set<string>();
  /** Notes that could not be written to the history (a disk-full write): shown over the stored view until cleared. */
  const notes = new Map<string, string>();
  let timer: unknown = null;

  function flush() {
    timer = null;
    const ids = [...pending];
    pending.clear();
    for (const id of ids) {
      const stored = opts.view(id);
      if (!stored) continue;
      const overlay = notes.get(id);
      const view = overlay === undefined ? stored : { ...stored, note: overlay };
      const prev = lastSent.get(id);
      const sent: Record<string, string> = {};
      for (const key of Object.keys(view) as (keyof PredictionView)[]) sent[key] = JSON.stringify(view[key]) ?? 'undefined';
      if (!prev) {
        opts.emit('prediction:updated', { id, changes: view, full: true });
      } else {
        const changes: Record<string, unknown> = {};
        for (const key of Object.keys(view) as (keyof PredictionView)[]) {
          if (sent[key] !== (prev[key] ?? 'undefined')) changes[key] = view[key];
        }
        if (Object.keys(changes).length === 0) continue;
        opts.emit('prediction:updated', { id, changes });
      }
      // Keep memory flat over a long session: settled cards leave the cache (a later change sends a full view).
      if (view.saveState === 'saved' || view.saveState === 'expired') lastSent.delete(id);
      else lastSent.set(id, sent);
    }
  }

  return {
    changed(id: string) {
      pending.add(id);
      if (timer === null) timer = opts.clock.setTimeout(flush, interval);
    },
    removed(ids: string[]) {
      for (const id of ids) {
        pending.delete(id);
        lastSent.delete(id);
        notes.delete(id);
      }
      opts.emit('predictions:removed', { ids });
    },
    /** An in-memory note over the stored one (null clears it): for when the history cannot be written. */
    note(id: string, text: string | null) {
      if (text === null ? !notes.delete(id) : notes.get(id) === text) return;
      if (text !== null) notes.set(id, text);
      this.changed(id);
    },
    flushNow() {
      if (timer !== null) opts.clock.clearTimeout(timer);
      flush();
    },
  };
}
export type Publisher = ReturnType<typeof createPublisher>;
