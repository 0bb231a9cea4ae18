import { LIMITS, formatBytes } from '../../../shared/limits.ts';

// Small pure rules for what goes into a run's record, table-tested in test/unit/engine-rules.test.ts.

/** A failed run whose provider said nothing (`error` "", null or absent). */
export const NO_ERROR_MESSAGE = 'the model gave no error message';

/**
 * The text kept for a run, bounded by LIMITS.runTextChars (ARCHITECTURE.md, "Security"): beyond it the text is cut
 * and the note says where and why, so an endless stream is never saved whole.
 */
export function boundText(text: string, max: number = LIMITS.runTextChars): { text: string; note: string | null } {
  if (text.length <= max) return { text, note: null };
  return {
    text: text.slice(0, max),
    note: `Text stopped at ${formatBytes(max)} of characters (the limit for one run's text, runTextChars); the rest was not kept.`,
  };
}

/**
 * A version worth keeping for a retry: a 64-hex version id. Replicate also answers `hidden`
 * (official models), `dp-…` and `d-…` (deployment and pipeline ids) — none of them can be sent
 * back as a version, so the run keeps its model reference instead.
 */
export function usableVersion(v: unknown): string | null {
  return typeof v === 'string' && /^[0-9a-f]{64}$/i.test(v) ? v : null;
}

/** The card note when the history cannot be written; disk full says what to do. */
export function writeFailedNote(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  if (/SQLITE_FULL|disk is full|ENOSPC|no space/i.test(msg)) return 'Disk full — free space, Kiln will retry saving this card';
  return `Could not save this card to the history (${msg.slice(0, 200)}) — Kiln will retry`;
}
