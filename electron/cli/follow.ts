import { isTerminal } from '../../shared/domain/status.ts';
import type { Backend } from '../backend/index.ts';
import type { PredictionRecord } from '../backend/history/types.ts';
import { createProgressReporter } from './progress.ts';

// Following one run from the terminal: progress on stderr, text on stdout as it arrives, and the
// interrupt (Ctrl-C) either cancels the run or hands it over. The history is the source of truth
// whoever writes it — this process's engine or, for a run another process follows, that one.

export interface FollowResult {
  final: PredictionRecord;
  /** Ctrl-C handed the run over (it keeps going without us). */
  handedOver: boolean;
  /**
   * The provider rejected the key while we followed (the engine paused its runs): the run is left
   * for a later process with a good key, and the command exits 3 (ARCHITECTURE.md, "Runs and their lifecycle", §6).
   */
  keyRejected: string | null;
}

const POLL_MS = 150;
/** Bound on waiting for another process to save the outputs (ours are awaited directly). */
const SAVE_WAIT_MS = 10 * 60_000;

export async function followToEnd(
  backend: Backend,
  id: string,
  o: { interrupt: AbortSignal; cancelOnInterrupt: boolean; streamText: boolean; quiet?: boolean; err: (s: string) => void },
): Promise<FollowResult> {
  const { engine, history } = backend.services;
  const report = o.quiet ? null : createProgressReporter(process.stderr);
  let printed = 0;
  const printText = (rec: PredictionRecord) => {
    if (!o.streamText || rec.text === null) return;
    // Text only grows while a model streams; if a final answer replaces it, print what is new.
    if (rec.text.length > printed) {
      process.stdout.write(rec.text.slice(printed));
      printed = rec.text.length;
    }
  };
  let canceling = false;
  const onInterrupt = () => {
    if (o.cancelOnInterrupt) {
      canceling = true;
      o.err(`\nkiln: canceling ${id}…`);
      try {
        engine.cancel(id);
      } catch (err) {
        o.err(`kiln: ${(err as Error).message}`);
      }
    }
  };
  if (o.interrupt.aborted) onInterrupt();
  else o.interrupt.addEventListener('abort', onInterrupt, { once: true });
  try {
    for (;;) {
      const rec = history.get(id);
      if (!rec) throw new Error(`prediction ${id} disappeared from the history (deleted elsewhere?)`);
      printText(rec);
      report?.(rec);
      if (isTerminal(rec.status)) {
        report?.(null);
        if (rec.status === 'succeeded') await engine.whenSaved(id);
        // Saved by another process (the owner of the data folder): wait for it to settle too.
        const until = Date.now() + SAVE_WAIT_MS;
        let final = history.get(id) ?? rec;
        while (final.status === 'succeeded' && (final.saveState === 'saving' || final.saveState === 'none') && !o.interrupt.aborted && Date.now() < until) {
          await new Promise((r) => setTimeout(r, POLL_MS));
          final = history.get(id) ?? final;
        }
        printText(final);
        if (printed > 0) process.stdout.write('\n');
        return { final, handedOver: false, keyRejected: null };
      }
      const keyRejected = engine.keyRejected();
      if ((o.interrupt.aborted && !canceling) || keyRejected) {
        report?.(null);
        if (printed > 0) process.stdout.write('\n');
        return { final: rec, handedOver: true, keyRejected };
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    o.interrupt.removeEventListener('abort', onInterrupt);
  }
}
