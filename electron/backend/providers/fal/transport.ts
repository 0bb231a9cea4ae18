import type { FetchLike } from '../../types.ts';
import { LIMITS, formatBytes } from '../../../../shared/limits.ts';
import { jsonShapeProblem } from '../../../../shared/json-shape.ts';
import { ProviderError, errorFromResponse, malformedError, networkError } from './errors.ts';
import { NO_REDIRECT, redirectRefused } from '../errors.ts';
import { redactString } from '../../log/redact.ts';
import type { RequestGate, RequestKind } from '../types.ts';
import { falKeyTrust, mayReceiveKey } from '../../net/trust.ts';

// One HTTP exchange with fal: the key is attached only for URLs under fal's API bases (queue, api,
// rest — never the media CDN or an upload URL), every request passes the engine's rate gate and is
// counted, every body is read with a size cap, no redirect is followed (providers/errors.ts,
// NO_REDIRECT: not even for an upload, whose bytes would go where nobody judged), and nothing is
// retried here (the engine's scheduler owns retries and the request budget).

export type { RequestGate, RequestKind } from '../types.ts';

export interface FalCounters {
  total: number;
  create: number;
  other: number;
  status429: number;
}

export interface FalBases {
  queueUrl: string;
  apiUrl: string;
  storageUrl: string;
}

export const FAL_DEFAULT_BASES: FalBases = {
  queueUrl: 'https://queue.fal.run',
  apiUrl: 'https://api.fal.ai/v1',
  storageUrl: 'https://rest.fal.ai',
};

export interface RawResponse {
  status: number;
  ok: boolean;
  headers: Headers;
  text: string;
  /** Parsed JSON, or undefined when the body is empty, not JSON, or too complex to parse. */
  json: unknown;
  /** Why the body was left unparsed: its shape is past LIMITS.apiResponseShape (absent when within). */
  tooComplex?: string | null;
  /** fal's `x-fal-request-id`, when the answer came from fal itself (not an ingress proxy). */
  requestId: string | null;
}

export interface CallInit {
  kind?: RequestKind;
  json?: unknown;
  body?: RequestInit['body'];
  headers?: Record<string, string>;
  /** 'required': refuse without a key; 'optional': send one if set; 'none': never (uploads, CDN). */
  auth?: 'required' | 'optional' | 'none';
  timeoutMs?: number;
  signal?: AbortSignal;
  isSubmit?: boolean;
}

/** Reads a body up to `max` bytes; more is refused with the limit named. */
export async function readCapped(res: Response, max: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > max) {
    await res.body?.cancel().catch(() => {});
    throw new ProviderError({
      code: 'too_large',
      message: `fal's answer is ${formatBytes(declared)}, over Kiln's limit of ${formatBytes(max)} for one API response.`,
    });
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      throw new ProviderError({ code: 'too_large', message: `fal's answer is over Kiln's limit of ${formatBytes(max)} for one API response.` });
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

/** A 3xx is thrown as the shared policy says (ambiguous for a submit); its body is not read. */
async function refuseRedirect(res: Response, isSubmit: boolean): Promise<void> {
  const refused = redirectRefused('fal', res.status, res.headers, { submit: isSubmit });
  if (!refused) return;
  await res.body?.cancel().catch(() => {});
  throw refused;
}

export function createTransport(opts: { bases: FalBases; fetch: FetchLike; getKey: () => Promise<string | null>; userAgent: string; timeoutMs?: number }) {
  const bases = {
    queueUrl: opts.bases.queueUrl.replace(/\/+$/, ''),
    apiUrl: opts.bases.apiUrl.replace(/\/+$/, ''),
    storageUrl: opts.bases.storageUrl.replace(/\/+$/, ''),
  };
  const counters: FalCounters = { total: 0, create: 0, other: 0, status429: 0 };
  const timeoutMs = opts.timeoutMs ?? 30_000;
  let gate: RequestGate | null = null;

  /** May this URL receive the fal key? Only under fal's API bases as configured, never the CDN (net/trust.ts). */
  const keyTrust = falKeyTrust(Object.values(bases));
  const trustedForKey = (raw: string): boolean => mayReceiveKey(raw, keyTrust);

  let lastKey: string | null = null;

  /** A server that echoes the key back (whole, or its id or secret half) gets it redacted before anything reads the text. */
  function scrub(text: string): string {
    if (!lastKey || !text) return text;
    return redactString(text, [lastKey, ...lastKey.split(':')]);
  }

  async function key(required: boolean): Promise<string | null> {
    const k = await opts.getKey();
    if (k) lastKey = k;
    if (!k && required) throw new ProviderError({ code: 'auth', message: 'No fal key set. Add one in Settings (or set FAL_KEY).' });
    return k || null;
  }

  async function call(method: string, url: string, init: CallInit = {}): Promise<RawResponse> {
    const kind = init.kind ?? 'other';
    const auth = init.auth ?? 'required';
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': opts.userAgent, ...init.headers };
    if (auth !== 'none') {
      if (!trustedForKey(url))
        throw new ProviderError({ code: 'bad_request', message: "Refused to send the fal key to a host that is not one of fal's API hosts." });
      const k = await key(auth === 'required');
      if (k) headers.Authorization = `Key ${k}`;
    }
    let body = init.body;
    if (init.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(init.json);
    }
    if (gate) await gate.acquire(kind, init.signal);
    counters.total++;
    counters[kind]++;
    const signal = AbortSignal.any([AbortSignal.timeout(init.timeoutMs ?? timeoutMs), ...(init.signal ? [init.signal] : [])]);
    let res: Response;
    let text: string;
    try {
      res = await opts.fetch(url, { method, headers, body, signal, ...NO_REDIRECT });
      await refuseRedirect(res, init.isSubmit ?? false);
      text = scrub(await readCapped(res, LIMITS.apiResponseBytes));
    } catch (err) {
      if (err instanceof ProviderError) throw err;
      throw networkError(err, init.isSubmit ?? false);
    }
    let json: unknown;
    // Over the shape bound is not "unreadable" (transient, asked again): it is as large as an answer
    // over the byte cap, and the same next time, so callers are told which it was.
    const tooComplex = text.length ? jsonShapeProblem(text, LIMITS.apiResponseShape) : null;
    if (text.length && !tooComplex) {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
    }
    if (res.status === 429) {
      counters.status429++;
    }
    return { status: res.status, ok: res.ok, headers: res.headers, text, json, tooComplex, requestId: res.headers.get('x-fal-request-id') };
  }

  /** The JSON object of a 2xx answer, or a malformed-response error (too_large when its shape is past the bound). */
  function jsonObject(r: RawResponse, isSubmit: boolean): Record<string, unknown> {
    if (r.tooComplex)
      throw new ProviderError({ code: 'too_large', message: `fal's answer was not read: ${r.tooComplex}, over Kiln's limit for one API response.` });
    if (!r.json || typeof r.json !== 'object' || Array.isArray(r.json)) throw malformedError(isSubmit, r.text.length ? 'not a JSON object' : 'empty body');
    return r.json as Record<string, unknown>;
  }

  /** The ProviderError for a non-2xx answer; a 429 also tells the engine's gate to slow down. */
  function failure(r: RawResponse, init: { kind?: RequestKind; isSubmit?: boolean } = {}): ProviderError {
    const err = errorFromResponse(r.status, r.headers, r.json ?? r.text, { isSubmit: init.isSubmit ?? false });
    if (r.status === 429) gate?.throttled(init.kind ?? 'other', err.retryAfterMs);
    return err;
  }

  /**
   * A plain fetch with Kiln's User-Agent, for streams and uploads that manage their own bodies.
   * A redirect is thrown (transient ProviderError), never followed nor handed back as an answer.
   */
  async function fetchRaw(url: string, init: RequestInit & { headers?: Record<string, string> }): Promise<Response> {
    const res = await opts.fetch(url, { ...init, ...NO_REDIRECT, headers: { 'User-Agent': opts.userAgent, ...init.headers } });
    await refuseRedirect(res, false);
    return res;
  }

  return {
    bases,
    failure,
    scrub,
    fetchRaw,
    counters,
    trustedForKey,
    key,
    call,
    jsonObject,
    setGate(g: RequestGate | null) {
      gate = g;
    },
    gate: () => gate,
  };
}

export type FalTransport = ReturnType<typeof createTransport>;
