import fs from 'node:fs';
import { createHash } from 'node:crypto';
import type { FetchLike } from '../types.ts';
import { formatBytes } from '../../../shared/limits.ts';
import { mayReceiveKey, mayServeDownload, privateAddressBehind, replicateKeyTrust, type ProviderNetTrust, type ResolveHost } from '../net/trust.ts';

// One streamed download into a temp file. Memory stays flat whatever the size: bytes go from the
// response body through the hash straight to disk. The caller decides where
// the file ends up (rename after checks); on any failure the temp file is removed here.

/**
 * `permanent`, `refused` and `too-large` can only fail again the same way: the vault gives up on
 * them (until the user asks for a re-download). `transient` and `disk-full` are tried again later.
 */
export type DownloadFailure = 'expired' | 'transient' | 'permanent' | 'disk-full' | 'refused' | 'too-large';

/** What a full disk says, wherever it happens (download, rename, thumbnail): the user can act on it. */
export const DISK_FULL_MESSAGE = 'Disk full — free space, Kiln will retry';

export function isDiskFull(err: unknown): boolean {
  const e = err as { code?: string; errcode?: number; message?: string };
  if (e?.code === 'ENOSPC' || e?.code === 'EDQUOT') return true;
  // SQLite's own "database or disk is full" (SQLITE_FULL = 13) when the history write is what fails.
  return (typeof e?.errcode === 'number' && (e.errcode & 0xff) === 13) || /database or disk is full/i.test(String(e?.message ?? ''));
}

export class DownloadError extends Error {
  readonly failure: DownloadFailure;
  readonly status: number | null;
  constructor(failure: DownloadFailure, message: string, status: number | null = null) {
    super(message);
    this.name = 'DownloadError';
    this.failure = failure;
    this.status = status;
  }
}

/** Outputs come only from https:, or from a configured provider origin (the simulator in tests). The rule is net/trust.ts. */
export function isAllowedDownload(url: string, providerBases: string | readonly string[]): boolean {
  return mayServeDownload(url, typeof providerBases === 'string' ? [providerBases] : providerBases);
}

/**
 * Where Replicate's API token may be sent when an output URL demands authentication (401): the
 * configured origin, or Replicate's own API hosts (net/trust.ts). Never a file host (replicate.delivery
 * included) nor any other https: host an output names.
 */
export function mayCarryToken(url: string, providerBaseUrl: string): boolean {
  return mayReceiveKey(url, replicateKeyTrust(providerBaseUrl));
}

export interface DownloadResult {
  size: number;
  sha256: string;
  contentType: string | null;
}

/** Redirect hops followed before giving up (browsers allow 20; a CDN needs one or two). */
export const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export async function downloadToFile(opts: {
  fetch: FetchLike;
  url: string;
  dest: string;
  /** The run's provider's network trust: which origins may serve the file, where its key may go (net/trust.ts). */
  trust: Pick<ProviderNetTrust, 'bases' | 'key'> & { authorization?: ProviderNetTrust['authorization'] };
  /** Where a host name leads, checked before each hop is contacted (net/trust.ts privateAddressBehind); none: literals only. */
  resolveHost?: ResolveHost;
  signal?: AbortSignal;
  /** Test seam (disk-full faults): how the temp file is opened. */
  openFile?: (p: string) => Promise<fs.promises.FileHandle>;
  /**
   * A host that stops sending is given up on (then retried later) when this long passes without
   * MIN_PROGRESS_BYTES (or the rest of the file) arriving.
   */
  idleTimeoutMs?: number;
  /** The size cap for this kind of output, and how to name it in the refusal ("the 200 MB limit for images"). */
  maxBytes?: number;
  limitName?: string;
}): Promise<DownloadResult> {
  // A stalled host would otherwise hold one of the vault's few download slots forever, and so would
  // one that drips a byte now and then: only real progress (MIN_PROGRESS_BYTES) restarts the clock.
  const idleMs = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const watchdog = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, watchdog.signal]) : watchdog.signal;
  let idle: ReturnType<typeof setTimeout> | null = null;
  let progress = 0;
  const restart = () => {
    if (idle) clearTimeout(idle);
    progress = 0;
    idle = setTimeout(() => watchdog.abort(), idleMs);
    idle.unref?.();
  };
  const stillAlive = (bytes: number) => {
    progress += bytes;
    if (progress >= MIN_PROGRESS_BYTES) restart();
  };
  const why = (err: unknown) =>
    watchdog.signal.aborted
      ? `stalled: less than ${formatBytes(MIN_PROGRESS_BYTES)} in ${Math.round(idleMs / 1000)} s`
      : String((err as Error)?.message ?? err);
  try {
    restart();
    const res = await fetchChecked(opts, signal, why);
    return await streamToFile(opts, res, stillAlive, why);
  } finally {
    if (idle) clearTimeout(idle);
  }
}

const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
/** What counts as progress: 64 KB a minute is about 1 KB/s, far below any link that can finish a picture. */
const MIN_PROGRESS_BYTES = 64 * 1024;

/**
 * Fetches with redirect: 'manual' and judges every hop's Location by the same policy as the first
 * URL *before* contacting it: with redirect: 'follow' a hostile output host could make Kiln send a
 * request to a cloud metadata address or a local service, and we would only see it afterwards.
 */
async function fetchChecked(opts: Parameters<typeof downloadToFile>[0], signal: AbortSignal, why: (err: unknown) => string): Promise<Response> {
  let url = opts.url;
  for (let hop = 0; ; hop++) {
    if (!isAllowedDownload(url, opts.trust.bases)) {
      throw new DownloadError(
        'refused',
        hop === 0
          ? `refusing to download from ${safeOrigin(url)}: only https: or the provider's origin`
          : `redirected to a disallowed origin ${safeOrigin(url)}: not followed`,
      );
    }
    if (opts.resolveHost) {
      let inside: string | null;
      try {
        inside = await privateAddressBehind(url, opts.trust.bases, opts.resolveHost);
      } catch (err) {
        throw new DownloadError('transient', `could not resolve ${safeOrigin(url)}: ${why(err)}`);
      }
      if (inside) throw new DownloadError('refused', `refusing to download from ${safeOrigin(url)}: it resolves to a local or private address (${inside})`);
    }
    const get = async (headers: Record<string, string>) => {
      try {
        return await opts.fetch(url, { signal, redirect: 'manual', headers });
      } catch (err) {
        throw new DownloadError('transient', `network error: ${why(err)}`);
      }
    };
    let res = await get({});
    // Output files are normally public; if the host asks for the key, send it once — never
    // pre-emptively, and never to a host that may not receive this provider's key (judged per hop:
    // fal's key never goes to its media CDN, Replicate's never to a host outside Replicate).
    if (res.status === 401 && opts.trust.authorization && mayReceiveKey(url, opts.trust.key)) {
      const authorization = await opts.trust.authorization();
      if (authorization) {
        await res.body?.cancel().catch(() => {});
        res = await get({ authorization });
      }
    }
    if (!REDIRECT_STATUSES.has(res.status)) return checkStatus(res);
    await res.body?.cancel().catch(() => {});
    const location = res.headers.get('location');
    let next: string;
    try {
      next = new URL(location ?? '', url).href;
    } catch {
      next = '';
    }
    if (!location || !next) throw new DownloadError('transient', `HTTP ${res.status} redirect without a usable Location`, res.status);
    if (hop + 1 > MAX_REDIRECTS) throw new DownloadError('permanent', `too many redirects (more than ${MAX_REDIRECTS})`, res.status);
    url = next;
  }
}

async function checkStatus(res: Response): Promise<Response> {
  if (res.status === 404 || res.status === 410) {
    await res.body?.cancel().catch(() => {});
    throw new DownloadError('expired', `the provider no longer has this output (HTTP ${res.status})`, res.status);
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel().catch(() => {});
    const transient = res.status >= 500 || res.status === 429 || res.status === 408;
    throw new DownloadError(transient ? 'transient' : 'permanent', `HTTP ${res.status} downloading output`, res.status);
  }
  return res;
}

function tooLarge(opts: Parameters<typeof downloadToFile>[0], what: string): DownloadError {
  return new DownloadError(
    'too-large',
    `${what} is larger than ${opts.limitName ?? `the ${formatBytes(opts.maxBytes!)} download limit`} (raise it in Settings → Downloads)`,
  );
}

async function streamToFile(
  opts: Parameters<typeof downloadToFile>[0],
  res: Response,
  stillAlive: (bytes: number) => void,
  why: (err: unknown) => string,
): Promise<DownloadResult> {
  const body = res.body!;
  const declared = res.headers.get('content-length');
  const max = opts.maxBytes ?? Infinity;
  // The declared size is checked before a byte is written; the real count is checked while
  // streaming, since a server may omit or lie about Content-Length (an endless stream).
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > max) {
    await body.cancel().catch(() => {});
    throw tooLarge(opts, `the output (${formatBytes(Number(declared))})`);
  }
  const hash = createHash('sha256');
  let size = 0;
  // A read → hash → awaited write loop rather than a stream pipeline: exactly one chunk is in
  // flight at a time, which measured flatter (peak RSS) than Readable.fromWeb + pipeline on a
  // 500 MB file, where chunks piled up between undici and the file stream.
  let fh: fs.promises.FileHandle | null = null;
  try {
    fh = await (opts.openFile ?? ((p: string) => fs.promises.open(p, 'w', 0o600)))(opts.dest);
    const reader = body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      stillAlive(value.length);
      size += value.length;
      if (size > max) throw tooLarge(opts, 'the output');
      hash.update(value);
      let off = 0;
      while (off < value.length) off += (await fh.write(value, off, value.length - off)).bytesWritten;
    }
    await fh.close();
    fh = null;
  } catch (err) {
    await fh?.close().catch(() => {});
    await body.cancel().catch(() => {});
    await fs.promises.rm(opts.dest, { force: true });
    if (err instanceof DownloadError) throw err;
    if (isDiskFull(err)) throw new DownloadError('disk-full', DISK_FULL_MESSAGE);
    throw new DownloadError('transient', `download interrupted: ${why(err)}`);
  }
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) !== size) {
    await fs.promises.rm(opts.dest, { force: true });
    throw new DownloadError('transient', `size mismatch: Content-Length ${declared}, received ${size} bytes`);
  }
  return { size, sha256: hash.digest('hex'), contentType: res.headers.get('content-type') };
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin; // never the path/query: signed URLs carry tokens
  } catch {
    return '(invalid url)';
  }
}
