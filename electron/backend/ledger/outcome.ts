import { MAX_IMAGE_SIDE, RESULT_UNREAD, type CostProvider, type RunOutcome } from '../../../shared/domain/cost.ts';
import { outputText } from '../records/output-text.ts';

// What the ledger needs from a history record, read the same way for a live run (engine record)
// and for a back-filled row (SQLite columns): one reading of "what did this run produce".

export interface EndedRun {
  provider: string;
  model: string;
  status: string;
  input: Record<string, unknown>;
  output: unknown;
  error: { code: string | null; message: string } | null;
  /**
   * Token counts are read when a provider's metrics carry them (Replicate reports
   * `input_token_count`/`output_token_count` for language models; the engine may keep them as
   * `inputTokens`/`outputTokens`). Absent, a per-token price gives "unknown".
   */
  metrics: { predictTime: number | null; inputTokens?: number | null; outputTokens?: number | null } | null;
  /** Output rows the vault knows of (null when not looked up). */
  outputRows: number | null;
  /** The model's input schema the run was sent with, when kept. */
  inputSchema?: Record<string, unknown> | null;
}

/** Outputs counted in the provider's answer; null when its shape says nothing countable. */
function countedOutput(o: unknown): number | null {
  if (o === null || o === undefined) return null;
  // A language model's answer streamed as pieces (`["Hello", " world"]`) is one output, not one per token.
  if (Array.isArray(o)) return outputText(o) !== null ? 1 : o.length;
  if (typeof o === 'string') return 1;
  if (typeof o === 'object') {
    // fal outputs: {images:[…]}, {video:{url}}, {image:{url}}, {audio:{url}} (reference §8).
    const rec = o as Record<string, unknown>;
    if (Array.isArray(rec.images)) return rec.images.length;
    if (Array.isArray(rec.videos)) return rec.videos.length;
    const single = ['video', 'image', 'audio', 'audio_file', 'file'].filter((k) => rec[k] && typeof rec[k] === 'object').length;
    if (single) return single;
  }
  return null;
}

/**
 * Files or values a run produced (what the provider bills for). fal's output object names its
 * images, so its count comes first (the vault may hold fewer files than were produced); Replicate's
 * array may be a language model's token pieces, so there the vault's rows come first.
 */
export function outputsProduced(r: Pick<EndedRun, 'status' | 'output' | 'outputRows'> & { provider?: string; error?: EndedRun['error'] }): number | null {
  // Ran and billed, but its result was never read: what it made is not known (not 0).
  if (r.error?.code === RESULT_UNREAD) return null;
  const counted = countedOutput(r.output);
  const rows = r.outputRows !== null && r.outputRows > 0 ? r.outputRows : null;
  const first = r.provider === 'fal' ? (counted ?? rows) : (rows ?? counted);
  if (first !== null) return first;
  if (r.output === null || r.output === undefined) return r.status === 'succeeded' ? null : 0;
  return r.status === 'succeeded' ? 1 : 0;
}

/**
 * Megapixels of the images a run produced, from the sizes its answer gives (fal's File objects:
 * `images: [{url, width, height}]`, `image: {…}`); null unless every image says its size.
 */
export function megapixelsProduced(o: unknown): number | null {
  if (!o || typeof o !== 'object' || Array.isArray(o)) return null;
  const rec = o as Record<string, unknown>;
  const images = Array.isArray(rec.images) ? rec.images : rec.image && typeof rec.image === 'object' ? [rec.image] : [];
  let px = 0;
  for (const img of images.slice(0, 1000)) {
    const { width, height } = (img ?? {}) as { width?: unknown; height?: unknown };
    const side = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n > 0 && n <= MAX_IMAGE_SIDE;
    if (!side(width) || !side(height)) return null;
    px += width * height;
  }
  return images.length ? px / 1e6 : null;
}

/**
 * Seconds of video a run's answer says it made: fal's Video objects (`video: {url, duration, fps,
 * num_frames, …}`, `videos: […]`) give `duration`, else `num_frames / fps`; null unless every video
 * says (then the length asked for is used).
 */
export function videoSecondsProduced(o: unknown): number | null {
  if (!o || typeof o !== 'object' || Array.isArray(o)) return null;
  const rec = o as Record<string, unknown>;
  const videos = Array.isArray(rec.videos) ? rec.videos : rec.video && typeof rec.video === 'object' ? [rec.video] : [];
  const positive = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n > 0;
  let total = 0;
  for (const v of videos.slice(0, 1000)) {
    const { duration, num_frames: frames, fps } = (v ?? {}) as { duration?: unknown; num_frames?: unknown; fps?: unknown };
    const secs = positive(duration) ? duration : positive(frames) && positive(fps) ? frames / fps : null;
    if (secs === null || secs > 3600) return null;
    total += secs;
  }
  return videos.length ? total : null;
}

export function toOutcome(r: EndedRun, actualUsd: number | null = null): RunOutcome {
  const provider: CostProvider = r.provider === 'fal' ? 'fal' : 'replicate';
  return {
    provider,
    model: r.model,
    status: r.status,
    input: r.input,
    outputsProduced: outputsProduced(r),
    megapixelsProduced: megapixelsProduced(r.output),
    videoSecondsProduced: videoSecondsProduced(r.output),
    schema: r.inputSchema ?? null,
    predictSeconds: r.metrics?.predictTime ?? null,
    tokens: r.metrics?.outputTokens != null ? { input: r.metrics.inputTokens ?? null, output: r.metrics.outputTokens } : null,
    error: r.error,
    actualUsd,
  };
}
