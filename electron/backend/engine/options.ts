import { DEFAULT_BACKOFF, type BackoffOptions } from '../../../shared/backoff.ts';
import type { BudgetOptions } from './budget.ts';
import { DEFAULT_CADENCE, type CadenceOptions } from './cadence.ts';

// The engine's options (ARCHITECTURE.md, "The engine": "the options are typed"). Hosts and tests pass an
// EngineOptionsInput: every field optional, nested ones partial — but a field that does not exist
// is a type error, never silently ignored.

export interface EngineOptions {
  cadence: CadenceOptions;
  backoff: BackoffOptions;
  budget: BudgetOptions;
  /** With at least this many followed, detect changes through the list endpoint. */
  listThreshold: number;
  /** Shortest gap between list sweeps (a few in flight: status changes show within about this)... */
  listIntervalMs: number;
  /** ...stretched up to this with many in flight, where each sweep costs one page per 100 followed. */
  listIntervalMaxMs: number;
  /** In-flight count at which the sweep gap reaches listIntervalMaxMs (linear from listThreshold). */
  listIntervalMaxAt: number;
  /** With at most listFewAt followed, sweeps may come every listFewMs (the endgame pace): a handful of runs costs few sweeps. */
  listFewAt: number;
  listFewMs: number;
  /**
   * Runs sent together end together: once a sweep has seen a run of a model end while others of
   * that model are processing, sweeps come every listEndsMs (without waiting for any run's own
   * cadence) until listEndsForMs pass without another end of it. Only with more than listFewAt
   * followed (fewer are swept at listFewMs when a run asks) and while one page covers them all
   * (listEndsAt): beyond, a sweep costs a page per 100.
   */
  listEndsMs: number;
  listEndsForMs: number;
  listEndsAt: number;
  listMaxPages: number;
  /** In list mode, full GET of a `processing` prediction this often (logs → progress)... */
  processingRefreshMs: number;
  /** ...but all such refreshes together at most this many per second, however many run at once. */
  progressRequestsPerSec: number;
  /** Consecutive network/5xx failures before Kiln calls itself offline. */
  offlineAfterFailures: number;
  /** Probe interval during an outage. */
  probeMs: number;
  /** Wait before looking for a create whose response was lost (it may take a moment to be listed). */
  reconcileDelayMs: number;
  /** How many empty reconcile sweeps before the create is sent again. */
  reconcileAttempts: number;
  /** Clock-skew slack when matching a lost create by its created time. */
  reconcileSkewMs: number;
  /**
   * A lost submit to a provider whose history does not list queued runs (historyListsQueued false)
   * is looked for this often until its start deadline, plus reconcileDeadlineMarginMs, has passed...
   */
  reconcileWaitMs: number;
  reconcileDeadlineMarginMs: number;
  /** ...and, with no deadline, for this long at most; then the run fails, saying so (a Retry sends it again). */
  reconcileGiveUpMs: number;
  /** A create is held open until its run ends only for a model whose typical run is at most this (hold.ts)... */
  holdCreateMaxMs: number;
  /** ...at most this many at once per provider, each a connection (0: never hold). */
  maxHeldCreates: number;
  /** Follow `urls.stream` for text models... */
  stream: boolean;
  /** ...at most this many at once (each holds a connection); the rest are polled and get their text at the end. */
  maxStreams: number;
  /** Status streams (capabilities.statusStream) open at once; the rest are polled until a slot frees (streams.ts). */
  maxStatusStreams: number;
  /** A run followed by an open status stream is looked at (polled) after this long without news from it: a safety look, in case the stream goes quiet while it seems alive. */
  streamSafetyMs: number;
  /** Inline input files up to this size as data URIs instead of uploading them. */
  dataUriMaxBytes: number;
  /**
   * A file uploaded for one run is sent by its URL to the runs created after it for this long (the
   * same bytes, the same provider): a batch of 100 runs on one picture uploads it once, not 100
   * times. Well within the providers' own lifetime for uploads (Replicate's files API: an hour).
   */
  uploadReuseMs: number;
  /**
   * On start: `true` resumes every unfinished prediction (the app). `'with-provider-id'` (the CLI)
   * follows only those a create is known for, plus unsaved outputs — several processes may follow
   * one prediction safely, but an intent without an id is left to the process that owns it, since
   * two engines reconciling or re-sending one intent could create it twice. `false`: nothing.
   */
  resumeOnStart: boolean | 'with-provider-id';
  random: () => number;
}

export const DEFAULT_ENGINE_OPTIONS: EngineOptions = {
  cadence: DEFAULT_CADENCE,
  backoff: DEFAULT_BACKOFF,
  budget: {},
  listThreshold: 2,
  // Sweeps are one request for up to 100 followed: with a handful (listFewAt) they come at the
  // endgame pace (250 ms), since then a sweep is what bounds detection and costs little. Beyond,
  // from 500 ms stretched with the count: with run times that vary, some of 100 runs is always in
  // its endgame, so the sweeps come as often as the gap allows — at 250 ms the all-in request
  // ratio at N = 100 was 0.113, at 400 ms 0.103 (target 0.1; docs/DECISIONS.md, "Cadence round three").
  listIntervalMs: 500,
  listFewAt: 10,
  listFewMs: 250,
  // A batch's runs of one model end within seconds of each other (run times vary by some ±20 %):
  // the first end says the rest are near, which no run's own cadence knows without past runs.
  // N = 100, detection p95 0.64 → see docs/DECISIONS.md, "Ends come together".
  listEndsMs: 400,
  listEndsForMs: 1500,
  listEndsAt: 100,
  listIntervalMaxMs: 2500,
  listIntervalMaxAt: 1000,
  listMaxPages: 12,
  processingRefreshMs: 3000,
  progressRequestsPerSec: 2,
  offlineAfterFailures: 3,
  probeMs: 30_000,
  reconcileDelayMs: 2000,
  reconcileAttempts: 2,
  reconcileSkewMs: 5 * 60_000,
  reconcileWaitMs: 30_000,
  reconcileDeadlineMarginMs: 60_000,
  reconcileGiveUpMs: 24 * 3600_000,
  // Fast image models (a few seconds a run) are most of what people run: held, such a run costs one
  // request and is seen the moment it ends. Longer runs are followed, so their progress shows.
  // docs/DECISIONS.md, "Held creates".
  holdCreateMaxMs: 6000,
  // Like maxStreams: each held create is a connection to the API host for up to ~11 s.
  maxHeldCreates: 16,
  stream: true,
  maxStreams: 16,
  // One status stream replaces a poll every half second, so every run that may end soon should
  // have one. The bound is for connections to one host: Node's fetch (undici, also in Electron's
  // main process) speaks HTTP/1.1 without multiplexing and sets no per-host cap, so each open
  // stream is its own TLS connection to queue.fal.run for the run's whole life. 64 covers fal's
  // highest self-serve concurrency (40 running) and the front of the queue, while 1,000 queued
  // runs never become 1,000 sockets to one host (a process's file descriptors — macOS's default
  // soft limit is 256 — and an ingress's per-client connection limits). The rest are polled, slowly
  // while far back in the queue, and get a stream the moment one frees.
  maxStatusStreams: 64,
  // A stream that keeps its connection (pings) but stops reporting would otherwise hide a run's
  // end; fal's SDK gives up on a stream after 15 s without a message. Costs one look per 20 s of
  // silence (a run that logs, or moves up the queue, is not polled at all).
  streamSafetyMs: 20_000,
  // An inline file travels in every answer that carries the run's input: each GET, and each list
  // sweep for as long as the run is on the page (a sweep every 250 ms with a few followed). At
  // 256 KB a batch of ten img2img runs made each sweep 2.7 MB, some 10 MB/s while they ran. A small
  // mask or icon still goes inline; anything larger is uploaded, once per batch (uploadReuseMs).
  dataUriMaxBytes: 16 * 1024,
  uploadReuseMs: 10 * 60_000,
  resumeOnStart: true,
  random: Math.random,
};

/** What a host or test may pass: any subset, nested option groups partially. */
export type EngineOptionsInput = Partial<Omit<EngineOptions, 'cadence' | 'backoff'>> & {
  cadence?: Partial<CadenceOptions>;
  backoff?: Partial<BackoffOptions>;
};

export function resolveEngineOptions(input: EngineOptionsInput = {}): EngineOptions {
  return {
    ...DEFAULT_ENGINE_OPTIONS,
    ...input,
    cadence: { ...DEFAULT_CADENCE, ...input.cadence },
    backoff: { ...DEFAULT_BACKOFF, ...input.backoff },
    budget: { ...input.budget },
  };
}
