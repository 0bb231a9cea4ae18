import type { PredictionRecord } from '../history/types.ts';
import { backoffDelay } from '../../../shared/backoff.ts';
import { writeFailedNote } from './record-rules.ts';
import { type Core, type EngineOps, WriteFailed } from './core.ts';

// The journal's writes (ARCHITECTURE.md, "Runs and their lifecycle"): one place, so a killed engine can never write again, and the
// durable write comes first — in-memory state moves only after it succeeded.

export function createJournal(c: Core): Pick<EngineOps, 'write' | 'tryWrite' | 'writeRetryDelay'> {
  // The durable write comes first and in-memory state moves only after it succeeded (ARCHITECTURE.md, "Runs and their lifecycle"):
  // a write that throws (disk full) leaves the track as it was, so the next look writes it again.
  function write(id: string, patch: Partial<Omit<PredictionRecord, 'id'>>): PredictionRecord | null {
    if (c.dead) return null;
    // The user may delete a prediction while a request for it is out: its answer has nowhere to go.
    if (!c.history.get(id)) {
      c.forget([id]);
      return null;
    }
    let rec: PredictionRecord;
    try {
      rec = c.history.update(id, patch);
    } catch (err) {
      c.writeFailures++;
      c.log.error('history write failed; will retry', { id, err: String(err) });
      c.publisher.note(id, writeFailedNote(err));
      throw new WriteFailed(err);
    }
    if (c.writeFailures) c.writeFailures = 0;
    c.publisher.note(id, null);
    c.publisher.changed(id);
    for (const l of c.listeners) l(rec);
    return rec;
  }

  /** A note (or another best-effort field): a failed write is already shown on the card and retried by the next look. */
  function tryWrite(id: string, patch: Partial<Omit<PredictionRecord, 'id'>>): PredictionRecord | null {
    try {
      return c.write(id, patch);
    } catch (err) {
      if (err instanceof WriteFailed) return null;
      throw err;
    }
  }

  function writeRetryDelay(): number {
    return backoffDelay(c.writeFailures, c.opts.backoff, c.opts.random);
  }

  return { write, tryWrite, writeRetryDelay };
}
