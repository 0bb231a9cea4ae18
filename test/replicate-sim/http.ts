// Small HTTP vocabulary shared by the routes: a reply value (so faults can mangle it before it is
// written) and Replicate's problem-details error bodies.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimState } from './state.ts';

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  json?: unknown;
  body?: Buffer | string;
}

export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  state: SimState;
  params: string[];
  body: Buffer;
  token: string;
  baseUrl: string;
  origin: string;
  basePath: string;
}

export function json(status: number, value: unknown, headers?: Record<string, string>): Reply {
  return { status, json: value, headers };
}

export function problem(status: number, title: string, detail: string, extra?: Record<string, unknown>): Reply {
  return { status, headers: { 'content-type': 'application/problem+json' }, json: { title, detail, status, ...extra } };
}

export const notFound = () => problem(404, 'Not found', 'The requested resource could not be found.');

export function parseJsonBody(ctx: Ctx): { ok: true; value: any } | { ok: false; reply: Reply } {
  if (ctx.body.length === 0) return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(ctx.body.toString('utf8')) };
  } catch (e) {
    return { ok: false, reply: problem(400, 'Invalid JSON', `The request body is not valid JSON: ${(e as Error).message}`) };
  }
}

export function serialize(r: Reply): { headers: Record<string, string>; body: Buffer } {
  if (r.json !== undefined) {
    return {
      headers: { 'content-type': 'application/json', ...r.headers },
      body: Buffer.from(JSON.stringify(r.json)),
    };
  }
  const body = typeof r.body === 'string' ? Buffer.from(r.body) : (r.body ?? Buffer.alloc(0));
  return { headers: { ...r.headers }, body };
}

export function send(res: ServerResponse, r: Reply): void {
  const { headers, body } = serialize(r);
  res.writeHead(r.status, { ...headers, 'content-length': String(body.length) });
  res.end(body);
}

/** Page through a list with opaque `cursor` offsets; `next`/`previous` are full URLs like Replicate's. */
export function paginate<T>(ctx: Ctx, items: T[], pageSize: number): { next: string | null; previous: string | null; results: T[] } {
  const raw = ctx.url.searchParams.get('cursor');
  const offset = raw ? Math.max(0, Number(Buffer.from(raw, 'base64url').toString()) || 0) : 0;
  const link = (o: number) => {
    const u = new URL(ctx.url.pathname + ctx.url.search, ctx.origin);
    u.searchParams.set('cursor', Buffer.from(String(o)).toString('base64url'));
    return u.toString();
  };
  return {
    next: offset + pageSize < items.length ? link(offset + pageSize) : null,
    previous: offset > 0 ? link(Math.max(0, offset - pageSize)) : null,
    results: items.slice(offset, offset + pageSize),
  };
}
