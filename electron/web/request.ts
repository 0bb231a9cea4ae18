import type { IncomingHttpHeaders } from 'node:http';

// The one place browser mode reads what a request says (ARCHITECTURE.md, "Security": every parse of a request is
// guarded). Everything a client controls — the target, the headers — is read here into plain,
// bounded values, and nothing here throws: a request that cannot be read is answered 400 by the
// caller, it never reaches a code path that could end the process. Cookies are not read at all:
// Kiln sets none and trusts none (other local apps share 127.0.0.1's cookie jar).

export interface RequestFacts {
  /** Decoded-free path of an origin-form target (`/ws`, `/assets/x.js`), at most MAX_TARGET chars. */
  pathname: string;
  query: URLSearchParams;
  /** The token as given in `?token=` or `X-Kiln-Token` (scripts and the page's first load), else null. */
  token: string | null;
  host: string | undefined;
  origin: string | undefined;
  range: string | undefined;
}

/** Longer targets are not anything Kiln's page produces (media paths are bounded far below this). */
export const MAX_TARGET = 8 * 1024;

/** One header as a single string: missing, repeated (array) or oversized headers count as absent. */
export function headerValue(headers: IncomingHttpHeaders, name: string, max = 4096): string | undefined {
  const v = headers[name];
  return typeof v === 'string' && v.length <= max ? v : undefined;
}

/**
 * Reads a request's target and headers, or null when the target is not an origin-form path we can
 * parse (an absolute-form `GET http://[/ws`, `*`, an over-long or non-ASCII target).
 */
export function readRequest(rawTarget: string | undefined, headers: IncomingHttpHeaders): RequestFacts | null {
  if (typeof rawTarget !== 'string' || !rawTarget.startsWith('/') || rawTarget.startsWith('//') || rawTarget.length > MAX_TARGET) return null;
  let url: URL;
  try {
    // A fixed base: the target alone decides the path, never the Host header.
    url = new URL(rawTarget, 'http://kiln.invalid');
  } catch {
    return null;
  }
  if (url.host !== 'kiln.invalid') return null;
  const token = url.searchParams.get('token') || (headerValue(headers, 'x-kiln-token', 512) ?? null);
  return {
    pathname: url.pathname,
    query: url.searchParams,
    token,
    host: headerValue(headers, 'host', 1024),
    origin: headerValue(headers, 'origin', 1024),
    range: headerValue(headers, 'range', 256),
  };
}

/** `decodeURIComponent` that answers null instead of throwing on a stray `%`. */
export function safeDecode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}
