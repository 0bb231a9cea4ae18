import fs from 'node:fs';
import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FetchLike } from '../types.ts';

// One streamed download into a temp file. Memory stays flat whatever the size: bytes go from the
// response body through a hashing/counting transform straight to disk. The caller decides where
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
  createWriteStream?: (p: string) => fs.WriteStream;
}): Promise<DownloadResult> {
  if (!isAllowedDownload(opts.url, opts.providerBaseUrl)) throw new DownloadError('refused', `refusing to download from ${safeOrigin(opts.url)}: only https: or the provider's origin`);
  let res: Response;
  try {
    res = await opts.fetch(opts.url, { signal: opts.signal, redirect: 'follow' });
  } catch (err) {
    throw new DownloadError('transient', `network error: ${String((err as Error)?.message ?? err)}`);
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
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      size += chunk.length;
      cb(null, chunk);
    },
  });
  const out = (opts.createWriteStream ?? ((p: string) => fs.createWriteStream(p, { flags: 'w' })))(opts.dest);
  try {
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), meter, out, { signal: opts.signal });
  } catch (err) {
    await fs.promises.rm(opts.dest, { force: true });
    const code = (err as NodeJS.ErrnoException)?.code;
    if (code === 'ENOSPC' || code === 'EDQUOT') throw new DownloadError('disk-full', 'disk full while saving the output: free some space; Kiln will try again');
    throw new DownloadError('transient', `download interrupted: ${String((err as Error)?.message ?? err)}`);
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
