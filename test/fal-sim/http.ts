// Small HTTP vocabulary shared by the routes: a reply value (so faults can mangle it before it is
// written), fal's two error dialects (queue/rest `{detail}`, platform `{error:{type,message}}`) and
// byte replies with single-range support for the CDN.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimState } from './state.ts';

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  json?: unknown;
  body?: Buffer | string;
}

export interface Urls {
  origin: string;
  queueUrl: string;
  apiUrl: string;
  storageUrl: string;
  cdnUrl: string;
}

export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  state: SimState;
  params: string[];
  body: Buffer;
  key: string;
  /** The account the key belongs to: jobs, queue and history are per account. */
  account: string;
  urls: Urls;
}

export function json(status: number, value: unknown, headers?: Record<string, string>): Reply {
  return { status, json: value, headers };
}

/** Queue/rest errors: FastAPI's `{"detail": …}`. */
export const detail = (status: number, message: unknown, headers?: Record<string, string>): Reply => json(status, { detail: message }, headers);

/** Platform API errors (reference §12). */
export function platformError(status: number, type: string, message: string): Reply {
  return json(status, { error: { type, message } });
}

export function parseJson(body: Buffer): { ok: true; value: unknown } | { ok: false; error: string } {
  if (body.length === 0) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

export function serialize(r: Reply): { headers: Record<string, string>; body: Buffer } {
  if (r.json !== undefined) return { headers: { 'content-type': 'application/json', ...r.headers }, body: Buffer.from(JSON.stringify(r.json)) };
  const body = typeof r.body === 'string' ? Buffer.from(r.body) : (r.body ?? Buffer.alloc(0));
  return { headers: { ...r.headers }, body };
}

export function send(res: ServerResponse, r: Reply): void {
  const { headers, body } = serialize(r);
  res.writeHead(r.status, { ...headers, 'content-length': String(body.length) });
  res.end(body);
}

/** The whole body or the one requested byte range (206/416), like a CDN. */
export function bytesReply(req: IncomingMessage, data: Buffer, contentType: string): Reply {
  const headers: Record<string, string> = { 'content-type': contentType, 'accept-ranges': 'bytes', 'cache-control': 'public, max-age=3600' };
  const m = typeof req.headers.range === 'string' ? /^bytes=(\d*)-(\d*)$/.exec(req.headers.range.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) return { status: 200, headers, body: data };
  const size = data.length;
  const start = m[1] === '' ? Math.max(0, size - Number(m[2])) : Number(m[1]);
  const end = m[1] === '' || m[2] === '' ? size - 1 : Math.min(size - 1, Number(m[2]));
  if (start >= size || start > end) return { status: 416, headers: { ...headers, 'content-range': `bytes */${size}` }, body: '' };
  return { status: 206, headers: { ...headers, 'content-range': `bytes ${start}-${end}/${size}` }, body: data.subarray(start, end + 1) };
}
