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
import type { Loop } from './loop.ts';
import type { Phase, Following } from './phase.ts';

// One lane's state (a lane per provider) and the operations its modules offer each other (docs/ARCHITECTURE.md,
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

export type { Phase, Following } from './phase.ts';

/** One run this lane follows: its phase (phase.ts, a tagged union) and what every phase shares. */
export interface Track {
  id: string;
  phase: Phase;
  dueAt: number;
  /** A request about it is out: nothing else is sent for it meanwhile. */
  busy: boolean;
  /** Consecutive failed requests about it (create, poll, reconcile): its back-off. */
  failures: number;
  /** The user asked for its end (kept through every phase; sent once the provider knows the run). */
  cancelWanted: boolean;
  /** What reconciliation matches on, kept here: the row may be gone (deleted) or already ended (canceled). */
  intent: { model: string; version: string | null; input: Record<string, unknown>; since: number };
  /**
   * The record already ended locally (canceled before any create was known to exist) while a
   * create may still be out or unreconciled: if one turns up remotely, it is canceled there and
   * the card never goes back to a running status.
   */
  endedLocally: boolean;
  /** The row was deleted while its create was out or unreconciled: cancel whatever turns up. */
  forgotten: boolean;
}

/** A track the provider knows: the only kind list sweeps, polls, cancels and streams take. */
export type FollowedTrack = Track & { phase: Following };

export const isFollowed = (t: Track): t is FollowedTrack => t.phase.kind === 'follow';

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
  /** Chain: the run whose output became this input (kept on the record, carried by a retry). */
  sourceId?: string | null;
  cancelAfter?: string | null;
  /** The input schema the form was built from (history keeps it so a later look can explain the input). */
  inputSchema?: Record<string, unknown> | null;
}

export type RecordListener = (rec: PredictionRecord) => void;

/** Mutable state of one lane (one provider's runs), shared by its modules. */
export interface EngineState {
  deps: EngineDeps;
  /** The one scheduler over all lanes (loop.ts): its timer, and the create count the concurrency setting bounds. */
  loop: Loop;
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
  running: boolean;
  /** Killed (a crash, in tests): nothing is written after this. */
  dead: boolean;
  /** Creates held open now (hold.ts; opts.maxHeldCreates bounds them, createConcurrency does not count them). */
  held: number;
  /** Streams open now (opts.maxStreams bounds text streams, opts.maxStatusStreams status streams). */
  streams: number;
  listBusy: boolean;
  listDueAt: number;
  /** How many runs the last tick followed through list sweeps (0: none, each is polled alone). */
  swept: number;
  /** Per model, when a list sweep last saw one of its runs end (opts.listEndsMs: its other running ones are likely near the end too). */
  listEndsSeen: Map<string, number>;
  nextProbeAt: number;
  probing: boolean;
  offlineDetail: string | null;
  /** Set while the provider refuses the key (ARCHITECTURE.md, "Runs and their lifecycle"): nothing is sent until keyChanged(). */
  keyPause: string | null;
  /** Consecutive failed history writes (disk full…): the back-off before the next try. */
  writeFailures: number;
  /** Runs seen remotely since start (settle() waits for a first look at resumed ones). */
  looked: Set<string>;
  saving: Map<string, Promise<void>>;
  /** The typed reason a create was refused, for waitSubmitted; only the most recent few are kept. */
  createErrors: Map<string, KilnError>;
  /** Files uploaded of late, by content (submit.ts `uploadOnce`); forgotten when a key is saved (another key may be another account's). */
  uploads: Map<string, { url: Promise<string>; at: number }>;
  /** Lane timers outside the loop: retries of cancels for deleted runs, the status streams' back-off (cleared by halt). */
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
  tickLane(now: number): number;
  readyCreates(now: number): { ready: Track[]; nextAt: number };
  createWait(): number;
  // network.ts
  noteSuccess(kind: RequestClass): void;
  noteFailure(err: unknown, kind: RequestClass): FailureClass;
  pauseForKey(err: unknown): void;
  keyChanged(): void;
  probe(): void;
  retryDelay(t: Track, err: unknown): number;
  // submit.ts
  startCreate(t: Track): void;
  /** `hold`: seconds to hold the create open (hold.ts), null to create and follow. */
  doCreate(t: Track, hold?: number | null): Promise<void>;
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
  listSweep(followed: FollowedTrack[]): void;
  sweepGap(followed: FollowedTrack[]): number;
  endsNear(followed: FollowedTrack[]): boolean;
  doListSweep(followed: FollowedTrack[]): Promise<void>;
  requestFor<T>(t: Track, kind: RequestClass, call: () => Promise<T>, ok: (value: T) => void, fail: (err: unknown) => void): void;
  poll(t: FollowedTrack): void;
  sendCancel(t: FollowedTrack): void;
  applyRemote(t: FollowedTrack, p: RemoteRun, fromList?: boolean): void;
  // streams.ts
  /** After an answer about a run: open its stream if it has one and a slot is free; a status stream that follows it defers its polls. */
  offerStream(t: FollowedTrack, url: string | null | undefined, p: RemoteRun): void;
  startStream(t: FollowedTrack, url: string): void;
  // runtimes.ts
  typicalRun(model: string, version: string | null): number | null;
  /** The model's past runs answered in text (their tokens stream). */
  streamsText(model: string, version: string | null): boolean;
  /** A run of this model succeeded: its past runs are read afresh at the next question. */
  ranOnce(model: string): void;
  // tracks.ts
  track(rec: PredictionRecord, phase: Phase, dueAt?: number): Track;
  /** Moves a track into the follow phase (the provider knows it now) and returns it as such. */
  follow(t: Track, phase: Following): FollowedTrack;
  save(rec: PredictionRecord): void;
  resume(rec: PredictionRecord): void;
  stopStream(t: Track): void;
  forget(ids: string[]): void;
  halt(): void;
}

export type Core = EngineState & EngineOps;
