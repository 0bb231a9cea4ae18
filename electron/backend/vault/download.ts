import fs from 'node:fs';
import { createHash } from 'node:crypto';
import type { FetchLike } from '../types.ts';

// One streamed download into a temp file. Memory stays flat whatever the size: bytes go from the
// response body through the hash straight to disk. The caller decides where
// the file ends up (rename after checks); on any failure the temp file is removed here.

export type DownloadFailure = 'expired' | 'transient' | 'permanent' | 'disk-full' | 'refused';

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

/** Outputs come only from https:, or from the configured provider origin (the simulator in tests). */
export function isAllowedDownload(url: string, providerBaseUrl: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol === 'https:') return true;
  try {
    return u.origin === new URL(providerBaseUrl).origin;
  } catch {
    return false;
  }
}

/**
 * Where the API token may be sent when an output URL demands authentication (401): the provider's
 * own origin, or Replicate's file host. Never any other https: host an output happens to name.
 */
export function mayCarryToken(url: string, providerBaseUrl: string): boolean {
  try {
    const u = new URL(url);
    if (u.origin === new URL(providerBaseUrl).origin) return true;
    return u.protocol === 'https:' && (u.hostname === 'replicate.delivery' || u.hostname.endsWith('.replicate.delivery'));
  } catch {
    return false;
  }
}

export interface DownloadResult {
  size: number;
  sha256: string;
  contentType: string | null;
}

export async function downloadToFile(opts: {
  fetch: FetchLike;
  url: string;
  dest: string;
  providerBaseUrl: string;
  signal?: AbortSignal;
  /** The provider token, used only on a 401 from a URL that may carry it (mayCarryToken). */
  getToken?: () => Promise<string | null>;
  /** Test seam (disk-full faults): how the temp file is opened. */
  openFile?: (p: string) => Promise<fs.promises.FileHandle>;
  /** A host that stops sending is given up on after this long without a byte (then retried later). */
  idleTimeoutMs?: number;
}): Promise<DownloadResult> {
  if (!isAllowedDownload(opts.url, opts.providerBaseUrl)) throw new DownloadError('refused', `refusing to download from ${safeOrigin(opts.url)}: only https: or the provider's origin`);
  // A stalled host would otherwise hold one of the vault's few download slots forever.
  const idleMs = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const watchdog = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, watchdog.signal]) : watchdog.signal;
  let idle: ReturnType<typeof setTimeout> | null = null;
  const stillAlive = () => {
    if (idle) clearTimeout(idle);
    idle = setTimeout(() => watchdog.abort(), idleMs);
    idle.unref?.();
  };
  const why = (err: unknown) => (watchdog.signal.aborted ? `stalled: no data for ${Math.round(idleMs / 1000)} s` : String((err as Error)?.message ?? err));
  try {
    stillAlive();
    return await fetchToFile(opts, signal, stillAlive, why);
  } finally {
    if (idle) clearTimeout(idle);
  }
}

const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

async function fetchToFile(
  opts: Parameters<typeof downloadToFile>[0],
  signal: AbortSignal,
  stillAlive: () => void,
  why: (err: unknown) => string,
): Promise<DownloadResult> {
  const get = async (headers: Record<string, string>) => {
    try {
      return await opts.fetch(opts.url, { signal, redirect: 'follow', headers });
    } catch (err) {
      throw new DownloadError('transient', `network error: ${why(err)}`);
    }
  };
  let res = await get({});
  // Output files are normally public; if the host asks for the token, send it once — never
  // pre-emptively, and never to a host that is not the provider's.
  if (res.status === 401 && opts.getToken && mayCarryToken(opts.url, opts.providerBaseUrl)) {
    const token = await opts.getToken();
    if (token) {
      await res.body?.cancel().catch(() => {});
      res = await get({ authorization: `Bearer ${token}` });
    }
  }
  if (res.url && res.url !== opts.url && !isAllowedDownload(res.url, opts.providerBaseUrl)) {
    await res.body?.cancel().catch(() => {});
    throw new DownloadError('refused', `redirected to a disallowed origin ${safeOrigin(res.url)}`);
  }
  if (res.status === 404 || res.status === 410) {
    await res.body?.cancel().catch(() => {});
    throw new DownloadError('expired', `the provider no longer has this output (HTTP ${res.status})`, res.status);
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel().catch(() => {});
    const transient = res.status >= 500 || res.status === 429 || res.status === 408;
    throw new DownloadError(transient ? 'transient' : 'permanent', `HTTP ${res.status} downloading output`, res.status);
  }
  const declared = res.headers.get('content-length');
  const hash = createHash('sha256');
  let size = 0;
  // A read → hash → awaited write loop rather than a stream pipeline: exactly one chunk is in
  // flight at a time, which measured flatter (peak RSS) than Readable.fromWeb + pipeline on a
  // 500 MB file, where chunks piled up between undici and the file stream.
  let fh: fs.promises.FileHandle | null = null;
  try {
    fh = await (opts.openFile ?? ((p: string) => fs.promises.open(p, 'w')))(opts.dest);
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      stillAlive();
      hash.update(value);
      size += value.length;
      let off = 0;
      while (off < value.length) off += (await fh.write(value, off, value.length - off)).bytesWritten;
    }
    await fh.close();
    fh = null;
  } catch (err) {
    await fh?.close().catch(() => {});
    await res.body.cancel().catch(() => {});
    await fs.promises.rm(opts.dest, { force: true });
    const code = (err as NodeJS.ErrnoException)?.code;
    if (code === 'ENOSPC' || code === 'EDQUOT') throw new DownloadError('disk-full', 'disk full while saving the output: free some space; Kiln will try again');
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
