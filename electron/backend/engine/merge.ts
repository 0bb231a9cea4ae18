import type { PredictionRecord } from '../history/types.ts';
import type { RemoteRun } from '../providers/types.ts';
import { isTerminal } from '../../../shared/domain/status.ts';
import { parseProgress } from '../../../shared/progress.ts';
import { boundText, NO_ERROR_MESSAGE, usableVersion } from './record-rules.ts';
import { outputText } from '../records/output-text.ts';

// What a remote answer changes in a run's record (ARCHITECTURE.md, "The engine": "the decisions are pure functions").
// One function, no clock, no I/O: the engine passes the record as stored, the provider's
// normalized view and the moment, and writes the patch it gets back (one small write, only what
// changed). Table-tested in test/unit/engine-merge.test.ts.

export interface MergeContext {
  /** Kiln's clock: one local clock stamps every time on the card, so elapsed times never go negative from skew. */
  now: number;
  /** The answer is a list item (no logs): a finished card's progress bar is completed here. */
  fromList: boolean;
  /** The card ended locally before the create was known to exist: a running status must not bring it back. */
  holdLocalEnd: boolean;
  /** A note on the card that this answer may not clear (offline, key paused, a refused cancel). */
  keepNote: boolean;
}

/** The card note for a run waiting in the provider's queue with `ahead` runs before it. */
export function queueNote(ahead: number): string {
  return ahead === 0 ? 'In queue — next' : `In queue — ${Math.floor(ahead)} ahead`;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function mergeRemote(rec: PredictionRecord, p: RemoteRun, ctx: MergeContext): Partial<PredictionRecord> {
  const { now } = ctx;
  const patch: Partial<PredictionRecord> = {};
  if (!rec.providerId) patch.providerId = p.id;
  if (p.status !== rec.status && !ctx.holdLocalEnd) {
    patch.status = p.status;
    patch.statusSince = now;
    if (p.status !== 'starting' && rec.startedAt === null && (p.status === 'processing' || p.startedAt !== null)) {
      // Started and ended in one answer (a held create, a run quicker than the looks): Kiln saw no
      // start, so it takes the provider's own run time — a zero one would not teach runtimes.ts
      // anything, and the model's next runs would go unheld (hold.ts) once such ends were all it had.
      const ran = isTerminal(p.status) && p.startedAt !== null && p.completedAt !== null ? Math.max(0, p.completedAt - p.startedAt) : 0;
      patch.startedAt = now - ran;
    }
    if (isTerminal(p.status)) patch.completedAt = now;
  }
  if (rec.providerCreatedAt === null && p.createdAt !== null) patch.providerCreatedAt = p.createdAt;
  const version = usableVersion(p.version);
  if (!rec.version && version) patch.version = version;
  if (typeof p.logs === 'string' && p.logs !== rec.logs) {
    patch.logs = p.logs;
    patch.progress = parseProgress(p.logs);
  }
  if (p.urls && !same(p.urls, rec.urls))
    patch.urls = { get: p.urls.get ?? null, cancel: p.urls.cancel ?? null, stream: p.urls.stream ?? null, web: p.urls.web ?? null };
  let note: string | null = null;
  const hasOutput = p.output !== undefined && p.output !== null;
  if (hasOutput && !same(p.output, rec.output)) patch.output = p.output;
  // The card's text is the output an ending answer carries, even when an earlier answer brought
  // the same: a held create (`Prefer: wait`) may answer `processing` with every token already in
  // it, and a stream cut short has left only part of it in rec.text. An end without the output (a
  // list item) leaves the text as it is: the stored output may be an older, shorter snapshot.
  const text = hasOutput && isTerminal(p.status) ? outputText(p.output) : null;
  if (text !== null) {
    const bounded = boundText(text);
    if (bounded.text !== rec.text) {
      patch.text = bounded.text;
      note = bounded.note;
    }
  }
  if (!rec.error) {
    if (typeof p.error === 'string' && p.error.trim()) patch.error = { code: p.errorCode ?? /\bE\d{4}\b/.exec(p.error)?.[0] ?? null, message: p.error };
    else if (p.error !== undefined && p.error !== null && typeof p.error !== 'string') patch.error = { code: null, message: JSON.stringify(p.error) };
    // Failed and silent: say so rather than leave an empty message (or "failed: ").
    else if (p.status === 'failed') patch.error = { code: null, message: NO_ERROR_MESSAGE };
  }
  // Finished from a list item (no logs): the bar's last reading would say 80% on a done card.
  if (ctx.fromList && p.status === 'succeeded' && rec.progress && rec.progress.percent < 100)
    patch.progress = { percent: 100, current: rec.progress.total, total: rec.progress.total };
  if (p.metrics && isTerminal(p.status)) {
    const { predictTime, totalTime, inputTokens, outputTokens } = p.metrics;
    // Token counts only when reported: they price per-token models (the ledger reads them).
    patch.metrics = { predictTime, totalTime, ...(inputTokens != null ? { inputTokens } : {}), ...(outputTokens != null ? { outputTokens } : {}) };
  }
  if (p.dataRemoved && !rec.dataRemoved) patch.dataRemoved = true;
  // A known queue position makes the wait legible ("In queue — 3 ahead"); it is the card's note
  // while the run waits, and goes with the next answer that is not a wait.
  const queue =
    p.queuePosition != null && Number.isFinite(p.queuePosition) && p.queuePosition >= 0 && p.status !== 'processing' && !isTerminal(p.status)
      ? queueNote(p.queuePosition)
      : null;
  if (note) patch.note = note;
  else if (ctx.keepNote) return patch;
  else if (queue) {
    if (rec.note !== queue) patch.note = queue;
  } else if (rec.note) patch.note = null;
  return patch;
}
