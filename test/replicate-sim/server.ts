// The HTTP server: routing, then per request: counters → injected faults → auth → rate limits →
// handler → response faults (truncation, malformed JSON, dropped connection).
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Ctx, Reply } from './http.ts';
import { notFound, problem, send, serialize } from './http.ts';
import type { FaultEndpoint, Scenario, Sim, SimControl, SimOptions } from './types.ts';
import { SimState } from './state.ts';
import { phaseAt } from './lifecycle.ts';
import { cancelPrediction, createModelOf, createPrediction, getPrediction, listPredictions, predictionModelOf } from './routes/predictions.ts';
import {
  getAccount,
  getCollection,
  getModel,
  getVersion,
  listCollections,
  listHardware,
  listModels,
  listVersions,
  search,
  webhookSecret,
} from './routes/models.ts';
import { cover, delivery } from './routes/delivery.ts';
import { stream } from './routes/stream.ts';
import { deleteFile, downloadFile, getFile, listFiles, maxFileBytes, tooLarge, uploadFile } from './routes/files.ts';
import { controlRoute } from './routes/control.ts';

interface Route {
  method: string | string[];
  /** Matched against the path with the base path removed (API) or the full path (others). */
  path: RegExp;
  api: boolean;
  name: string;
  fault: FaultEndpoint;
  bucket?: 'create' | 'other';
  modelOf?: (ctx: Ctx) => string | undefined;
  handle: (ctx: Ctx) => Reply | null | Promise<Reply | null>;
}

const SEG = '([^/]+)';
const api = (method: string, path: string, name: string, fault: FaultEndpoint, handle: Route['handle'], extra: Partial<Route> = {}): Route => ({
  method,
  path: new RegExp(`^${path}/?$`),
  api: true,
  name,
  fault,
  bucket: 'other',
  handle,
  ...extra,
});

const ROUTES: Route[] = [
  api('POST', '/predictions', 'predictions.create', 'create', (c) => createPrediction(c, 'predictions'), { bucket: 'create', modelOf: createModelOf }),
  api('POST', `/models/${SEG}/${SEG}/predictions`, 'models.predictions.create', 'create', (c) => createPrediction(c, 'models'), {
    bucket: 'create',
    modelOf: createModelOf,
  }),
  api('POST', `/deployments/${SEG}/${SEG}/predictions`, 'deployments.predictions.create', 'create', (c) => createPrediction(c, 'deployments'), {
    bucket: 'create',
    modelOf: createModelOf,
  }),
  api('GET', '/predictions', 'predictions.list', 'list', listPredictions),
  api('GET', `/predictions/${SEG}`, 'predictions.get', 'get', getPrediction, { modelOf: predictionModelOf }),
  api('POST', `/predictions/${SEG}/cancel`, 'predictions.cancel', 'cancel', cancelPrediction, { modelOf: predictionModelOf }),
  api('GET', '/models', 'models.list', 'models', listModels),
  api('GET', `/models/${SEG}/${SEG}`, 'models.get', 'models', getModel),
  api('GET', `/models/${SEG}/${SEG}/versions`, 'models.versions.list', 'models', listVersions),
  api('GET', `/models/${SEG}/${SEG}/versions/${SEG}`, 'models.versions.get', 'models', getVersion),
  api('GET', '/search', 'search', 'models', search),
  api('GET', '/collections', 'collections.list', 'models', listCollections),
  api('GET', `/collections/${SEG}`, 'collections.get', 'models', getCollection),
  api('GET', '/account', 'account.get', 'account', getAccount),
  api('GET', '/hardware', 'hardware.list', 'models', listHardware),
  api('GET', '/webhooks/default/secret', 'webhooks.default.secret.get', 'account', webhookSecret),
  api('POST', '/files', 'files.create', 'files', uploadFile),
  api('GET', '/files', 'files.list', 'files', listFiles),
  api('GET', `/files/${SEG}`, 'files.get', 'files', getFile),
  api('DELETE', `/files/${SEG}`, 'files.delete', 'files', deleteFile),
  api('GET', `/files/${SEG}/download`, 'files.download', 'files', downloadFile),
  { method: ['GET', 'HEAD'], path: new RegExp(`^/delivery/covers/${SEG}/${SEG}\\.webp$`), api: false, name: 'delivery', fault: 'delivery', handle: cover },
  { method: ['GET', 'HEAD'], path: new RegExp(`^/delivery/xezq/${SEG}/${SEG}$`), api: false, name: 'delivery', fault: 'delivery', handle: delivery },
  { method: 'GET', path: new RegExp(`^/stream/${SEG}$`), api: false, name: 'stream', fault: 'stream', handle: stream },
];

const THROTTLE_DETAIL = (s: number) => `Request was throttled. Expected available in ${s} second${s === 1 ? '' : 's'}.`;

function throttled(state: SimState, seconds: number, header: boolean): Reply {
  // Replicate's 429 body is Django REST framework's Throttled format: only `detail`.
  const headers: Record<string, string> = {};
  if (header && state.scenario.rateLimits?.retryAfterHeader !== false) headers['retry-after'] = String(seconds);
  return { status: 429, headers, json: { detail: THROTTLE_DETAIL(seconds) } };
}

const HTML_404 =
  '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>404 Not Found</title></head><body><h1>Not Found</h1><p>The requested URL was not found on this server.</p></body></html>';

/** A scripted reply with its placeholders filled in (see FaultKind 'reply'). */
function scripted(r: NonNullable<import('./types.ts').Fault['reply']>, vars: Record<string, string>): Reply {
  const fill = (s: string) => s.replace(/\{\{(origin|authorization|id)\}\}/g, (_m, k: string) => vars[k] ?? '');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers ?? { 'content-type': 'application/json' })) headers[k.toLowerCase()] = fill(v);
  return { status: r.status, headers, body: fill(r.body) };
}

/** A 200 that goes on and on: `[` then filler, written in chunks as the socket drains. */
function hugeBody(state: SimState, res: ServerResponse, bytes: number): void {
  state.countStatus(200);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(bytes) });
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  chunk[0] = 0x5b; // '[' so a parser that does not bound the body has a (never-ending) array to read
  let left = bytes;
  const pump = () => {
    while (left > 0 && !res.destroyed) {
      const n = Math.min(left, chunk.length);
      left -= n;
      if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void res.once('drain', pump);
    }
    if (!res.destroyed) res.end();
  };
  pump();
}

/** SSE output events forever (a runaway model), until the client goes away. */
function endlessStream(state: SimState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  state.countStatus(200);
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
  const line = `event: output\ndata: ${'all work and no play makes jack a dull boy '.repeat(24)}\n\n`;
  return new Promise((resolve) => {
    const pump = () => {
      while (!res.destroyed) if (!res.write(line)) return void res.once('drain', pump);
      resolve();
    };
    req.on('close', () => resolve());
    res.on('close', () => resolve());
    pump();
  });
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        resolve('too-large');
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function authToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^(?:Bearer|Token)\s+(.*)$/i.exec(h.trim());
  return m ? m[1]!.trim() : '';
}

function writeReply(state: SimState, res: ServerResponse, r: Reply): void {
  state.countStatus(r.status);
  send(res, r);
}

function destroy(state: SimState, res: ServerResponse): void {
  state.countStatus('reset');
  res.socket?.destroy();
}

async function handle(
  state: SimState,
  opts: Required<Pick<SimOptions, 'basePath'>> & { origin: () => string; verbose?: boolean },
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const origin = opts.origin();
  const url = new URL(req.url ?? '/', origin);
  const method = req.method ?? 'GET';
  if (opts.verbose) process.stderr.write(`[sim] ${method} ${url.pathname}${url.search}\n`);
  if (url.pathname.startsWith('/__sim/')) {
    const body = await readBody(req, 10 * 1024 * 1024);
    return send(res, controlRoute(state, method, url, body === 'too-large' ? Buffer.alloc(0) : body, origin, opts.basePath));
  }
  let route: Route | undefined;
  let params: string[] = [];
  const apiPath = url.pathname.startsWith(opts.basePath + '/') ? url.pathname.slice(opts.basePath.length) : null;
  for (const r of ROUTES) {
    const path = r.api ? apiPath : url.pathname;
    if (path === null) continue;
    const m = r.path.exec(path);
    if (!m) continue;
    const methods = Array.isArray(r.method) ? r.method : [r.method];
    if (!methods.includes(method)) continue;
    try {
      params = m.slice(1).map(decodeURIComponent);
    } catch {
      continue; // a malformed %-escape matches no resource: 404 like any unknown path
    }
    route = r;
    break;
  }
  state.count(route?.name ?? 'unknown');
  if (!route) {
    await readBody(req, 1024 * 1024);
    return writeReply(state, res, notFound());
  }
  // Refuse oversized uploads before reading them, like a front proxy would.
  const declared = Number(req.headers['content-length'] ?? 0);
  const bodyLimit = route.name === 'files.create' ? maxFileBytes({ state } as Ctx) + 1024 * 1024 : 10 * 1024 * 1024;
  if (declared > bodyLimit) {
    res.setHeader('connection', 'close');
    writeReply(state, res, tooLarge());
    req.resume();
    return;
  }
  const body = await readBody(req, bodyLimit);
  if (body === 'too-large') return writeReply(state, res, tooLarge());
  const ctx: Ctx = { req, res, url, state, params, body, token: '', baseUrl: origin + opts.basePath, origin, basePath: opts.basePath };
  if (route.bucket) state.observe(route.bucket);

  const fault = state.takeFault(route.fault, route.modelOf?.(ctx));
  if (fault) {
    const k = fault.kind;
    if (k === '429' || k === '429-no-retry-after') return writeReply(state, res, throttled(state, fault.retryAfterS ?? 1, k === '429'));
    if (k === '500' || k === '502' || k === '503' || k === '504') {
      const titles: Record<string, string> = { '500': 'Internal Server Error', '502': 'Bad Gateway', '503': 'Service Unavailable', '504': 'Gateway Timeout' };
      return writeReply(state, res, problem(Number(k), titles[k]!, 'The server encountered a temporary error. Please try again.'));
    }
    if (k === 'reset') return destroy(state, res);
    if (k === '401' || k === '403')
      return writeReply(
        state,
        res,
        problem(
          Number(k),
          k === '401' ? 'Unauthenticated' : 'Forbidden',
          k === '401' ? 'You did not pass a valid authentication token' : 'You do not have permission to perform this action.',
        ),
      );
    if (k === '404-html') return writeReply(state, res, { status: 404, headers: { 'content-type': 'text/html; charset=utf-8' }, body: HTML_404 });
    if (k === 'reply' && fault.reply)
      return writeReply(state, res, scripted(fault.reply, { origin: ctx.origin, authorization: String(req.headers.authorization ?? ''), id: params[0] ?? '' }));
    if (k === 'huge') return hugeBody(state, res, fault.bytes ?? 40 * 1024 * 1024);
    if (k === 'endless-stream') return endlessStream(state, req, res);
    if (k === 'slow') await new Promise((r) => setTimeout(r, fault.delayMs ?? 2000));
  }

  const needsAuth = route.api || (route.name === 'delivery' && state.scenario.deliveryAuth === true);
  if (needsAuth) {
    const token = authToken(req);
    if (token === undefined) return writeReply(state, res, problem(401, 'Unauthenticated', 'You did not pass an authentication token'));
    if (!state.validTokens().includes(token)) return writeReply(state, res, problem(401, 'Unauthenticated', 'You did not pass a valid authentication token'));
    ctx.token = token;
    if (route.api && route.bucket) {
      const wait = state.admit(token, route.bucket);
      if (wait > 0) return writeReply(state, res, throttled(state, wait, true));
    }
  }

  const reply = await route.handle(ctx);
  if (reply === null) {
    state.countStatus(200);
    return;
  }
  if (fault && ['truncated-json', 'malformed-json', 'drop-response-after-create'].includes(fault.kind)) {
    if (fault.kind === 'drop-response-after-create') return destroy(state, res);
    const { headers, body: bytes } = serialize(reply);
    const mangled =
      fault.kind === 'truncated-json'
        ? bytes.subarray(0, Math.max(1, Math.floor(bytes.length / 2)))
        : Buffer.from(bytes.toString('utf8').replace(/}\s*$/, ',}').replace(/^\{/, '{,'));
    state.countStatus(reply.status);
    res.writeHead(reply.status, { ...headers, 'content-type': 'application/json', 'content-length': String(mangled.length) });
    res.end(mangled);
    return;
  }
  writeReply(state, res, reply);
}

export async function startSimulator(opts: SimOptions = {}): Promise<Sim> {
  const basePath = (opts.basePath ?? '/v1').replace(/\/$/, '');
  const token = opts.token ?? 'r8_kiln_sim_demo_token';
  const scenario: Scenario = { ...opts.scenario, ...(opts.retentionMs !== undefined ? { retentionMs: opts.retentionMs } : {}) };
  const state = new SimState(scenario, token);
  const host = opts.host ?? '127.0.0.1';
  let origin = '';
  const server = createServer((req, res) => {
    handle(state, { basePath, origin: () => origin, verbose: opts.verbose }, req, res).catch((e: unknown) => {
      process.stderr.write(`[sim] handler error: ${(e as Error).stack ?? e}\n`);
      if (!res.headersSent) send(res, problem(500, 'Internal Server Error', 'Simulator bug: ' + String((e as Error).message)));
      else res.destroy();
    });
  });
  // Keep-alive sockets from clients would otherwise hold close() open.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const control: SimControl = {
    advance: (ms) => state.clock.advance(ms),
    freeze: () => state.clock.freeze(),
    unfreeze: () => state.clock.unfreeze(),
    now: () => state.clock.now(),
    loadScenario: (s) => state.loadScenario(s),
    counters: () => structuredClone(state.counters),
    predictions: () => state.summaries((p) => phaseAt(p, state.clock.now()).status),
    reset: () => state.reset(),
  };
  return {
    baseUrl: origin + basePath,
    origin,
    token,
    control,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
