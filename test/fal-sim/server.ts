// The HTTP server. One port stands in for fal's four hosts, each under its own path prefix:
// /queue (queue.fal.run), /api/v1 (api.fal.ai/v1), /rest (rest.fal.ai), /cdn and /cdn-upload
// (v3.fal.media). Per request: count → injected fault → auth → rate limit → handler → response
// faults (truncation, malformed JSON, a dropped submit answer).
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { Ctx, Reply, Urls } from './http.ts';
import { detail, json, platformError, send, serialize } from './http.ts';
import type { FalSim, Fault, FaultEndpoint, Scenario, SimControl, SimOptions } from './types.ts';
import { DEFAULTS, SimState } from './state.ts';
import { REQUEST_PATH, cancel, result, status, submit } from './routes/queue.ts';
import { statusStream } from './routes/stream.ts';
import { billingEvents, estimate, listModels, pricing, requestHistory } from './routes/platform.ts';
import { cdn, completeMultipart, initiate, putPart, putUpload } from './routes/storage.ts';
import { controlRoute } from './routes/control.ts';

export const DEMO_KEY = '5c1f0d7e-8a2b-4c3d-9e4f-0a1b2c3d4e5f:6b696c6e2d73696d2d64656d6f2d6b65792d736563726574';

type Auth = 'required' | 'optional' | 'none';
type Dialect = 'queue' | 'platform';

interface Route {
  method: string | string[];
  path: RegExp;
  name: string;
  fault: FaultEndpoint;
  auth: Auth;
  dialect: Dialect;
  bucket?: 'queue' | 'platform';
  handle: (ctx: Ctx, fault: Fault | undefined) => Reply | null | Promise<Reply | null>;
}

const jobRoute =
  (suffix: string | undefined) =>
  (path: string): boolean => {
    const m = REQUEST_PATH.exec(path);
    return !!m && m[3] === suffix;
  };

const ROUTES: (Route & { match?: (path: string) => boolean })[] = [
  {
    method: 'GET',
    path: REQUEST_PATH,
    match: jobRoute('/status/stream'),
    name: 'queue.stream',
    fault: 'stream',
    auth: 'required',
    dialect: 'queue',
    bucket: 'queue',
    handle: statusStream,
  },
  {
    method: 'GET',
    path: REQUEST_PATH,
    match: jobRoute('/status'),
    name: 'queue.status',
    fault: 'status',
    auth: 'required',
    dialect: 'queue',
    bucket: 'queue',
    handle: status,
  },
  {
    method: 'PUT',
    path: REQUEST_PATH,
    match: jobRoute('/cancel'),
    name: 'queue.cancel',
    fault: 'cancel',
    auth: 'required',
    dialect: 'queue',
    bucket: 'queue',
    handle: cancel,
  },
  {
    method: 'GET',
    path: REQUEST_PATH,
    match: jobRoute(undefined),
    name: 'queue.result',
    fault: 'result',
    auth: 'required',
    dialect: 'queue',
    bucket: 'queue',
    handle: result,
  },
  {
    method: 'POST',
    path: /^\/queue\/(.+?)\/?$/,
    match: (p) => !REQUEST_PATH.test(p),
    name: 'queue.submit',
    fault: 'submit',
    auth: 'required',
    dialect: 'queue',
    bucket: 'queue',
    handle: submit,
  },
  {
    method: 'GET',
    path: /^\/api\/v1\/models\/?$/,
    name: 'platform.models',
    fault: 'platform',
    auth: 'optional',
    dialect: 'platform',
    bucket: 'platform',
    handle: listModels,
  },
  {
    method: 'GET',
    path: /^\/api\/v1\/models\/pricing\/?$/,
    name: 'platform.pricing',
    fault: 'platform',
    auth: 'required',
    dialect: 'platform',
    bucket: 'platform',
    handle: pricing,
  },
  {
    method: 'POST',
    path: /^\/api\/v1\/models\/pricing\/estimate\/?$/,
    name: 'platform.estimate',
    fault: 'platform',
    auth: 'required',
    dialect: 'platform',
    bucket: 'platform',
    handle: estimate,
  },
  {
    method: 'GET',
    path: /^\/api\/v1\/models\/requests\/by-endpoint\/?$/,
    name: 'platform.requests',
    fault: 'platform',
    auth: 'required',
    dialect: 'platform',
    bucket: 'platform',
    handle: requestHistory,
  },
  {
    method: 'GET',
    path: /^\/api\/v1\/models\/billing-events\/?$/,
    name: 'platform.billing',
    fault: 'platform',
    auth: 'required',
    dialect: 'platform',
    bucket: 'platform',
    handle: billingEvents,
  },
  {
    method: 'POST',
    path: /^\/rest\/storage\/upload\/initiate\/?$/,
    name: 'storage.initiate',
    fault: 'storage',
    auth: 'required',
    dialect: 'queue',
    bucket: 'platform',
    handle: (c) => initiate(c, false),
  },
  {
    method: 'POST',
    path: /^\/rest\/storage\/upload\/initiate-multipart\/?$/,
    name: 'storage.initiate-multipart',
    fault: 'storage',
    auth: 'required',
    dialect: 'queue',
    bucket: 'platform',
    handle: (c) => initiate(c, true),
  },
  { method: 'PUT', path: /^\/cdn-upload\/([\w-]+)$/, name: 'upload.put', fault: 'upload', auth: 'none', dialect: 'queue', handle: putUpload },
  { method: 'PUT', path: /^\/cdn-upload\/([\w-]+)\/(\d+)$/, name: 'upload.part', fault: 'upload', auth: 'none', dialect: 'queue', handle: putPart },
  {
    method: 'POST',
    path: /^\/cdn-upload\/([\w-]+)\/complete$/,
    name: 'upload.complete',
    fault: 'upload',
    auth: 'none',
    dialect: 'queue',
    handle: completeMultipart,
  },
  { method: ['GET', 'HEAD'], path: /^\/cdn\/(files\/.+)$/, name: 'cdn', fault: 'cdn', auth: 'none', dialect: 'queue', handle: cdn },
];

const MAX_BODY = 16 * 1024 * 1024;

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

/** `Authorization: Key <key_id>:<key_secret>`; the three 401 bodies fal is seen to send (reference §6). */
function authenticate(state: SimState, req: IncomingMessage, dialect: Dialect): { key: string; account: string } | { reply: Reply } | { key: null } {
  const h = req.headers.authorization;
  const fail = (msg: string): { reply: Reply } => ({ reply: dialect === 'platform' ? platformError(401, 'authorization_error', msg) : detail(401, msg) });
  if (!h) return { key: null };
  const m = /^Key\s+(\S+)$/i.exec(h.trim());
  if (!m || !m[1]!.includes(':')) return fail("Invalid Key Authorization header format. Expected '<key_id>:<key_secret>'.");
  const account = state.accountOf(m[1]!);
  if (!account) return fail('No user found for Key ID and Secret');
  return { key: m[1]!, account };
}

/** A scripted reply with its placeholders filled in (see FaultKind 'reply'). */
function scripted(r: NonNullable<Fault['reply']>, vars: Record<string, string>): Reply {
  const fill = (s: string) => s.replace(/\{\{(origin|queueUrl|id)\}\}/g, (_m, k: string) => vars[k] ?? '');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers ?? { 'content-type': 'application/json' })) headers[k.toLowerCase()] = fill(v);
  return { status: r.status, headers, body: fill(r.body) };
}

function faultReply(state: SimState, f: Fault, dialect: Dialect, vars: Record<string, string>): Reply | 'reset' | null {
  const k = f.kind;
  if (k === 'reply' && f.reply) return scripted(f.reply, vars);
  if (k === '429' || k === '429-no-retry-after') {
    const s = f.retryAfterS ?? 1;
    const headers: Record<string, string> = k === '429' ? { 'retry-after': String(s) } : {};
    return dialect === 'platform'
      ? { ...platformError(429, 'rate_limited', 'Rate limit exceeded'), headers }
      : detail(429, 'Rate limit exceeded. Please retry later.', { ...headers, 'x-fal-request-id': randomUUID() });
  }
  if (k === '500' || k === '502' || k === '503' || k === '504') {
    return dialect === 'platform'
      ? platformError(Number(k), 'server_error', 'Internal server error')
      : detail(Number(k), 'Internal Server Error', { 'x-fal-request-id': randomUUID() });
  }
  if (k.startsWith('nginx-')) {
    const code = Number(k.slice(6));
    const text = { 502: 'Bad Gateway', 503: 'Service Temporarily Unavailable', 504: 'Gateway Time-out' }[code] ?? 'Error';
    return {
      status: code,
      headers: { 'content-type': 'text/html' },
      body: `<html>\r\n<head><title>${code} ${text}</title></head>\r\n<body>\r\n<center><h1>${code} ${text}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`,
    };
  }
  if (k === 'reset') return 'reset';
  void state;
  return null;
}

function jobEndpointId(state: SimState, route: Route, params: string[]): string | undefined {
  if (route.name === 'queue.submit') return params[0];
  if (route.name.startsWith('queue.')) return state.byId.get(params[1] ?? '')?.endpoint.id;
  return undefined;
}

async function handle(state: SimState, urls: () => Urls, verbose: boolean | undefined, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const u = urls();
  const url = new URL(req.url ?? '/', u.origin);
  const method = req.method ?? 'GET';
  if (verbose) process.stderr.write(`[fal-sim] ${method} ${url.pathname}${url.search}\n`);
  const write = (r: Reply) => {
    state.countStatus(r.status);
    send(res, r);
  };
  const destroy = () => {
    state.countStatus('reset');
    res.socket?.destroy();
  };
  if (url.pathname.startsWith('/__sim/')) {
    const body = await readBody(req, MAX_BODY);
    return send(res, controlRoute(state, method, url, body === 'too-large' ? Buffer.alloc(0) : body, u));
  }
  let route: Route | undefined;
  let params: string[] = [];
  for (const r of ROUTES) {
    const m = r.path.exec(url.pathname);
    if (!m || (r.match && !r.match(url.pathname))) continue;
    if (!(Array.isArray(r.method) ? r.method : [r.method]).includes(method)) continue;
    try {
      params = m.slice(1).map(decodeURIComponent);
    } catch {
      continue;
    }
    route = r;
    break;
  }
  state.count(route?.name ?? 'unknown');
  if (!route) {
    await readBody(req, MAX_BODY);
    return write(detail(404, 'Not Found'));
  }
  if (route.auth === 'none' && req.headers.authorization) state.counters.authOnMedia++;
  const isUpload = route.name.startsWith('upload.');
  const limit = isUpload ? (state.scenario.maxUploadBytes ?? DEFAULTS.maxUploadBytes) + 1024 * 1024 : MAX_BODY;
  const body = await readBody(req, limit);
  if (body === 'too-large') {
    res.setHeader('connection', 'close');
    return write(detail(413, `Request body too large (limit ${limit} bytes)`));
  }
  const ctx: Ctx = { req, res, url, state, params, body, key: '', account: '', urls: u };

  const fault = state.takeFault(route.fault, jobEndpointId(state, route, params));
  if (fault) {
    const id = route.name.startsWith('queue.') && route.name !== 'queue.submit' ? (params[1] ?? '') : '';
    const r = faultReply(state, fault, route.dialect, { origin: u.origin, queueUrl: u.queueUrl, id });
    if (r === 'reset') return destroy();
    if (r) return write(r);
    if (fault.kind === 'slow') await new Promise((ok) => setTimeout(ok, fault.delayMs ?? 2000));
  }

  if (route.auth !== 'none') {
    const a = authenticate(state, req, route.dialect);
    if ('reply' in a) return write(a.reply);
    if (a.key === null && route.auth === 'required') {
      const msg = 'Missing Authorization header: send "Authorization: Key <key_id>:<key_secret>".';
      return write(route.dialect === 'platform' ? platformError(401, 'authorization_error', msg) : detail(401, msg));
    }
    ctx.key = a.key ?? '';
    ctx.account = 'account' in a ? a.account : '';
    if (route.bucket) {
      const wait = state.admit(ctx.key || 'anonymous', route.bucket);
      if (wait > 0) {
        const headers: Record<string, string> = state.scenario.rateLimits?.retryAfterHeader === false ? {} : { 'retry-after': String(wait) };
        return write(
          route.dialect === 'platform'
            ? { ...platformError(429, 'rate_limited', `Rate limit exceeded: retry in ${wait} s`), headers }
            : detail(429, `Rate limit exceeded: retry in ${wait} s`, headers),
        );
      }
    }
  }

  const reply = await route.handle(ctx, fault);
  if (reply === null) {
    state.countStatus(200);
    return;
  }
  if (fault?.kind === 'drop-response-after-submit') return destroy();
  if (fault && (fault.kind === 'truncated-json' || fault.kind === 'malformed-json')) {
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
  write(reply);
}

export async function startFalSimulator(opts: SimOptions = {}): Promise<FalSim> {
  const key = opts.key ?? DEMO_KEY;
  const state = new SimState({ ...opts.scenario }, key);
  const host = opts.host ?? '127.0.0.1';
  let urls: Urls = { origin: '', queueUrl: '', apiUrl: '', storageUrl: '', cdnUrl: '' };
  const server = createServer((req, res) => {
    handle(state, () => urls, opts.verbose, req, res).catch((e: unknown) => {
      process.stderr.write(`[fal-sim] handler error: ${(e as Error).stack ?? e}\n`);
      if (!res.headersSent) send(res, json(500, { detail: `Simulator bug: ${(e as Error).message}` }));
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  urls = { origin, queueUrl: `${origin}/queue`, apiUrl: `${origin}/api/v1`, storageUrl: `${origin}/rest`, cdnUrl: `${origin}/cdn` };
  const control: SimControl = {
    advance: (ms) => state.clock.advance(ms),
    freeze: () => state.clock.freeze(),
    unfreeze: () => state.clock.unfreeze(),
    now: () => state.clock.now(),
    loadScenario: (s: Scenario) => state.loadScenario(s),
    counters: () => structuredClone(state.counters),
    jobs: () => state.summaries(),
    reset: () => state.reset(),
  };
  return {
    ...urls,
    key,
    control,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
