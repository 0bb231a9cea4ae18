import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Backend } from '../backend/index.ts';
import type { Logger } from '../backend/types.ts';
import type { WireToClient, WireToServer } from '../../shared/ipc.ts';
import { checkBindHost, contentSecurityPolicy, isAllowedHostHeader, isAllowedOrigin, requestToken, tokenCookieName, tokensEqual, withoutMetaCsp } from './security.ts';
import { contentTypeFor, resolveStatic } from './static.ts';
import { handleMediaRequest } from '../backend/vault/media-handler.ts';

export interface WebServerOptions {
  backend: Pick<Backend, 'invoke' | 'on' | 'services'>;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  host?: string;
  /** True when the user passed --host: allows a non-loopback bind (with a warning). */
  hostExplicit?: boolean;
  port?: number;
  /** Random per launch unless given (a restart that must keep open pages working passes the old one). */
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

const MAX_WS_PAYLOAD = 200 * 1024 * 1024; // files:stage carries up to 150 MB of base64

// Browser mode (DESIGN §2, transport 2): the built renderer over HTTP and `window.kiln` over one
// WebSocket per page, bound to the very same backend the Electron app uses.
export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const host = opts.host ?? '127.0.0.1';
  const bind = checkBindHost(host, opts.hostExplicit ?? false);
  if (!bind.ok) throw new Error(bind.reason);
  if (bind.warning) opts.log.warn(bind.warning);
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const log = opts.log;
  const rendererDir = path.resolve(opts.rendererDir);
  let port = 0;

  const server = http.createServer((req, res) => {
    handleHttp(req, res).catch((err: unknown) => {
      log.error('web: request failed', { path: (req.url ?? '').split('?')[0], err: String(err) });
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end('Internal error');
    });
  });

  function baseHeaders(): Record<string, string> {
    return { 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'Cross-Origin-Resource-Policy': 'same-origin' };
  }

  function forbidden(res: http.ServerResponse) {
    res.writeHead(403, { ...baseHeaders(), 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end('Forbidden: this Kiln page needs the link with its token, as printed when Kiln web started.');
  }

  async function handleHttp(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!isAllowedHostHeader(req.headers.host, host, port)) return forbidden(res);
    if (!tokensEqual(requestToken(url, req.headers, port), token)) return forbidden(res);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...baseHeaders(), Allow: 'GET, HEAD' });
      return void res.end();
    }
    if (url.pathname.startsWith('/media/')) return serveMedia(req, res, url.pathname.slice('/media/'.length));
    const isPage = url.pathname === '/' || url.pathname === '/index.html';
    const file = resolveStatic(rendererDir, isPage ? '/index.html' : url.pathname);
    if (!file) {
      res.writeHead(404, { ...baseHeaders(), 'Content-Type': 'text/plain' });
      return void res.end(isPage ? 'The renderer is not built: run `npm run build:renderer`.' : 'Not found');
    }
    const headers: Record<string, string> = { ...baseHeaders(), 'Content-Type': contentTypeFor(file) };
    if (file.endsWith('.html')) {
      const wsOrigins = [`ws://${req.headers.host ?? `127.0.0.1:${port}`}`];
      Object.assign(headers, {
        'Content-Security-Policy': contentSecurityPolicy({ connectSrc: wsOrigins }),
        'Cache-Control': 'no-store',
        'X-Frame-Options': 'DENY',
        // Lets asset, media and WebSocket requests authenticate without the token in every URL.
        'Set-Cookie': `${tokenCookieName(port)}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict`,
      });
    } else {
      headers['Cache-Control'] = 'no-cache';
    }
    if (file.endsWith('.html')) {
      // The page's own meta CSP is Electron's (connect-src 'none': main does all networking). Here
      // the page must reach its WebSocket, and policies intersect, so the header above replaces it.
      const html = Buffer.from(withoutMetaCsp(await fs.promises.readFile(file, 'utf8')));
      headers['Content-Length'] = String(html.length);
      res.writeHead(200, headers);
      return void res.end(req.method === 'HEAD' ? undefined : html);
    }
    const stat = await fs.promises.stat(file);
    headers['Content-Length'] = String(stat.size);
    res.writeHead(200, headers);
    if (req.method === 'HEAD') return void res.end();
    fs.createReadStream(file).pipe(res);
  }

  async function serveMedia(req: http.IncomingMessage, res: http.ServerResponse, encodedRel: string) {
    let rel: string;
    try {
      rel = decodeURIComponent(encodedRel);
    } catch {
      res.writeHead(400, baseHeaders());
      return void res.end();
    }
    const range = typeof req.headers.range === 'string' ? req.headers.range : undefined;
    // The vault's pure handler (shared with Electron's kiln-media://) decides what is inside the vault.
    const out = await handleMediaRequest(opts.backend.services.vault.root, rel, range ? { range } : {});
    res.writeHead(out.status, { ...baseHeaders(), 'Cache-Control': 'private, max-age=3600', ...out.headers });
    if (req.method === 'HEAD' || out.body === null) {
      if (out.body instanceof Readable) out.body.destroy();
      return void res.end();
    }
    if (out.body instanceof Readable) {
      out.body.on('error', () => res.destroy());
      out.body.pipe(res);
    } else res.end(out.body);
  }

  // ── WebSocket: envelopes for invokes, and every backend event broadcast to every page ──────────
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_PAYLOAD });
  const clients = new Set<WebSocket>();

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const refuse = (status: number, why: string) => {
      log.warn('web: websocket refused', { why });
      socket.end(`HTTP/1.1 ${status} ${status === 403 ? 'Forbidden' : 'Not Found'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== '/ws') return refuse(404, 'path');
    if (!isAllowedHostHeader(req.headers.host, host, port)) return refuse(403, 'host');
    if (!tokensEqual(requestToken(url, req.headers, port), token)) return refuse(403, 'token');
    if (!isAllowedOrigin(req.headers.origin, host, port)) return refuse(403, `origin ${String(req.headers.origin).slice(0, 100)}`);
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
  });

  function send(ws: WebSocket, msg: WireToClient) {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
  }

  function onConnection(ws: WebSocket) {
    clients.add(ws);
    let alive = true;
    ws.on('pong', () => (alive = true));
    const heartbeat = setInterval(() => {
      // Drops pages that vanished without a close frame (sleeping laptops), so they stop costing sends.
      if (!alive) return ws.terminate();
      alive = false;
      ws.ping();
    }, 30_000);
    heartbeat.unref();
    ws.on('close', () => {
      clearInterval(heartbeat);
      clients.delete(ws);
    });
    ws.on('error', () => ws.terminate());
    ws.on('message', (data, isBinary) => {
      if (isBinary) return ws.close(1003, 'text frames only');
      let msg: WireToServer;
      try {
        msg = JSON.parse(data.toString()) as WireToServer;
      } catch {
        return ws.close(1007, 'invalid JSON');
      }
      if (!msg || msg.type !== 'invoke' || typeof msg.id !== 'number') return ws.close(1008, 'unexpected frame');
      void opts.backend.invoke(msg.channel, msg.payload).then((envelope) => send(ws, { type: 'result', id: msg.id, envelope }));
    });
  }

  const unsubscribe = opts.backend.on((event, payload) => {
    if (clients.size === 0) return;
    const frame = JSON.stringify({ type: 'event', event, payload } satisfies WireToClient);
    for (const ws of clients) if (ws.readyState === ws.OPEN) ws.send(frame);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as import('node:net').AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    host,
    port,
    token,
    async close() {
      unsubscribe();
      for (const ws of clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
