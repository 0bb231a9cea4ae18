import type { FetchLike, Logger } from '../../types.ts';
import type { RequestGate, RequestKind } from '../types.ts';
import { ProviderError, errorFromResponse, malformedError, networkError } from './errors.ts';
import { NO_REDIRECT, redirectRefused } from '../errors.ts';
import { readPredictionStream, type StreamHandlers } from './sse.ts';
import { normalizePrediction, readBounded, redactKnown, ResponseTooLarge } from './normalize.ts';
import { accountOf, fileOf, modelOf, modelsOf, versionOf, versionsOf } from './catalogue.ts';
import { LIMITS, formatBytes } from '../../../../shared/limits.ts';
import { parseJsonWithin } from '../../../../shared/json-shape.ts';
import type { CreateRequest, Page, RemoteAccount, RemoteFile, RemoteModel, RemotePrediction, RemoteVersion } from './types.ts';
import { isReplicateStreamUrl, mayReceiveKey, replicateKeyTrust } from '../../net/trust.ts';
import { uploadTimeoutMs } from '../bounds.ts';

export type { RemotePrediction, Page, CreateRequest } from './types.ts';

// The Replicate HTTP client (reference §1). Written against fetch rather than the official
// `replicate` package: that client treats `aborted` as non-terminal, retries without waiting and
// hides the response headers (Retry-After) we need, so the engine would have to fight it. This one
// does one request per call, never retries by itself (the engine's scheduler owns retries and the
// budget), and turns every failure into a typed ProviderError.

export type { RequestGate } from '../types.ts';

export interface RequestCounters {
  total: number;
  create: number;
  other: number;
  status429: number;
}

const VERSION_ID = /^[0-9a-f]{64}$/i;

/** `owner/name`, `owner/name:version` or a bare version id. */
export function parseModelRef(ref: string): { model: string | null; version: string | null } {
  const trimmed = ref.trim();
  if (VERSION_ID.test(trimmed)) return { model: null, version: trimmed };
  const [model, version] = trimmed.split(':', 2) as [string, string | undefined];
  if (!/^[\w.-]+\/[\w.-]+$/.test(model))
    throw new ProviderError({ code: 'bad_request', message: `"${ref}" is not a model reference (owner/name or owner/name:version).` });
  return { model, version: version || null };
}

/**
 * Where a create goes and what it carries: the official model, deployment or version endpoint.
 * Exported so "Copy as code" (ipc/handlers/reproduce.ts) shows exactly the request sent here.
 */
export function createPath(req: Pick<CreateRequest, 'model' | 'version' | 'target' | 'input'>): { path: string; body: Record<string, unknown> } {
  const input = req.input;
  if (req.target === 'deployment') return { path: `/deployments/${req.model}/predictions`, body: { input } };
  if (req.target === 'model' || !req.version) return { path: `/models/${req.model}/predictions`, body: { input } };
  return { path: '/predictions', body: { version: req.version, input } };
}

export function createReplicateClient(opts: {
  baseUrl: string;
  fetch: FetchLike;
  getToken: () => Promise<string | null>;
  userAgent: string;
  log: Logger;
  timeoutMs?: number;
}) {
  const base = opts.baseUrl.replace(/\/+$/, '');
  let gate: RequestGate | null = null;
  const counters: RequestCounters = { total: 0, create: 0, other: 0, status429: 0 };
  const timeoutMs = opts.timeoutMs ?? 30_000;

  const urlFor = (pathOrUrl: string) => (/^https?:\/\//.test(pathOrUrl) ? pathOrUrl : `${base}${pathOrUrl}`);
  const baseOrigin = new URL(base).origin;

  /**
   * Whether a URL the server handed us (a list page's `next`, a prediction's `urls.stream`) may
   * receive the API key: the configured base URL's origin, or Replicate's own https hosts. Anything
   * else (a compromised or confused server pointing elsewhere) would be handed the key. The rule is
   * net/trust.ts, shared with the vault.
   */
  const keyTrust = replicateKeyTrust(base);
  const trusted = (url: string): boolean => mayReceiveKey(url, keyTrust);
  /** A stream Kiln may open: with the key on a trusted host, without one on Replicate's stream hosts (net/trust.ts). */
  const mayStream = (url: string): boolean => trusted(url) || isReplicateStreamUrl(url);

  /** The key in use, remembered so any text a server sends back can be cleaned of it (normalize.ts). */
  let lastToken: string | null = null;
  async function authHeaders(): Promise<Record<string, string>> {
    const token = await opts.getToken();
    if (!token) throw new ProviderError({ code: 'auth', message: 'No Replicate API key set. Add one in Settings (or set REPLICATE_API_TOKEN).' });
    lastToken = token;
    return { Authorization: `Bearer ${token}`, 'User-Agent': opts.userAgent };
  }
  const clean = (text: string) => redactKnown(text, [lastToken]);

  async function request<T>(
    method: string,
    pathOrUrl: string,
    init: {
      kind?: RequestKind;
      json?: unknown;
      body?: RequestInit['body'];
      headers?: Record<string, string>;
      timeoutMs?: number;
      signal?: AbortSignal;
      /** A 2xx with an empty body is an answer (null), not an unreadable one. */
      emptyOk?: boolean;
    } = {},
  ): Promise<T> {
    const kind = init.kind ?? 'other';
    const isCreate = kind === 'create';
    if (/^https?:\/\//i.test(pathOrUrl) && !trusted(pathOrUrl))
      throw new ProviderError({ code: 'bad_request', message: 'Refused to send the API key to a host that is not Replicate.' });
    const headers = { ...(await authHeaders()), ...init.headers };
    if (init.json !== undefined) headers['Content-Type'] = 'application/json';
    if (gate) await gate.acquire(kind, init.signal);
    counters.total++;
    counters[kind]++;
    const signals = [AbortSignal.timeout(init.timeoutMs ?? timeoutMs), ...(init.signal ? [init.signal] : [])];
    let res: Response;
    let text: string;
    try {
      res = await opts.fetch(urlFor(pathOrUrl), {
        method,
        headers,
        body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
        signal: AbortSignal.any(signals),
        // A followed hop would re-send the key's request (a create's input) to a host nobody judged.
        ...NO_REDIRECT,
      });
      // Bounded (LIMITS.apiResponseBytes) and cleaned of the key before anything parses, stores or shows it.
      text = clean(await readBounded(res));
    } catch (err) {
      if (err instanceof ResponseTooLarge) {
        throw new ProviderError({
          code: 'too_large',
          ambiguous: isCreate,
          message: `Replicate sent an answer larger than ${formatBytes(err.limit)} (the limit for one API response, apiResponseBytes); it was not read.`,
        });
      }
      throw networkError(err, isCreate);
    }
    let body: unknown = null;
    let parsed = false;
    if (text.length) {
      try {
        body = parseJsonWithin(text, LIMITS.apiResponseShape);
        parsed = true;
      } catch {
        body = text;
      }
    }
    const redirected = redirectRefused('Replicate', res.status, res.headers, { submit: isCreate });
    if (redirected) throw redirected;
    if (!res.ok) {
      if (res.status === 429) {
        counters.status429++;
      }
      const err = errorFromResponse(res.status, res.headers, body, { isCreate });
      if (res.status === 429) gate?.throttled(kind, err.retryAfterMs);
      throw err;
    }
    if (!text.length && init.emptyOk) return null as T;
    if (!parsed || body === null || typeof body !== 'object') throw malformedError(isCreate, text.length ? 'not JSON' : 'empty body');
    return body as T;
  }

  function checkPrediction(p: unknown, isCreate: boolean): RemotePrediction {
    const x = p as Partial<RemotePrediction>;
    if (typeof x.id !== 'string' || typeof x.status !== 'string') throw malformedError(isCreate, 'no id or status');
    return normalizePrediction(x as RemotePrediction);
  }

  /**
   * A `next` link we will follow with the key: as given when it is on our base URL's origin, else
   * the same query (cursor, created_after) on our own base URL — the page is still reachable, the
   * key stays home, and a recorded body's `https://api.replicate.com/…` link served by another
   * server (a proxy, a test double) is asked of that server, not of the real one.
   */
  const originOf = (url: string) => {
    try {
      return new URL(url).origin;
    } catch {
      return null;
    }
  };
  function nextPageUrl(next: string): string {
    if (trusted(next) && originOf(next) === baseOrigin) return next;
    let u: URL;
    try {
      u = new URL(next, `${baseOrigin}/`);
    } catch {
      throw malformedError(false, 'unusable next link');
    }
    return `${base}/predictions${u.search}`;
  }

  return {
    baseUrl: base,
    counters,
    trusted,
    mayStream,
    /** Cleans a text of the key in use: for text assembled from pieces (a stream's tokens), where a key split across two chunks escapes the per-chunk cleaning. */
    redact: clean,
    setGate(g: RequestGate | null) {
      gate = g;
    },

    async createPrediction(req: CreateRequest): Promise<RemotePrediction> {
      const { path, body } = createPath(req);
      const headers: Record<string, string> = {};
      if (req.cancelAfter) headers['Cancel-After'] = req.cancelAfter;
      if (req.waitSeconds) headers.Prefer = `wait=${Math.max(1, Math.min(60, Math.round(req.waitSeconds)))}`;
      const p = await request<unknown>('POST', path, {
        kind: 'create',
        json: body,
        headers,
        timeoutMs: req.waitSeconds ? req.waitSeconds * 1000 + timeoutMs : undefined,
      });
      return checkPrediction(p, true);
    },
    async getPrediction(id: string): Promise<RemotePrediction> {
      return checkPrediction(await request('GET', `/predictions/${encodeURIComponent(id)}`), false);
    },
    /**
     * The prediction as the cancel left it; null when a 2xx answer carries none (an empty 204, `{}`):
     * the cancel was taken all the same, and the next look tells the run's state. A body that is not
     * JSON at all (a proxy's page) stays unreadable: it says nothing of the cancel.
     */
    async cancelPrediction(id: string): Promise<RemotePrediction | null> {
      const body = await request<unknown>('POST', `/predictions/${encodeURIComponent(id)}/cancel`, { emptyOk: true });
      if (body === null || (typeof body === 'object' && !Array.isArray(body) && !('id' in body) && !('status' in body))) return null;
      return checkPrediction(body, false);
    },
    /** One page, newest first. Pass the previous page's `next` URL as-is to continue. */
    async listPredictions(next?: string | null, query?: { createdAfter?: string }): Promise<Page<RemotePrediction>> {
      const qs = query?.createdAfter ? `?created_after=${encodeURIComponent(query.createdAfter)}` : '';
      const page = await request<Page<RemotePrediction>>('GET', next ? nextPageUrl(next) : `/predictions${qs}`);
      if (!Array.isArray(page.results)) throw malformedError(false, 'list without results');
      return {
        next: typeof page.next === 'string' ? page.next : null,
        results: page.results.filter((r) => r && typeof r.id === 'string' && typeof r.status === 'string').map(normalizePrediction),
      };
    },
    // Catalogue answers are typed as they come in (catalogue.ts): the handlers build contract views from them.
    async getModel(ref: string): Promise<RemoteModel> {
      const { model } = parseModelRef(ref);
      const [owner, name] = (model ?? '').split('/') as [string, string];
      const m = modelOf(await request<unknown>('GET', `/models/${model}`), { owner, name });
      if (!m) throw malformedError(false, 'not a model');
      return m;
    },
    async getVersion(ref: string, version: string): Promise<RemoteVersion> {
      const { model } = parseModelRef(ref);
      const v = versionOf(await request<unknown>('GET', `/models/${model}/versions/${encodeURIComponent(version)}`));
      if (!v) throw malformedError(false, 'a version without an id');
      return v;
    },
    async listVersions(ref: string): Promise<RemoteVersion[]> {
      const { model } = parseModelRef(ref);
      return versionsOf((await request<{ results?: unknown }>('GET', `/models/${model}/versions`)).results);
    },
    async searchModels(query: string, limit = 24): Promise<RemoteModel[]> {
      return modelsOf((await request<{ models?: unknown }>('GET', `/search?query=${encodeURIComponent(query)}&limit=${limit}`)).models);
    },
    async getCollection(slug: string): Promise<{ name?: string; models: RemoteModel[] }> {
      const r = await request<{ name?: unknown; models?: unknown }>('GET', `/collections/${encodeURIComponent(slug)}`);
      return { ...(typeof r.name === 'string' ? { name: r.name } : {}), models: modelsOf(r.models) };
    },
    async account(): Promise<RemoteAccount> {
      return accountOf(await request<unknown>('GET', '/account'));
    },
    async uploadFile(bytes: Uint8Array, filename: string, mime: string): Promise<RemoteFile> {
      const form = new FormData();
      form.set('content', new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mime }), filename);
      form.set('filename', filename);
      form.set('type', mime);
      return fileOf(await request<unknown>('POST', '/files', { body: form, timeoutMs: uploadTimeoutMs(bytes.byteLength) }));
    },
    /** Follows a prediction's `urls.stream` until `done`; resolves when the stream ends. */
    async stream(url: string, handlers: StreamHandlers, signal?: AbortSignal): Promise<'done' | 'eof'> {
      // Not Replicate's: no stream (the engine polls instead and gets the text from the final prediction).
      if (!mayStream(url)) throw new ProviderError({ code: 'bad_request', message: 'Refused to stream from a host that is not Replicate.' });
      const headers = { ...(trusted(url) ? await authHeaders() : {}), Accept: 'text/event-stream', 'Cache-Control': 'no-store' };
      if (gate) await gate.acquire('other', signal);
      counters.total++;
      counters.other++;
      let res: Response;
      try {
        res = await opts.fetch(url, { headers, signal, ...NO_REDIRECT });
      } catch (err) {
        throw networkError(err, false);
      }
      const redirected = redirectRefused('Replicate', res.status, res.headers);
      if (redirected) {
        await res.body?.cancel().catch(() => {});
        throw redirected;
      }
      if (!res.ok || !res.body) {
        const text = clean(await readBounded(res).catch(() => ''));
        throw errorFromResponse(res.status, res.headers, text, { isCreate: false });
      }
      // Stream text is provider text too: cleaned of the key before the engine sees it.
      const safe: StreamHandlers = {
        onOutput: (chunk) => handlers.onOutput(clean(chunk)),
        onFile: (url) => handlers.onFile?.(url),
        onError: (message) => handlers.onError?.(clean(message)),
        onDone: (reason) => handlers.onDone?.(reason),
      };
      try {
        return await readPredictionStream(res.body, safe);
      } catch (err) {
        throw networkError(err, false);
      }
    },
  };
}
export type ReplicateClient = ReturnType<typeof createReplicateClient>;
