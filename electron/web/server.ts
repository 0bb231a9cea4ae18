import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Readable, pipeline } from 'node:stream';
import type { Duplex } from 'node:stream';
import type { Backend } from '../backend/index.ts';
import type { Logger } from '../backend/types.ts';
import { canonicalMediaPath, deriveCapability, mediaSignature } from '../../shared/capability.ts';
import { checkBindHost, contentSecurityPolicy, isAllowedHostHeader, isAllowedOrigin, tokensEqual, withAssetPrefix, withoutMetaCsp } from './security.ts';
import { readRequest, safeDecode, type RequestFacts } from './request.ts';
import { BOOTSTRAP_CSP, BOOTSTRAP_HTML } from './bootstrap.ts';
import { contentTypeFor, resolveStatic } from './static.ts';
import { createWsTransport } from './ws-transport.ts';
import { handleMediaRequest } from '../backend/vault/media-handler.ts';

export interface WebServerOptions {
  backend: Pick<Backend, 'invoke' | 'on' | 'services'>;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  host?: string;
  /** True when the user passed --host: allows a non-loopback bind (with a warning). */
  hostExplicit?: boolean;
  port?: number;
  /** Random unless given (electron/web/main.ts passes the data folder's stable token, web/token.ts). */
  token?: string;
  log: Logger;
}

export interface WebServer {
  url: string;
  host: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** Where the page's built assets are served, behind a key derived from the token (shared/capability.ts). */
export const ASSET_PREFIX = '/s/';

// Browser mode (ARCHITECTURE.md, "The contract and its transports", transport 2): the built renderer over HTTP and `window.kiln` over one
// WebSocket per page (ws-transport.ts), bound to the very same backend the Electron app uses. Every
// request is read once by request.ts, which never throws; both handlers are also fenced, so no request
// can end the process (ARCHITECTURE.md, "Security").
export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const host = opts.host ?? '127.0.0.1';
  const bind = checkBindHost(host, opts.hostExplicit ?? false);
  if (!bind.ok) throw new Error(bind.reason);
  if (bind.warning) opts.log.warn(bind.warning);
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const assetKey = deriveCapability(token, 'assets');
  const mediaKey = deriveCapability(token, 'media');
  const log = opts.log;
  const rendererDir = path.resolve(opts.rendererDir);
  let port = 0;

  const server = http.createServer({ maxHeaderSize: 16 * 1024, requestTimeout: 60_000, headersTimeout: 30_000 }, (req, res) => {
    let done: Promise<void>;
    try {
      done = handleHttp(req, res);
    } catch (err) {
      done = Promise.reject(err);
    }
    done.catch((err: unknown) => {
      log.error('web: request failed', { err: String(err).slice(0, 300) });
      if (!res.headersSent) res.writeHead(500, { ...baseHeaders(), 'Content-Type': 'text/plain', 'Cache-Control': 'no-store' });
      res.end('Internal error');
    });
  });

  function baseHeaders(): Record<string, string> {
    return { 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'Cross-Origin-Resource-Policy': 'same-origin' };
  }

  function plain(res: http.ServerResponse, status: number, text: string) {
    res.writeHead(status, { ...baseHeaders(), 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(text);
  }

  function forbidden(res: http.ServerResponse) {
    // A browser tab that lost its token on reload gets it back from sessionStorage (bootstrap.ts).
    res.writeHead(403, {
      ...baseHeaders(),
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Security-Policy': BOOTSTRAP_CSP,
      'X-Frame-Options': 'DENY',
    });
    res.end(BOOTSTRAP_HTML);
  }

  /** What the request may read: everything (the token), the built assets, or one media file. */
  function access(r: RequestFacts): { kind: 'token' } | { kind: 'asset'; rest: string } | { kind: 'media' } | null {
    if (tokensEqual(r.token, token)) return { kind: 'token' };
    if (r.pathname.startsWith(ASSET_PREFIX)) {
      const rest = r.pathname.slice(ASSET_PREFIX.length);
      const slash = rest.indexOf('/');
      if (slash > 0 && tokensEqual(rest.slice(0, slash), assetKey)) return { kind: 'asset', rest: rest.slice(slash) };
      return null;
    }
    if (r.pathname.startsWith('/media/')) {
      const rel = safeDecode(r.pathname.slice('/media/'.length));
      const sig = r.query.get('sig');
      if (rel !== null && sig && tokensEqual(sig, mediaSignature(mediaKey, canonicalMediaPath(rel)))) return { kind: 'media' };
    }
    return null;
  }

  async function handleHttp(req: http.IncomingMessage, res: http.ServerResponse) {
    const r = readRequest(req.url, req.headers);
    // A target we cannot read carries no token we could check: refused like any request without one.
    if (!r) return plain(res, 403, 'Forbidden: unreadable request target.');
    if (!isAllowedHostHeader(r.host, host, port)) return plain(res, 403, 'Forbidden: unexpected Host header.');
    // Another site's page (or another local port's) never reads from here, token or not: the
    // browser says where a request comes from (Origin on CORS and non-GET requests, Sec-Fetch-Site
    // on all of them); the page's own requests are same-origin or carry neither.
    if ((r.origin !== undefined && !isAllowedOrigin(r.origin, host, port)) || req.headers['sec-fetch-site'] === 'cross-site')
      return plain(res, 403, 'Forbidden: cross-origin request.');
    const granted = access(r);
    if (!granted) return forbidden(res);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...baseHeaders(), Allow: 'GET, HEAD' });
      return void res.end();
    }
    if (r.pathname.startsWith('/media/')) return serveMedia(req, res, r);
    if (granted.kind === 'media') return forbidden(res);
    const isPage = granted.kind === 'token' && (r.pathname === '/' || r.pathname === '/index.html');
    const file = resolveStatic(rendererDir, isPage ? '/index.html' : granted.kind === 'asset' ? granted.rest : r.pathname);
    if (!file) return plain(res, 404, isPage ? 'The renderer is not built: run `npm run build:renderer`.' : 'Not found');
    const headers: Record<string, string> = { ...baseHeaders(), 'Content-Type': contentTypeFor(file) };
    if (file.endsWith('.html')) {
      // The page's own meta CSP is Electron's (connect-src 'none': main does all networking). Here
      // the page must reach its WebSocket, and policies intersect, so the header replaces it.
      const wsOrigin = `ws://${r.host ?? `127.0.0.1:${port}`}`;
      const html = Buffer.from(withAssetPrefix(withoutMetaCsp(await fs.promises.readFile(file, 'utf8')), `${ASSET_PREFIX}${assetKey}/`));
      res.writeHead(200, {
        ...headers,
        'Content-Security-Policy': contentSecurityPolicy({ connectSrc: [wsOrigin] }),
        'Cache-Control': 'no-store',
        'X-Frame-Options': 'DENY',
        'Content-Length': String(html.length),
      });
      return void res.end(req.method === 'HEAD' ? undefined : html);
    }
    const stat = await fs.promises.stat(file);
    res.writeHead(200, { ...headers, 'Cache-Control': 'no-cache', 'Content-Length': String(stat.size) });
    if (req.method === 'HEAD') return void res.end();
    // pipeline, not pipe: a client that goes away mid-file must close the file too (pipe leaves it open).
    pipeline(fs.createReadStream(file), res, () => {});
  }

  async function serveMedia(req: http.IncomingMessage, res: http.ServerResponse, r: RequestFacts) {
    const rel = safeDecode(r.pathname.slice('/media/'.length));
    if (rel === null) return plain(res, 400, 'Bad media path.');
    // The vault's pure handler (shared with Electron's kiln-media://) decides what is inside the vault.
    const out = await handleMediaRequest(opts.backend.services.vault.root, rel, r.range ? { range: r.range } : {});
    // Only a file is kept by the browser: a refusal (not there yet, bad range) must not be remembered.
    const cache = out.status === 200 || out.status === 206 ? 'private, max-age=3600' : 'no-store';
    res.writeHead(out.status, { ...baseHeaders(), 'Cache-Control': cache, ...out.headers });
    if (req.method === 'HEAD' || out.body === null) {
      if (out.body instanceof Readable) out.body.destroy();
      return void res.end();
    }
    if (out.body instanceof Readable) pipeline(out.body, res, () => {});
    else res.end(out.body);
  }

  const ws = createWsTransport({ backend: opts.backend, log });

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node removes its own error handler from an upgraded socket: without this, a client that resets
    // the connection while we answer would raise an unhandled 'error' and end the process.
    socket.on('error', () => socket.destroy());
    const refuse = (status: number, why: string) => {
      log.warn('web: websocket refused', { why });
      const text = status === 400 ? 'Bad Request' : status === 403 ? 'Forbidden' : 'Not Found';
      if (socket.writable) socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      else socket.destroy();
    };
    try {
      const r = readRequest(req.url, req.headers);
      // Without the token every answer is 403, whatever else is wrong (the fixed interface).
      if (!r) return refuse(403, 'target');
      if (!isAllowedHostHeader(r.host, host, port)) return refuse(403, 'host');
      if (!tokensEqual(r.token, token)) return refuse(403, 'token');
      if (r.pathname !== '/ws') return refuse(404, 'path');
      if (!isAllowedOrigin(r.origin, host, port)) return refuse(403, `origin ${String(r.origin).slice(0, 100)}`);
      ws.handleUpgrade(req, socket, head);
    } catch (err) {
      log.error('web: upgrade failed', { err: String(err).slice(0, 300) });
      socket.destroy();
    }
  });

  // A page needs a handful of connections (a browser opens six per host); a flood of idle sockets
  // must not take every file descriptor the backend needs for its history and downloads.
  server.maxConnections = 256;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // After listening, a server error (say, too many open files) is logged, not thrown at the process.
  server.on('error', (err) => log.error('web: server error', { err: String(err) }));
  port = (server.address() as import('node:net').AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    host,
    port,
    token,
    async close() {
      ws.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
