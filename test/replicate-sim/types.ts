// Public types of the Replicate simulator. Kept stable once committed: other engineers' tests
// load scenarios of this shape (see README.md for the meaning of each field).

export type RemoteStatus = 'starting' | 'processing' | 'succeeded' | 'failed' | 'canceled' | 'aborted';

/** Per-model behaviour. Any field left out falls back to the catalogue default for that model. */
export interface ModelBehaviour {
  /** Time spent in `starting` (simulated ms). */
  coldBootMs?: number;
  /** Time spent in `processing` (simulated ms). */
  runMs?: number;
  /**
   * Vary coldBootMs and runMs per prediction by up to this share either way (0–0.9; default 0: exact).
   * Real run times vary; with exact ones a client polling every 500 ms from create is phase-locked
   * to the ends (a 5.000 s run is seen 0 ms late). Drawn from the prediction id, so repeatable.
   */
  runJitter?: number;
  outcome?: 'succeeded' | 'failed';
  /** Error string used when outcome is `failed` (Replicate style, with an E#### code). */
  error?: string;
  /** Report this (non-standard, "future") status instead of `starting`, e.g. 'queued'. */
  unknownStatus?: string;
  /** `processing` responses already carry the full output during the second half of the run. */
  earlyOutput?: boolean;
  /** How tqdm progress lines are separated in `logs`: 'mixed' (\r between steps, \n after a bar; default), 'lf', 'cr'. */
  logStyle?: 'mixed' | 'lf' | 'cr';
}

export type FaultEndpoint = 'create' | 'get' | 'list' | 'cancel' | 'delivery' | 'stream' | 'models' | 'files' | 'account' | '*';

export type FaultKind =
  | '429'
  | '429-no-retry-after'
  | '500'
  | '502'
  | '503'
  | '504'
  | 'reset'
  | 'slow'
  | 'truncated-json'
  | 'malformed-json'
  | 'drop-response-after-create'
  /** 401 / 403 problem details: a key rotated or revoked while runs are followed. */
  | '401'
  | '403'
  /** A 404 answered by a front proxy with an HTML page instead of problem details. */
  | '404-html'
  /**
   * Answer verbatim with `reply` (a recorded or hostile body). In its headers and body,
   * `{{origin}}` becomes the simulator's origin, `{{authorization}}` the request's Authorization
   * header (a server that echoes the key back) and `{{id}}` the first path parameter.
   */
  | 'reply'
  /** A 200 whose body is `bytes` long (default 40 MB) of JSON-ish filler: an unbounded answer. */
  | 'huge'
  /** For `stream`: SSE `output` events forever, never `done` (an endless text stream). */
  | 'endless-stream';

/** "The next `count` requests to `endpoint` get `kind`" (after skipping `after` matching requests). */
export interface Fault {
  endpoint: FaultEndpoint;
  kind: FaultKind;
  /** How many matching requests this fault applies to (default 1). */
  count?: number;
  /** Skip this many matching requests before the fault starts applying (default 0). */
  after?: number;
  /** Only requests concerning this model (owner/name); create and get/cancel by prediction. */
  model?: string;
  /** For 429 kinds: the advertised wait in seconds (default 1). */
  retryAfterS?: number;
  /** For 'slow': real milliseconds to stall before answering normally (default 2000). */
  delayMs?: number;
  /** For 'reply': the answer, written as is (placeholders replaced; content-length added). */
  reply?: { status: number; headers?: Record<string, string>; body: string };
  /** For 'huge': body size in bytes. */
  bytes?: number;
}

export interface Scenario {
  /** Overrides keyed by 'owner/name'. */
  models?: Record<string, ModelBehaviour>;
  faults?: Fault[];
  rateLimits?: {
    /** Creates per minute per token (default 600). */
    createPerMin?: number;
    /** All other API requests per minute per token (default 3000). */
    otherPerMin?: number;
    /** Send a Retry-After header with 429s (default true). */
    retryAfterHeader?: boolean;
  };
  /** Output retention after completion (simulated ms, default 1 h). */
  retentionMs?: number;
  /** Maximum run time before a prediction fails with a timeout (simulated ms, default 30 min). */
  maxRunMs?: number;
  account?: { type?: 'user' | 'organization'; username?: string; name?: string; github_url?: string };
  /** false → every create answers 402 Insufficient credit. */
  credit?: boolean;
  /** Further bearer tokens accepted besides the main one (rate limits are per token). */
  extraTokens?: string[];
  /** Deployments 'owner/name' → model 'owner/name'. */
  deployments?: Record<string, string>;
  /** Page size for paginated lists (default 100, like Replicate). */
  pageSize?: number;
  /** Real-time cap on how long `Prefer: wait` holds a request (ms, default 5000). */
  preferWaitCapMs?: number;
  /** HTTP status of a `Prefer: wait` create that is not yet terminal (UNVERIFIED upstream: 200/201/202; default 201). */
  waitIncompleteStatus?: 200 | 201 | 202;
  /**
   * Reproduce the sync-mode quirks the official clients work around: a finished `Prefer: wait`
   * response says `processing` (with output), a timed-out one says `starting` even when running.
   */
  syncQuirks?: boolean;
  /** Also emit SSE `logs` events as the logs grow (UNVERIFIED upstream; default false). */
  streamLogs?: boolean;
  /** Require the bearer token on output-file downloads (UNVERIFIED upstream; default false). */
  deliveryAuth?: boolean;
  /** Status of an output URL after retention (UNVERIFIED upstream; default 404). */
  expiredDeliveryStatus?: 403 | 404 | 410;
  /** Official models report version "hidden" in predictions (default true, as Replicate does). */
  hideOfficialVersion?: boolean;
  /** Largest accepted upload for POST /files (bytes, default 100 MB). */
  maxFileBytes?: number;
}

export interface Counters {
  /** Requests by endpoint name, e.g. 'predictions.create', 'predictions.get', 'delivery'. */
  byEndpoint: Record<string, number>;
  /** Responses by HTTP status code ('reset' for destroyed connections). */
  byStatus: Record<string, number>;
  /** 429 responses sent (rate limit and injected). */
  throttled: number;
  /** Predictions actually created, keyed by a hash of model + input (duplicates show as > 1). */
  createsByInputHash: Record<string, number>;
  /** Most requests seen within any 60 s window of simulated time, per rate-limit bucket. */
  maxPerMinute: { create: number; other: number };
  /** All requests counted (API, delivery and stream; not /__sim/ control calls). */
  total: number;
}

export interface PredictionSummary {
  id: string;
  model: string;
  status: string;
  inputHash: string;
  created_at: string;
  deployment?: string;
}

/** Control of a running simulator. The in-process version answers synchronously. */
export interface SimControl {
  /** Move simulated time forward by `ms`. Returns the new simulated now (epoch ms). */
  advance(ms: number): number;
  freeze(): number;
  unfreeze(): number;
  /** Simulated now (epoch ms). */
  now(): number;
  /** Replace the scenario (faults restart from their beginning). */
  loadScenario(s: Scenario): void;
  counters(): Counters;
  predictions(): PredictionSummary[];
  /** Forget predictions, files, counters, rate limits, time offset and freeze; scenario goes back to the start one. */
  reset(): void;
}

export interface SimOptions {
  /** 0 (default) lets the OS choose. */
  port?: number;
  host?: string;
  /** API base path (default '/v1'). */
  basePath?: string;
  /** Bearer token (default 'r8_kiln_sim_demo_token'). */
  token?: string;
  scenario?: Scenario;
  /** Shortcut for scenario.retentionMs. */
  retentionMs?: number;
  /** Log each request to stderr. */
  verbose?: boolean;
}

export interface Sim {
  /** e.g. http://127.0.0.1:P/v1 */
  baseUrl: string;
  /** e.g. http://127.0.0.1:P */
  origin: string;
  token: string;
  control: SimControl;
  close(): Promise<void>;
}
