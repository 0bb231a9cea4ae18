import type { OutputRecord, PredictionRecord } from './types.ts';
import type { OutputView, PredictionView } from '../../../shared/domain/prediction.ts';
import type { SaveState } from '../../../shared/domain/status.ts';
import { logsTail } from '../../../shared/progress.ts';
import { outputsExpireAt } from '../records/retention.ts';

// Row <-> record mapping and the derived fields of the renderer's view. Pure, so the rules
// (prompt, expiry) are tested without a database.

/** Characters of the logs looked at for the view's tail: bounded, however long the logs grow. */
const LOGS_WINDOW = 16_000;

export type Row = Record<string, unknown>;

const json = <T>(v: unknown, fallback: T): T => {
  if (typeof v !== 'string') return fallback;
  try {
    return JSON.parse(v) as T;
  } catch {
    return fallback;
  }
};
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** The text a person would recognise a prediction by: prompt, else text, else the first string input. */
export function derivePrompt(input: Record<string, unknown>): string | null {
  for (const key of ['prompt', 'text']) {
    const v = input[key];
    if (typeof v === 'string' && v.trim()) return v;
  }
  for (const v of Object.values(input)) {
    if (typeof v === 'string' && v.trim() && !/^(https?:|data:|kiln-file:)/.test(v)) return v;
  }
  return null;
}

/** When the provider deletes the outputs (its retention, records/retention.ts), while they are not saved here. */
export function expiresAt(
  rec: Pick<PredictionRecord, 'saveState' | 'providerCreatedAt' | 'createdAt' | 'status'> & { provider?: PredictionRecord['provider'] },
): number | null {
  if (rec.saveState === 'saved' || rec.saveState === 'expired') return null;
  if (rec.status === 'failed' || rec.status === 'canceled' || rec.status === 'aborted') return null;
  return outputsExpireAt(rec);
}

export function rowToRecord(r: Row): PredictionRecord {
  const cost = r.cost_amount === null || r.cost_amount === undefined ? null : { amount: Number(r.cost_amount), currency: String(r.cost_currency ?? 'USD') };
  return {
    id: String(r.id),
    provider: r.provider === 'fal' ? 'fal' : 'replicate', // the column; older rows and unknown values are Replicate's
    providerId: str(r.provider_id),
    model: String(r.model),
    version: str(r.version),
    target: (r.target as PredictionRecord['target']) ?? 'model',
    input: json(r.input, {}),
    inputSchema: json(r.input_schema, null),
    status: String(r.status),
    saveState: String(r.save_state) as SaveState,
    createdAt: Number(r.created_at),
    providerCreatedAt: num(r.provider_created_at),
    startedAt: num(r.started_at),
    completedAt: num(r.completed_at),
    statusSince: Number(r.status_since),
    timeline: json(r.timeline, []),
    logs: String(r.logs ?? ''),
    progress: json(r.progress, null),
    text: str(r.text),
    output: json(r.output, null),
    error: json(r.error, null),
    metrics: json(r.metrics, null),
    urls: json(r.urls, {}),
    cancelAfter: str(r.cancel_after),
    retryOf: str(r.retry_of),
    favourite: Number(r.favourite) === 1,
    note: str(r.note),
    submitAttempts: Number(r.submit_attempts ?? 0),
    cancelRequested: Number(r.cancel_requested) === 1,
    dataRemoved: Number(r.data_removed) === 1,
    tags: json(r.tags, []),
    userNotes: str(r.user_notes),
    seed: num(r.seed),
    cost,
    groupId: str(r.group_id),
    sourceId: str(r.source_id),
    groupIndex: num(r.group_index),
    groupKind: r.group_kind === 'batch' || r.group_kind === 'compare' || r.group_kind === 'retry' ? r.group_kind : null,
  };
}

export function rowToOutput(r: Row): OutputRecord {
  return {
    predictionId: String(r.prediction_id),
    index: Number(r.idx),
    kind: String(r.kind) as OutputRecord['kind'],
    state: String(r.state) as OutputRecord['state'],
    remoteUrl: str(r.remote_url),
    path: str(r.path),
    thumbPath: str(r.thumb_path),
    mime: str(r.mime),
    size: num(r.size),
    width: num(r.width),
    height: num(r.height),
    sha256: str(r.sha256),
    error: str(r.error),
    failure: str(r.failure),
    attempts: num(r.attempts) ?? 0,
  };
}

export function outputToView(o: OutputRecord): OutputView {
  return {
    index: o.index,
    kind: o.kind,
    state: o.state,
    mime: o.mime,
    size: o.size,
    width: o.width,
    height: o.height,
    path: o.path,
    thumbPath: o.thumbPath,
    remoteUrl: o.remoteUrl,
  };
}

export function toView(
  rec: PredictionRecord,
  outputs: OutputRecord[],
  variantCount: number,
  prompt?: string | null,
  source?: PredictionView['source'],
): PredictionView {
  return {
    id: rec.id,
    provider: rec.provider,
    providerId: rec.providerId,
    model: rec.model,
    version: rec.version,
    input: rec.input,
    prompt: prompt !== undefined ? prompt : derivePrompt(rec.input),
    status: rec.status,
    saveState: rec.saveState,
    createdAt: rec.createdAt,
    startedAt: rec.startedAt,
    completedAt: rec.completedAt,
    statusSince: rec.statusSince,
    timeline: rec.timeline,
    progress: rec.progress,
    // tqdm redraws its bar with \r: show each line as a terminal would, not every redraw.
    logsTail: logsTail(rec.logs.slice(-LOGS_WINDOW), 60),
    text: rec.text,
    error: rec.error,
    outputs: outputs.map(outputToView),
    note: rec.note,
    retryOf: rec.retryOf,
    variantCount: Math.max(1, variantCount),
    favourite: rec.favourite,
    // Typed by the provider since; a row an older Kiln stored with a wrong-typed one must still list.
    webUrl: typeof rec.urls.web === 'string' ? rec.urls.web : null,
    metrics: rec.metrics,
    expiresAt: expiresAt(rec),
    groupId: rec.groupId ?? null,
    groupKind: rec.groupKind ?? null,
    groupIndex: rec.groupIndex ?? null,
    seed: rec.seed ?? null,
    source: source ?? null,
  };
}

// Record field -> column, with the encoder for the value. One table so insert, update and
// restore can never disagree about how a field is stored.
type Enc = (v: unknown) => string | number | null;
const asJson: Enc = (v) => (v === undefined || v === null ? null : JSON.stringify(v));
const asBool: Enc = (v) => (v ? 1 : 0);
const asIs: Enc = (v) => (v === undefined ? null : (v as string | number | null));

export const COLUMNS: Record<string, { col: string; enc: Enc }> = {
  provider: { col: 'provider', enc: asIs },
  providerId: { col: 'provider_id', enc: asIs },
  model: { col: 'model', enc: asIs },
  version: { col: 'version', enc: asIs },
  target: { col: 'target', enc: asIs },
  input: { col: 'input', enc: (v) => JSON.stringify(v ?? {}) },
  inputSchema: { col: 'input_schema', enc: asJson },
  status: { col: 'status', enc: asIs },
  saveState: { col: 'save_state', enc: asIs },
  createdAt: { col: 'created_at', enc: asIs },
  providerCreatedAt: { col: 'provider_created_at', enc: asIs },
  startedAt: { col: 'started_at', enc: asIs },
  completedAt: { col: 'completed_at', enc: asIs },
  statusSince: { col: 'status_since', enc: asIs },
  timeline: { col: 'timeline', enc: (v) => JSON.stringify(v ?? []) },
  logs: { col: 'logs', enc: (v) => (v ?? '') as string },
  progress: { col: 'progress', enc: asJson },
  text: { col: 'text', enc: asIs },
  output: { col: 'output', enc: asJson },
  error: { col: 'error', enc: asJson },
  metrics: { col: 'metrics', enc: asJson },
  urls: { col: 'urls', enc: (v) => JSON.stringify(v ?? {}) },
  cancelAfter: { col: 'cancel_after', enc: asIs },
  retryOf: { col: 'retry_of', enc: asIs },
  favourite: { col: 'favourite', enc: asBool },
  note: { col: 'note', enc: asIs },
  submitAttempts: { col: 'submit_attempts', enc: (v) => Number(v ?? 0) },
  cancelRequested: { col: 'cancel_requested', enc: asBool },
  dataRemoved: { col: 'data_removed', enc: asBool },
  tags: { col: 'tags', enc: (v) => JSON.stringify(v ?? []) },
  userNotes: { col: 'user_notes', enc: asIs },
  groupId: { col: 'group_id', enc: asIs },
  groupKind: { col: 'group_kind', enc: asIs },
  groupIndex: { col: 'group_index', enc: asIs },
  sourceId: { col: 'source_id', enc: asIs },
};

export const OUTPUT_COLUMNS: Record<string, { col: string; enc: Enc }> = {
  kind: { col: 'kind', enc: asIs },
  state: { col: 'state', enc: asIs },
  remoteUrl: { col: 'remote_url', enc: asIs },
  path: { col: 'path', enc: asIs },
  thumbPath: { col: 'thumb_path', enc: asIs },
  mime: { col: 'mime', enc: asIs },
  size: { col: 'size', enc: asIs },
  width: { col: 'width', enc: asIs },
  height: { col: 'height', enc: asIs },
  sha256: { col: 'sha256', enc: asIs },
  error: { col: 'error', enc: asIs },
  failure: { col: 'failure', enc: asIs },
  attempts: { col: 'attempts', enc: (v) => Number(v ?? 0) },
};
