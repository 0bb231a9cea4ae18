// Public types of the fal simulator. Kept stable once committed: other engineers' tests and the
// bench load scenarios of this shape (README.md explains each field and what upstream leaves
// UNVERIFIED).

/** How a job ends, decided when it is submitted (model behaviour, prompt tags or a submit fault). */
export type JobOutcome =
  /** 200 with the model's output. */
  | 'success'
  /** 422 `{detail:[…]}` at the result fetch (the runner validated the input). */
  | 'invalid-input'
  /** 422 with type `content_policy_violation`. */
  | 'content-policy'
  /** A runner/request error at the result fetch (`{detail, error_type}` + `X-Fal-Error-Type`). */
  | 'runner-error'
  /** Never gets a runner: ends at its start deadline (504; `X-Fal-Request-Timeout-Type: user` when the client set one). */
  | 'start-timeout';

export interface EndpointBehaviour {
  /** Time in IN_QUEUE even with a free runner (runner acquisition, cold start), simulated ms. */
  startupMs?: number;
  /** Time in IN_PROGRESS, simulated ms. */
  runMs?: number;
  outcome?: JobOutcome;
  /** For runner-error: fal's request-error type (default `runner_server_error`). */
  errorType?: string;
  /** For runner-error: the message (`detail`). */
  error?: string;
  /** Report this (never documented) status instead of IN_QUEUE, e.g. 'IN_WARMUP': clients must keep following it. */
  unknownStatus?: string;
  /** Show `error`/`error_type` on the COMPLETED status too (default: true for runner errors and timeouts, false for 422s). */
  statusError?: boolean;
}

export type FaultEndpoint = 'submit' | 'status' | 'stream' | 'result' | 'cancel' | 'platform' | 'storage' | 'upload' | 'cdn' | '*';

export type FaultKind =
  | '429'
  | '429-no-retry-after'
  | '500'
  | '502'
  | '503'
  | '504'
  /** An ingress error: HTML body mentioning nginx, no `x-fal-request-id` (fal_client retries only these). */
  | 'nginx-502'
  | 'nginx-503'
  | 'nginx-504'
  | 'reset'
  /** On the status stream: the current status is sent, then the connection is cut (a proxy or network dropping a long-lived stream). */
  | 'stream-drop'
  /** On the status stream: the current status is sent, then only `: ping`s, never another event (the connection looks alive, the news has stopped). */
  | 'stream-silent'
  | 'slow'
  | 'truncated-json'
  | 'malformed-json'
  /** The job IS created, then the connection is destroyed before any answer (the duplicate-submit hazard). */
  | 'drop-response-after-submit'
  /**
   * Answer verbatim with `reply` (a recorded or hostile body, test/fixtures/fal/). In its headers
   * and body, `{{origin}}` becomes the simulator's origin, `{{queueUrl}}` its queue URL and `{{id}}`
   * the request id in the path (queue routes). Sent before auth, like every fault.
   */
  | 'reply'
  /** On submit: the job is created normally but will end with this outcome. */
  | 'runner-error'
  | 'start-timeout'
  | 'invalid-input';

/** "The next `count` requests to `endpoint` get `kind`" (after skipping `after` matching requests). */
export interface Fault {
  endpoint: FaultEndpoint;
  kind: FaultKind;
  count?: number;
  after?: number;
  /** Only requests concerning this endpoint id (submit by path, status/result/cancel by the job). */
  endpointId?: string;
  /** For 429 kinds: the advertised wait in seconds (default 1). */
  retryAfterS?: number;
  /** For 'slow': real milliseconds to stall before answering normally (default 2000). */
  delayMs?: number;
  /** For 'reply': the answer, written as is (placeholders replaced; content-length added). */
  reply?: { status: number; headers?: Record<string, string>; body: string };
}

export interface Scenario {
  /** Per endpoint id overrides of the catalogue's behaviour. */
  endpoints?: Record<string, EndpointBehaviour>;
  faults?: Fault[];
  /** Runners per account: only IN_PROGRESS jobs count; the rest wait IN_QUEUE with a queue_position (default 10). */
  concurrency?: number;
  rateLimits?: {
    /** Queue API requests per minute per key (default 6000). */
    queuePerMin?: number;
    /** Platform and storage API requests per minute per key (default 600). */
    platformPerMin?: number;
    /** Send Retry-After with 429s (default true). */
    retryAfterHeader?: boolean;
  };
  /** Result availability after completion (default 1 h). */
  resultRetentionMs?: number;
  /** Result availability when the output JSON is ≥ 10 KB (default 6 min). */
  largeResultRetentionMs?: number;
  /** Output and upload media lifetime when the request sets no lifecycle (default 7 days). */
  mediaRetentionMs?: number;
  /** Start deadline applied when the client sent no x-fal-request-timeout (platform-side; default 30 min). */
  defaultStartTimeoutMs?: number;
  /** Account state: 'locked' → 403 on submit and upload initiate; status and result still answer. */
  account?: 'ok' | 'locked';
  /** More keys of the same account (they see its jobs; rate limits are per key). */
  extraKeys?: string[];
  /** Keys of other accounts: valid, but they see only their own jobs. */
  otherAccountKeys?: string[];
  /** Admin keys of the main account: the only ones allowed to read billing events; default none. */
  adminKeys?: string[];
  /** Keys answered 401 from now on, the main one included (a key revoked or rotated while runs are followed). */
  revokedKeys?: string[];
  /** Status bodies without `error`/`error_type` even for runner errors (default false). */
  hideStatusErrors?: boolean;
  /** What `logs` is on IN_PROGRESS/COMPLETED when polled with logs=0 (UNVERIFIED; default null). */
  logsWhenOff?: 'null' | 'empty';
  /** Log entry shape: fal-js's typed entries (default) or the legacy `{timestamp, message, labels}`. */
  logFormat?: 'typed' | 'labels';
  /** Submit answers only the four id/URL fields (no status/queue_position), as some docs show. */
  minimalSubmit?: boolean;
  /** A running job that gets a cancel: stops (default) or ignores it and completes. */
  cancelRunning?: 'stops' | 'ignored';
  /** What a canceled job shows afterwards: COMPLETED with a client_cancelled error (default), or 404. */
  afterCancel?: 'completed-error' | 'not-found';
  /** Request history lists jobs that have not ended yet (UNVERIFIED; default true). */
  historyIncludesPending?: boolean;
  /** A job appears in request history only this long after submit (default 0). */
  historyDelayMs?: number;
  /** Largest single PUT upload (default 100 MiB); larger needs multipart. */
  maxUploadBytes?: number;
  /** Real-time interval of `: ping` comments on the status stream (default 1000 ms). */
  streamPingMs?: number;
}

export interface Counters {
  /** Requests by endpoint name, e.g. 'queue.submit', 'queue.status', 'platform.models', 'cdn'. */
  byEndpoint: Record<string, number>;
  /** Responses by HTTP status ('reset' for destroyed connections). */
  byStatus: Record<string, number>;
  /** 429 responses sent (rate limit, queue length and injected). */
  throttled: number;
  /** Jobs actually created, keyed by a hash of endpoint id + input (duplicates show as > 1). */
  submitsByInputHash: Record<string, number>;
  /** Requests to the CDN or upload URLs that carried an Authorization header (a leaked key). */
  authOnMedia: number;
  /** All counted requests (not /__sim/). */
  total: number;
}

export interface JobSummary {
  request_id: string;
  endpoint_id: string;
  /** The status a poll would show now (IN_QUEUE | IN_PROGRESS | COMPLETED), or CANCELED_GONE when removed. */
  status: string;
  /** What the result fetch would answer now. */
  result_status: number | null;
  inputHash: string;
  submitted_at: string;
  /** Headers the submit carried that matter to Kiln. */
  headers: { requestTimeout?: string; lifecycle?: string; priority?: string; storeIo?: string; noRetry?: string };
  webhook?: string;
  canceled: boolean;
}

export interface SimControl {
  advance(ms: number): number;
  freeze(): number;
  unfreeze(): number;
  now(): number;
  loadScenario(s: Scenario): void;
  counters(): Counters;
  jobs(): JobSummary[];
  reset(): void;
}

export interface SimOptions {
  port?: number;
  host?: string;
  /** The main key (default the demo key). */
  key?: string;
  scenario?: Scenario;
  verbose?: boolean;
}

export interface FalSim {
  /** http://127.0.0.1:P */
  origin: string;
  /** Stand-in for https://queue.fal.run: http://127.0.0.1:P/queue */
  queueUrl: string;
  /** Stand-in for https://api.fal.ai/v1: http://127.0.0.1:P/api/v1 */
  apiUrl: string;
  /** Stand-in for https://rest.fal.ai: http://127.0.0.1:P/rest */
  storageUrl: string;
  /** Stand-in for https://v3.fal.media: http://127.0.0.1:P/cdn (no auth) */
  cdnUrl: string;
  key: string;
  control: SimControl;
  close(): Promise<void>;
}
