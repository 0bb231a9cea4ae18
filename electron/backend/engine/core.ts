import type { Clock, Logger, SettingsAdapter } from '../types.ts';
import type { HistoryStore, PredictionRecord } from '../history/types.ts';
import type { MediaVault } from '../vault/types.ts';
import type { Publisher, Emit } from '../events/publisher.ts';
import type { Provider, ProviderId, RemoteRun, RunRef } from '../providers/types.ts';
import type { KilnError } from '../../../shared/ipc.ts';
import type { RequestBudget } from './budget.ts';
import type { Health, RequestClass } from './health.ts';
import type { FailureClass } from './failures.ts';
import type { createCancelWaiters } from './cancel.ts';
import type { EngineOptions, EngineOptionsInput } from './options.ts';

// The engine's shared state and the operations its modules offer each other (docs/ARCHITECTURE.md,
// "the engine"). Each module (journal, scheduler, network, submit, reconcile, follow, tracks) is a
// `createX(c: Core)` that reads and writes this one object and calls the others only through it,
// late-bound, so the files import nothing of each other but types and no cycle forms.

export interface EngineDeps {
  history: HistoryStore;
  vault: MediaVault;
  provider: Provider;
  publisher: Publisher;
  emit: Emit;
  clock: Clock;
  log: Logger;
  settings: SettingsAdapter;
  options: EngineOptionsInput;
}

export type Phase = 'queued' | 'submitting' | 'reconcile' | 'follow';

export interface Track {
  id: string;
  phase: Phase;
  dueAt: number;
  busy: boolean;
  failures: number;
  reconcileTries: number;
  /** Status last seen via list or GET, to notice changes cheaply. */
  seenStatus: string | null;
  needsFull: boolean;
  lastFullAt: number;
  followSince: number;
  /** Not reached by the last list sweep: poll it directly. */
  uncovered: boolean;
  stream: AbortController | null;
  cancelWanted: boolean;
  cancelSent: boolean;
  /** After a cancel that got no answer (network, 5xx, 429): not before this (back-off, never a burst). */
  cancelDueAt: number;
  cancelFailures: number;
  /** A note that stays on the card until the run ends (a refused cancel), not cleared by the next look. */
  stickyNote: string | null;
  /** The first queue position seen (fal) and when: how fast the queue moves ahead of it (cadence.ts). */
  queueFirstSeen: { position: number; at: number } | null;
  /** The end as the list endpoint showed it: used only if the final GET is refused (DESIGN §4: logs at the end). */
  listEnd: RemoteRun | null;
  providerId: string | null;
  providerCreatedAt: number | null;
  statusSeenAt: number | null;
  /** What reconciliation matches on, kept here: the row may be gone (deleted) or already ended (canceled). */
  intent: { model: string; input: Record<string, unknown>; since: number };
  /**
   * The record already ended locally (canceled before any create was known to exist) while a
   * create may still be out or unreconciled: if one turns up remotely, it is canceled there and
   * the card never goes back to a running status.
   */
  endedLocally: boolean;
  /** The row was deleted while its create was out or unreconciled: cancel whatever turns up. */
  forgotten: boolean;
}

/** Streamed text is written at most this often (one write per token would rewrite a long text thousands of times). */
export const STREAM_FLUSH_MS = 100;

/** A history write that threw (disk full…): the caller leaves its in-memory state as it was. */
export class WriteFailed extends Error {
  constructor(cause: unknown) {
    super(`history write failed: ${String(cause)}`, { cause });
  }
}

/** How far back a restart looks for creates that were canceled before their answer arrived. */
export const PROVIDER_LIST_HORIZON_MS = 60 * 60_000;

export interface SubmitRequest {
  /** Which provider runs it (default Replicate: a bare model reference means Replicate). */
  provider?: ProviderId;
  model: string;
  version?: string | null;
  target?: PredictionRecord['target'];
  input: Record<string, unknown>;
  retryOf?: string | null;
  cancelAfter?: string | null;
  /** The input schema the form was built from (history keeps it so a later look can explain the input). */
  inputSchema?: Record<string, unknown> | null;
}

export type RecordListener = (rec: PredictionRecord) => void;

/** Mutable state of one engine, shared by its modules. */
export interface EngineState {
  deps: EngineDeps;
  history: HistoryStore;
  vault: MediaVault;
  provider: Provider;
  publisher: Publisher;
  clock: Clock;
  log: Logger;
  opts: EngineOptions;
  budget: RequestBudget;
  health: Health;
  cancels: ReturnType<typeof createCancelWaiters>;
  tracks: Map<string, Track>;
  listeners: Set<RecordListener>;
  keyListeners: Set<(note: string | null) => void>;
  /** Requests out (stop() waits for them, bounded). */
  pending: Set<Promise<unknown>>;
  timer: unknown;
  timerAt: number;
  running: boolean;
  /** Killed (a crash, in tests): nothing is written after this. */
  dead: boolean;
  /** Creates out now (the concurrency setting bounds it). */
  creating: number;
  /** Text streams open now (opts.maxStreams bounds it). */
  streams: number;
  listBusy: boolean;
  listDueAt: number;
  nextProbeAt: number;
  probing: boolean;
  offlineDetail: string | null;
  /** Set while the provider refuses the key (DESIGN §3): nothing is sent until keyChanged(). */
  keyPause: string | null;
  /** Consecutive failed history writes (disk full…): the back-off before the next try. */
  writeFailures: number;
  /** Runs seen remotely since start (settle() waits for a first look at resumed ones). */
  looked: Set<string>;
  saving: Map<string, Promise<void>>;
  /** The typed reason a create was refused, for waitSubmitted; only the most recent few are kept. */
  createErrors: Map<string, KilnError>;
  /** Retry timers of cancels for deleted runs (cleared by halt). */
  detachedTimers: Set<unknown>;
}

type Patch = Partial<Omit<PredictionRecord, 'id'>>;

/** What the modules offer each other (each line names the module that implements it). */
export interface EngineOps {
  // journal.ts
  write(id: string, patch: Patch): PredictionRecord | null;
  tryWrite(id: string, patch: Patch): PredictionRecord | null;
  writeRetryDelay(): number;
  // scheduler.ts
  run<T>(p: Promise<T>): void;
  schedule(delay: number): void;
  tick(): void;
  finishTick(nextAt: number, now: number): void;
  // network.ts
  noteSuccess(kind: RequestClass): void;
  noteFailure(err: unknown, kind: RequestClass): FailureClass;
  pauseForKey(err: unknown): void;
  keyChanged(): void;
  probe(): void;
  retryDelay(t: Track, err: unknown): number;
  // submit.ts
  startCreate(t: Track): void;
  doCreate(t: Track): Promise<void>;
  unwanted(t: Track): boolean;
  foundUnwanted(t: Track, p: RemoteRun): void;
  cancelDetached(id: string, ref: RunRef, attempt?: number): void;
  requeue(t: Track, delay: number, err: unknown): void;
  failCreate(t: Track, err: unknown): void;
  prepareInput(input: Record<string, unknown>): Promise<Record<string, unknown>>;
  listPage(next: string | null, query?: { createdAfter?: string }): ReturnType<NonNullable<Provider['list']>>;
  // reconcile.ts
  reconcileSweep(): void;
  doReconcile(batch: Track[]): Promise<void>;
  // follow.ts
  listSweep(followed: Track[]): void;
  sweepGap(followedCount: number): number;
  doListSweep(followed: Track[]): Promise<void>;
  requestFor<T>(t: Track, kind: RequestClass, call: () => Promise<T>, ok: (value: T) => void, fail: (err: unknown) => void): void;
  poll(t: Track): void;
  sendCancel(t: Track, providerId: string): void;
  applyRemote(t: Track, p: RemoteRun, fromList?: boolean): void;
  startStream(t: Track, url: string): void;
  // runtimes.ts
  typicalRun(model: string, version: string | null): number | null;
  // tracks.ts
  track(rec: PredictionRecord, phase: Phase, dueAt?: number): Track;
  save(rec: PredictionRecord): void;
  resume(rec: PredictionRecord): void;
  stopStream(t: Track): void;
  forget(ids: string[]): void;
  halt(): void;
}

export type Core = EngineState & EngineOps;
