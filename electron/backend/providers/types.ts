// The Provider interface: all the engine may know of a provider (ARCHITECTURE.md, "The engine"; docs/ARCHITECTURE.md,
// "engine → providers"). Replicate (replicate/provider.ts) and fal (fal/provider.ts) implement it;
// adding a provider touches no engine file. Providers import nothing of the engine: the request
// budget they draw from is declared here (RequestGate) and implemented by engine/budget.ts.

/** Which provider a run belongs to (history's `provider` column, model refs `fal:…`). */
export type { ProviderId } from '../../../shared/domain/provider.ts';
import type { ProviderId } from '../../../shared/domain/provider.ts';

/** What a request costs against the provider's budget: creates/submits have their own bucket. */
export type RequestKind = 'create' | 'other';

/** The request budget, implemented by the engine and installed with setGate (one per provider). */
export interface RequestGate {
  /** Resolves when a request of this kind may go out (the provider calls it before every request). */
  acquire(kind: RequestKind, signal?: AbortSignal): Promise<void>;
  /** The server answered 429: nothing of this kind for retryAfterMs (or a back-off when null). */
  throttled(kind: RequestKind, retryAfterMs: number | null): void;
}

/**
 * Kiln's remote phases (ARCHITECTURE.md, "Runs and their lifecycle" table). `RemoteRun.status` carries them in the record's own
 * vocabulary — `starting` (waiting), `processing` (running), and the terminal four — and a status
 * the provider invented since is passed through as it is: non-terminal, followed, never raised on.
 */
export type RemotePhase = 'waiting' | 'running' | 'succeeded' | 'failed' | 'canceled' | 'aborted';

/** One provider's view of one run, normalized: the only shape the engine merges into the record. */
export interface RemoteRun {
  /** The provider's id for the run (Replicate prediction id, fal request id). */
  id: string;
  /** Kiln status: starting | processing | succeeded | failed | canceled | aborted, or an unknown one as sent. */
  status: string;
  /** The provider's own status word, for logs and the card's details. */
  rawStatus: string;
  model?: string;
  version?: string | null;
  input?: Record<string, unknown>;
  /** undefined: this answer does not say (a list item); null: no output yet. */
  output?: unknown;
  /** undefined: this answer does not carry logs. */
  logs?: string | null;
  error?: unknown;
  /** A code for the error, when the provider knows one beyond its message (RESULT_UNREAD). */
  errorCode?: string | null;
  /** Provider timestamps (ms since epoch), null when not given. Kiln's own clock stamps the card. */
  createdAt: number | null;
  startedAt: number | null;
  completedAt: number | null;
  /** Run time; token counts where the provider reports them (language models), for per-token prices. */
  metrics?: { predictTime: number | null; totalTime: number | null; inputTokens?: number | null; outputTokens?: number | null } | null;
  /** Runs ahead of this one in the provider's queue (fal's queue_position), when known. */
  queuePosition?: number | null;
  urls?: { get?: string; cancel?: string; stream?: string; web?: string } | null;
  /** The provider removed the outputs (retention): what was not saved is gone. */
  dataRemoved?: boolean;
}

export interface RunPage {
  next: string | null;
  results: RemoteRun[];
}

/** A run at its provider: the provider's id and the model it was sent to (fal addresses a request by both). */
export interface RunRef {
  id: string;
  model: string;
  /**
   * The run's record says its end was asked for (this process, an earlier one, or the CLI): a
   * provider that drops canceled requests (fal) reads "not found" then as the cancel done.
   */
  cancelRequested?: boolean;
}

/** What reconciliation looks for: a submit whose answer was lost (ARCHITECTURE.md, "Runs and their lifecycle": never re-send blindly). */
export interface SubmitIntent {
  model: string;
  input: Record<string, unknown>;
  /** Epoch ms: the submit was sent at or after this (minus clock-skew slack, the caller's choice). */
  since: number;
}

export interface SubmitSpec {
  model: string;
  version: string | null;
  target: 'model' | 'version' | 'deployment';
  input: Record<string, unknown>;
  /** Replicate's Cancel-After (a duration like `5m`); providers without it ignore it. */
  cancelAfter?: string | null;
  /** Replicate's `Prefer: wait=N`; providers without it ignore it. */
  waitSeconds?: number | null;
  /** Give up if not started by then (epoch ms): fal's `x-fal-request-timeout`; others ignore it. */
  startDeadlineAt?: number | null;
}

/** What became of a cancel at the provider. A refusal it explains is thrown as a ProviderError (4xx). */
export interface CancelAnswer {
  /** The run as the cancel answer showed it, when the provider returns one. */
  run: RemoteRun | null;
  /** Kiln status to report with the accepted cancel when there is no run (`canceled`, or the end it had). */
  status: string;
}

export interface StreamHandlers {
  onOutput(chunk: string): void;
  onFile?(url: string): void;
  onError?(message: string): void;
  onDone?(reason: string | null): void;
  /** A status stream (capabilities.statusStream) reports the run as it moves: never a terminal status (the end is `onDone`, then a full look). */
  onStatus?(run: RemoteRun): void;
}

export interface ProviderCapabilities {
  /** `list`: one request covers many runs (change detection) and finds lost submits. */
  list: boolean;
  /** `stream`: text output streamed from a run's `urls.stream`. */
  stream: boolean;
  /**
   * The stream at `urls.stream` reports the run's status until its end (fal's status stream),
   * not text: while one is open and has spoken, the engine follows the run by it instead of polling.
   */
  statusStream?: boolean;
  /** A create can be held open until the run ends and answer with it (Replicate's `Prefer: wait`, SubmitRequest.waitSeconds). */
  holdCreate?: boolean;
  /**
   * Where lost submits are looked for (`list`, `findSubmitted`) shows a run from its submit on, so
   * not finding it there proves it was never created (Replicate's list: true, the default). False
   * (fal's request history lists a request once it has started, and may lag): a lost submit not
   * found may still be waiting in the queue, unseen, and only its start deadline having passed
   * proves it will never run (engine/reconcile.ts).
   */
  historyListsQueued?: boolean;
}

export interface Provider {
  readonly id: ProviderId;
  /** The name in user-facing text ("Replicate unreachable"). */
  readonly label: string;
  readonly capabilities: ProviderCapabilities;
  /** How long the provider keeps outputs after a run ends (ms), null when it does not say. */
  readonly retentionMs: number | null;
  /** Where the key lives, for the "key rejected" texts (Settings, or the environment variable). */
  readonly keyHint: string;
  setGate(gate: RequestGate | null): void;
  submit(spec: SubmitSpec): Promise<RemoteRun>;
  get(ref: RunRef): Promise<RemoteRun>;
  cancel(ref: RunRef): Promise<CancelAnswer>;
  /** One page, newest first; `next` as returned to continue (capabilities.list). */
  list?(next: string | null, query?: { createdAfter?: string }): Promise<RunPage>;
  /**
   * Runs at the provider that may be a submit whose answer was lost: the model's requests since
   * `intent.since` in its request history, oldest first, each as far as the history tells, with
   * the input it was sent with where the history keeps it. The engine picks the one whose input
   * matches (engine/match.ts). Providers with `list` reconcile through it instead.
   */
  findSubmitted?(intent: SubmitIntent): Promise<RemoteRun[]>;
  /** Follows a run's text stream until it ends (capabilities.stream). */
  stream?(url: string, handlers: StreamHandlers, signal?: AbortSignal): Promise<unknown>;
  /** Uploads a local input file; resolves with the URL to pass as input. */
  upload(bytes: Uint8Array, filename: string, mime: string): Promise<string>;
  /**
   * May Kiln open this stream URL (a run's `urls.stream`)? The provider sends its key with it only
   * where net/trust.ts lets the key go; any other stream URL is not opened and the run is polled.
   */
  mayStream(url: string): boolean;
  /** Cleans a text of the key in use (for text assembled from pieces, like a stream's tokens). */
  redact(text: string): string;
}
