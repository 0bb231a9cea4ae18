import { LIMITS, formatBytes } from '../../../../shared/limits.ts';
import { parseJsonWithin } from '../../../../shared/json-shape.ts';
import { boundLogs } from '../bounds.ts';
import { REDACTED } from '../../log/redact.ts';
import type { RemotePrediction } from './types.ts';

// The provider boundary for untrusted text (ARCHITECTURE.md, "Security"). Everything Replicate sends passes through
// here before the engine, the history, the UI or the CLI sees it: known secrets a server echoed
// back are redacted, response bodies are bounded, and the loosely-typed fields real answers carry
// (recorded shapes in test/fixtures/replicate/) are brought to one shape.

/** Replaces every occurrence of a known secret (the API key in use) in a provider's text. */
export function redactKnown(text: string, secrets: readonly (string | null | undefined)[]): string {
  let out = text;
  // Short strings would redact ordinary words; keys are far longer.
  for (const s of secrets) if (s && s.length >= 8 && out.includes(s)) out = out.split(s).join(REDACTED);
  return out;
}

/**
 * A prediction's `error` as one readable string, or null when there is none: `""`, `null` and
 * absent are all "none"; a string holding JSON (`{"detail": …}`) gives its message; an object gives
 * its detail/message. Bounded by LIMITS.errorTextChars.
 */
export function errorText(error: unknown): string | null {
  let v: unknown = error;
  if (typeof v === 'string') {
    const s = v.trim();
    if (!s) return null;
    if (/^[[{]/.test(s)) {
      try {
        v = parseJsonWithin(s, LIMITS.apiResponseShape);
      } catch {
        v = s;
      }
    } else v = s;
  }
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const inner = [o.detail, o.message, o.error, o.title].find((x) => typeof x === 'string' && x.trim());
    v = typeof inner === 'string' ? inner.trim() : JSON.stringify(v);
  } else if (v !== null && v !== undefined && typeof v !== 'string') v = JSON.stringify(v);
  if (typeof v !== 'string' || !v) return null;
  return v.length > LIMITS.errorTextChars ? `${v.slice(0, LIMITS.errorTextChars)}…` : v;
}

/** A string as given; anything else (a number, an object, null) is "not said". */
export const textOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** A plain JSON object, or null for anything else (arrays included). */
export const objectOrNull = (v: unknown): Record<string, unknown> | null =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;

const URL_KEYS = ['get', 'cancel', 'stream', 'web'] as const;

/** `urls` with only its string entries: a `web: 123` would otherwise reach the card's view and fail its contract. */
function urlsOf(v: unknown): RemotePrediction['urls'] {
  const o = objectOrNull(v);
  if (!o) return null;
  const out: NonNullable<RemotePrediction['urls']> = {};
  for (const k of URL_KEYS) if (typeof o[k] === 'string') out[k] = o[k];
  return out;
}

const TIMES = ['created_at', 'started_at', 'completed_at', 'deadline'] as const;

/**
 * One prediction as the engine may rely on it: each field of the type RemotePrediction declares,
 * one of the wrong type read as "not said" (never passed on to a view), logs a bounded string or
 * absent, error a string or null. The caller has checked `id` and `status`.
 */
export function normalizePrediction(p: RemotePrediction): RemotePrediction {
  const out: RemotePrediction = { ...p };
  if (typeof p.logs === 'string') out.logs = boundLogs(p.logs);
  else delete out.logs; // null or absent: nothing known (a list item, or a model that logs nothing yet)
  out.error = errorText(p.error);
  if (p.urls !== undefined) out.urls = urlsOf(p.urls);
  for (const k of TIMES) if (p[k] !== undefined) out[k] = textOrNull(p[k]);
  if (p.version !== undefined) out.version = textOrNull(p.version);
  if (p.model !== undefined && typeof p.model !== 'string') delete out.model;
  if (p.input !== undefined && !objectOrNull(p.input)) delete out.input;
  if (p.data_removed !== undefined && typeof p.data_removed !== 'boolean') delete out.data_removed;
  return out;
}

const seconds = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null);
const count = (v: unknown): number | null => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null);

/**
 * Replicate's `metrics` as the engine keeps them: times in seconds, and the token counts language
 * models report (`input_token_count`/`output_token_count`), which price a per-token model. Values
 * that are not plain non-negative numbers are dropped (untrusted answer), never guessed.
 */
export function metricsOf(m: unknown): { predictTime: number | null; totalTime: number | null; inputTokens?: number; outputTokens?: number } | null {
  if (!m || typeof m !== 'object') return null;
  const r = m as Record<string, unknown>;
  const out: ReturnType<typeof metricsOf> = { predictTime: seconds(r.predict_time), totalTime: seconds(r.total_time) };
  const inTok = count(r.input_token_count);
  const outTok = count(r.output_token_count);
  if (inTok !== null) out.inputTokens = inTok;
  if (outTok !== null) out.outputTokens = outTok;
  return out;
}

/** Thrown by readBounded; the client turns it into a ProviderError naming the limit. */
export class ResponseTooLarge extends Error {
  readonly limit: number;
  constructor(limit: number) {
    super(`response larger than ${formatBytes(limit)}`);
    this.limit = limit;
  }
}

/** Reads a response body as text, refusing (and cancelling) one beyond `max` bytes. */
export async function readBounded(res: Response, max: number = LIMITS.apiResponseBytes): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > max) {
    await res.body?.cancel().catch(() => {});
    throw new ResponseTooLarge(max);
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      throw new ResponseTooLarge(max);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
