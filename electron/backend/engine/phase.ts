import type { PredictionRecord } from '../history/types.ts';
import type { RemoteRun } from '../providers/types.ts';
import { ProviderError } from '../providers/errors.ts';
import { isQueuedLocally, isTerminal } from '../../../shared/domain/status.ts';
import type { ProgressSeen } from './cadence.ts';

// A run's phase in the engine as a tagged union (docs/ARCHITECTURE.md, "The engine"):
// each phase carries only its own data, so a reconcile count cannot outlive reconciliation and a
// list sweep can only ever touch runs the provider knows. The decisions that move a run between
// phases are pure functions here, table-tested in test/unit/engine-phase.test.ts.

/** Known to the provider (its id): everything following it needs. */
export interface Following {
  kind: 'follow';
  providerId: string;
  providerCreatedAt: number | null;
  /** When this process started following it (the cadence's "since create"). */
  since: number;
  /** Status last seen via list or GET, to notice changes cheaply. */
  seenStatus: string | null;
  statusSeenAt: number | null;
  /** The next look must be a full GET (logs, outputs), not the list. */
  needsFull: boolean;
  lastFullAt: number;
  /** Not reached by the last list sweep: poll it directly. */
  uncovered: boolean;
  stream: AbortController | null;
  /** The end as the list endpoint showed it: used only if the final GET is refused (ARCHITECTURE.md, "The engine": logs at the end). */
  listEnd: RemoteRun | null;
  cancelSent: boolean;
  /** After a cancel that got no answer (network, 5xx, 429): not before this (back-off, never a burst). */
  cancelDueAt: number;
  cancelFailures: number;
  /** A note that stays on the card until the run ends (a refused cancel, a cut stream), not cleared by the next look. */
  stickyNote: string | null;
  /** The first queue position seen (fal) and when: how fast the queue moves ahead of it (cadence.ts). */
  queueFirstSeen: { position: number; at: number } | null;
  /** The last steps its logs showed while processing (cadence.ts predicts the end from them). */
  progressSeen: ProgressSeen | null;
  /** The last full look while processing (absolute ms): a new step was reached after it. */
  stepsLookedAt: number | null;
}

export type Phase =
  /** Journaled, not sent (or to be sent again): waits for its turn under the concurrency bound. */
  | { kind: 'queued' }
  /** The create request is out; `held`: held open until the run ends (hold.ts). */
  | { kind: 'submitting'; held?: boolean }
  /** The create's answer was lost: looked for at the provider before anything is re-sent. */
  /** `waiting`: not found, and not finding it proves nothing yet (afterReconcile 'wait'): looked for slowly. */
  | { kind: 'reconcile'; tries: number; waiting?: boolean }
  | Following;

export type PhaseKind = Phase['kind'];

/** Start following a run the provider knows; `seen` carries what the journal already knew of it. */
export function following(
  providerId: string,
  now: number,
  seen: { status?: string | null; since?: number | null; createdAt?: number | null; needsFull?: boolean } = {},
): Following {
  const needsFull = seen.needsFull ?? true;
  return {
    kind: 'follow',
    providerId,
    providerCreatedAt: seen.createdAt ?? null,
    since: now,
    seenStatus: seen.status ?? null,
    statusSeenAt: seen.since ?? null,
    needsFull,
    lastFullAt: needsFull ? 0 : now,
    uncovered: false,
    stream: null,
    listEnd: null,
    cancelSent: false,
    cancelDueAt: 0,
    cancelFailures: 0,
    stickyNote: null,
    queueFirstSeen: null,
    progressSeen: null,
    stepsLookedAt: null,
  };
}

/** Where a journal record resumes after a restart (ARCHITECTURE.md, "Runs and their lifecycle"), or null when it has ended. */
export function phaseOnResume(rec: Pick<PredictionRecord, 'status' | 'providerId' | 'statusSince' | 'providerCreatedAt'>, now: number): Phase | null {
  if (isTerminal(rec.status)) return null;
  if (isQueuedLocally(rec)) return { kind: 'queued' };
  // `submitting` (or any status) without a provider id: the create may exist — find it, never re-send blindly.
  if (!rec.providerId) return { kind: 'reconcile', tries: 0 };
  return following(rec.providerId, now, { status: rec.status, since: rec.statusSince, createdAt: rec.providerCreatedAt });
}

/** What a failed create means: look for it (the server may have it), send it again later, or fail the run. */
export type CreateFailure = 'reconcile' | 'requeue' | 'fail';

export function afterCreateError(err: unknown): CreateFailure {
  if (err instanceof ProviderError && err.ambiguous) return 'reconcile';
  if (err instanceof ProviderError && err.transient) return 'requeue';
  return 'fail';
}

/** What one reconcile sweep decided for one lost create. */
export type ReconcileOutcome = 'follow' | 'cancel-found' | 'look-again' | 'wait' | 'drop' | 'resend' | 'give-up';

/**
 * `proven`: not finding it now proves it was never created (the provider's history lists queued
 * runs, or the run's start deadline has passed: it can never start). `expired`: looked for as long
 * as Kiln ever looks.
 */
export function afterReconcile(o: {
  found: boolean;
  unwanted: boolean;
  tries: number;
  attempts: number;
  proven?: boolean;
  expired?: boolean;
}): ReconcileOutcome {
  if (o.found) return o.unwanted ? 'cancel-found' : 'follow';
  if (o.tries + 1 < o.attempts) return 'look-again';
  // Provably never created (not listed after waiting): dropped when nobody wants it, else sent again — it cannot pay twice.
  if (o.proven ?? true) return o.unwanted ? 'drop' : 'resend';
  // It may be waiting unseen: sending again could make two jobs of one click. Keep looking, slowly;
  // in the end fail it, saying so — a second job comes only from a second click (Retry).
  if (o.expired) return o.unwanted ? 'drop' : 'give-up';
  return 'wait';
}
