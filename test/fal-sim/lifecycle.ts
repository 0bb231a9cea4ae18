// What a job looks like at a simulated instant: its status (only IN_QUEUE, IN_PROGRESS and
// COMPLETED exist: a failed or timed-out job also ends COMPLETED), its queue position, its
// cumulative logs, and what the result fetch answers. All derived from the schedule and the clock.
import type { CatalogueEndpoint } from './catalogue.ts';
import type { DetailItem } from './validate.ts';
import type { JobOutcome, Scenario } from './types.ts';
import type { Slot } from './schedule.ts';

export interface OutputFile {
  path: string;
  contentType: string;
  format: 'jpg' | 'png' | 'mp4';
  width?: number;
  height?: number;
}

export interface SimJob {
  id: string;
  endpoint: CatalogueEndpoint;
  /** The submitting key's account (every key of an account sees its jobs). */
  account: string;
  input: unknown;
  effectiveInput: Record<string, unknown>;
  inputHash: string;
  submittedAt: number;
  startupMs: number;
  runMs: number;
  outcome: JobOutcome;
  errorType: string;
  error: string;
  /** Show error/error_type on the COMPLETED status (undefined: runner errors yes, 422s no). */
  statusError: boolean | undefined;
  unknownStatus?: string;
  /** Validation errors found by the "runner" (outcome invalid-input). */
  detail: DetailItem[];
  /** Absolute start deadline (simulated ms): the client's x-fal-request-timeout, else the platform default. */
  startDeadlineAt: number;
  userTimeout: boolean;
  canceledAt?: number;
  headers: { requestTimeout?: string; lifecycle?: string; priority?: string; storeIo?: string; noRetry?: string };
  webhook?: string;
  /** Output media lifetime from x-fal-object-lifecycle-preference (null = never expires). */
  mediaLifetimeMs?: number | null;
  seed: number;
  steps: number;
  files: OutputFile[];
}

export type Status = 'IN_QUEUE' | 'IN_PROGRESS' | 'COMPLETED';

export interface View {
  status: Status;
  slot: Slot;
  /** Jobs of the same key submitted earlier and still waiting. */
  queuePosition: number;
  progress: number;
}

export const iso = (ms: number) => new Date(ms).toISOString();

/** fal's request-error types → HTTP status (reference §6, D:request-errors). */
export const ERROR_STATUS: Record<string, number> = {
  request_timeout: 504,
  startup_timeout: 504,
  runner_scheduling_failure: 503,
  runner_connection_timeout: 503,
  runner_disconnected: 503,
  runner_connection_refused: 503,
  runner_connection_error: 503,
  runner_incomplete_response: 502,
  runner_server_error: 500,
  client_disconnected: 499,
  client_cancelled: 499,
  bad_request: 400,
  internal_error: 500,
};

export function statusAt(slot: Slot, now: number): Status {
  if (now >= slot.endAt) return 'COMPLETED';
  if (slot.startAt !== null && now >= slot.startAt) return 'IN_PROGRESS';
  return 'IN_QUEUE';
}

export function progressAt(j: SimJob, slot: Slot, now: number): number {
  if (slot.startAt === null || now < slot.startAt) return 0;
  if (slot.endKind === 'done' && now >= slot.endAt) return 1;
  return j.runMs <= 0 ? 1 : Math.min(1, (Math.min(now, slot.endAt) - slot.startAt) / j.runMs);
}

/** The result a finished job answers: HTTP status, body and fal's error headers. */
export interface ResultShape {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
  success: boolean;
  errorType?: string;
  message?: string;
}

export function resultShape(j: SimJob, slot: Slot): ResultShape {
  const requestError = (type: string, detail: string, extra: Record<string, string> = {}): ResultShape => ({
    status: ERROR_STATUS[type] ?? 500,
    headers: { 'x-fal-error-type': type, ...extra },
    body: { detail, error_type: type },
    success: false,
    errorType: type,
    message: detail,
  });
  if (slot.endKind === 'timeout') {
    return j.userTimeout
      ? requestError('request_timeout', 'Request timed out', { 'x-fal-request-timeout-type': 'user' })
      : requestError('startup_timeout', 'Runner startup timed out');
  }
  if (slot.endKind === 'canceled-queued' || slot.endKind === 'canceled-running') return requestError('client_cancelled', 'Request cancelled by client');
  switch (j.outcome) {
    case 'invalid-input':
      return { status: 422, headers: { 'x-fal-retryable': 'false' }, body: { detail: j.detail }, success: false, message: j.detail[0]?.msg };
    case 'content-policy': {
      const detail: DetailItem[] = [
        {
          loc: ['body', 'prompt'],
          type: 'content_policy_violation',
          url: 'https://docs.fal.ai/errors#content_policy_violation',
          msg: 'The content could not be processed because it contained material flagged by a content checker.',
          ctx: { categories: ['violence'] },
          input: j.effectiveInput.prompt,
        },
      ];
      return { status: 422, headers: { 'x-fal-retryable': 'false' }, body: { detail }, success: false, message: detail[0]!.msg };
    }
    case 'runner-error':
      return requestError(j.errorType, j.error);
    default:
      return { status: 200, headers: {}, success: true };
  }
}

/** `error`/`error_type` on the COMPLETED status, when fal would show them (reference §4: not guaranteed). */
export function statusError(j: SimJob, slot: Slot, scenario: Scenario): { error: string; error_type: string } | null {
  if (scenario.hideStatusErrors) return null;
  const r = resultShape(j, slot);
  if (r.success) return null;
  const show = slot.endKind !== 'done' || (j.outcome === 'runner-error' ? (j.statusError ?? true) : (j.statusError ?? false));
  if (!show) return null;
  return { error: r.message ?? 'Request failed', error_type: r.errorType ?? (r.status === 422 ? 'validation_error' : 'internal_error') };
}

function bar(i: number, total: number): string {
  const pct = Math.floor((i / total) * 100);
  const fill = Math.floor((i / total) * 10);
  return `${String(pct).padStart(3)}%|${'█'.repeat(fill)}${' '.repeat(10 - fill)}| ${i}/${total}`;
}

export interface LogEntry {
  message: string;
  level?: string;
  source?: string;
  timestamp: string;
  labels?: Record<string, string>;
}

/** Cumulative log entries at `now`, each with the simulated time it was written. */
export function logsAt(j: SimJob, slot: Slot, now: number, scenario: Scenario): LogEntry[] {
  if (slot.startAt === null || now < slot.startAt) return [];
  const raw: { at: number; message: string; level: string }[] = [];
  raw.push({ at: slot.startAt, message: `Loading ${j.endpoint.displayName} pipeline (seed ${j.seed})`, level: 'INFO' });
  if (j.outcome !== 'invalid-input') {
    const total = Math.max(1, Math.min(100, j.steps));
    const end = slot.endKind === 'done' ? slot.endAt : Math.min(slot.endAt, now);
    for (let i = 0; i <= total; i++) {
      const at = slot.startAt + (i / total) * j.runMs;
      if (at > end || at > now) break;
      raw.push({ at, message: bar(i, total), level: 'STDERR' });
    }
  }
  if (slot.endKind === 'done' && j.outcome === 'runner-error' && now >= slot.endAt) {
    raw.push({
      at: slot.endAt,
      level: 'ERROR',
      message: JSON.stringify({
        traceback: `Traceback (most recent call last):\n  File "/app/main.py", line 88, in generate\n    images = pipeline(**args)\n${j.error}`,
      }),
    });
  }
  return raw.map(({ at, message, level }) =>
    scenario.logFormat === 'labels' ? { timestamp: iso(at).replace('Z', '000'), message, labels: {} } : { message, level, source: 'USER', timestamp: iso(at) },
  );
}
