import { timingSafeEqual } from 'node:crypto';

// Browser mode's security decisions, each one pure and unit-tested (test/unit/web-server.test.ts).
// The threat: any web page the user visits can reach 127.0.0.1, so the server must not trust the
// network position alone. A secret token (or a key derived from it, shared/capability.ts) gates every
// request, and the Origin check stops other sites' pages from opening our WebSocket (WebSockets are
// not covered by CORS). No cookie carries anything: cookies are shared by every port of 127.0.0.1.

/** 0.0.0.0 / :: — listening on every interface, so any of the machine's names is legitimate. */
export function isWildcardHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === '0.0.0.0' || h === '::';
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** Binding beyond loopback exposes the backend (and the key's use) to the network: only on explicit request. */
export function checkBindHost(host: string, explicit: boolean): { ok: true; warning: string | null } | { ok: false; reason: string } {
  if (isLoopbackHost(host)) return { ok: true, warning: null };
  if (!explicit) return { ok: false, reason: `Refusing to listen on non-loopback address ${host}; pass --host ${host} explicitly to allow it.` };
  return { ok: true, warning: `Kiln web is listening on ${host}, reachable from other machines: anyone with the URL (and its token) can use your API key.` };
}

export function tokensEqual(given: string | null | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Origins our own page can have: the address it was served from. A missing Origin is refused. */
export function isAllowedOrigin(origin: string | undefined, host: string, port: number): boolean {
  if (!origin) return false;
  let u: URL;
  try {
    u = new URL(origin);
  } catch {
    return false;
  }
  if (u.protocol !== 'http:' || Number(u.port || 80) !== port) return false;
  const h = u.hostname.replace(/^\[|\]$/g, '');
  // With a wildcard bind the page's origin is whatever name the user typed; the token still gates it.
  return isLoopbackHost(h) || h === host.replace(/^\[|\]$/g, '') || isWildcardHost(host);
}

/**
 * DNS-rebinding guard: a page on evil.example that rebinds its name to 127.0.0.1 still sends
 * `Host: evil.example`. Only our own names for this server are accepted.
 */
export function isAllowedHostHeader(hostHeader: string | undefined, host: string, port: number): boolean {
  if (!hostHeader) return false;
  let u: URL;
  try {
    u = new URL(`http://${hostHeader}`);
  } catch {
    return false;
  }
  // `127.0.0.1:4000/x` or `user@127.0.0.1:4000` is not a host name, whatever URL makes of it.
  if (u.username || u.password || u.pathname !== '/' || u.search || u.hash) return false;
  if (Number(u.port || 80) !== port) return false;
  const h = u.hostname.replace(/^\[|\]$/g, '');
  return isLoopbackHost(h) || h === host.replace(/^\[|\]$/g, '') || isWildcardHost(host);
}

// The CSP itself lives in shared/csp.ts: Electron's main uses it too, and hosts do not import each other.
export { contentSecurityPolicy } from '../../shared/csp.ts';

/** Removes the page's <meta http-equiv="Content-Security-Policy">, so the server's header is the policy. */
export function withoutMetaCsp(html: string): string {
  return html.replace(/<meta\s+[^>]*http-equiv=["']Content-Security-Policy["'][^>]*>/gi, '');
}

/**
 * Points the page's relative asset references (`src="./assets/…"`, Vite's base './') at the
 * capability prefix, so the page's scripts and styles load without the token in their URLs. Module
 * imports, CSS url()s and `new URL(…, import.meta.url)` resolve relative to those, so they follow.
 */
export function withAssetPrefix(html: string, prefix: string): string {
  return html.replace(/(\s(?:src|href)=["'])\.\//gi, `$1${prefix}`);
}
