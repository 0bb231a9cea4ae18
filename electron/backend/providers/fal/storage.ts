import { formatBytes } from '../../../../shared/limits.ts';
import { ProviderError, malformedError, networkError } from './errors.ts';
import { initiateSchema, partSchema } from './schemas.ts';
import { readCapped, type FalTransport } from './transport.ts';
import { mayReceiveUpload, privateAddressBehind, type ResolveHost } from '../../net/trust.ts';
import { uploadTimeoutMs } from '../bounds.ts';

// fal storage upload (reference §9), for local input files: initiate on rest.fal.ai (with the key)
// → PUT the bytes to the returned upload URL (a presigned CDN URL: never the key) → pass the
// `file_url` as the model input. Above the multipart threshold: numbered 10 MiB parts, each
// answering {partNumber, etag}, then `/complete`. A part is tried three times before giving up, so
// one dropped connection does not restart a 500 MB upload.

export interface UploadOptions {
  contentType: string;
  fileName: string;
  /** Lifetime of the uploaded file in seconds (null = keep): `X-Fal-Object-Lifecycle`. */
  expirationSeconds?: number | null;
  signal?: AbortSignal;
}

export const MULTIPART_THRESHOLD = 90 * 1024 * 1024;
export const PART_BYTES = 10 * 1024 * 1024;
const PART_TRIES = 3;

export function createStorageApi(t: FalTransport, cfg: { multipartThreshold?: number; partBytes?: number; resolveHost?: ResolveHost } = {}) {
  const threshold = cfg.multipartThreshold ?? MULTIPART_THRESHOLD;
  const partBytes = cfg.partBytes ?? PART_BYTES;

  /**
   * Upload URLs come from fal: https (not a private address, nor a name that resolves to one), or a
   * configured base's origin (tests). The rule is net/trust.ts. Multipart parts and `/complete` go
   * to the same origin, so one check covers them.
   */
  async function checkUploadUrl(raw: string): Promise<URL> {
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      throw malformedError(false, 'upload URL is not a URL');
    }
    const bases = [t.bases.storageUrl, t.bases.queueUrl, t.bases.apiUrl];
    if (!mayReceiveUpload(u.href, bases))
      throw new ProviderError({ code: 'bad_request', message: 'fal offered an upload URL that is not https: (or names a private address): refused.' });
    if (cfg.resolveHost) {
      let inside: string | null;
      try {
        inside = await privateAddressBehind(u.href, bases, cfg.resolveHost);
      } catch (err) {
        throw networkError(err, false);
      }
      if (inside)
        throw new ProviderError({ code: 'bad_request', message: `fal offered an upload URL whose host resolves to a private address (${inside}): refused.` });
    }
    return u;
  }

  async function initiate(path: string, o: UploadOptions): Promise<{ uploadUrl: URL; fileUrl: string }> {
    const headers: Record<string, string> = {};
    if (o.expirationSeconds !== undefined) headers['X-Fal-Object-Lifecycle'] = JSON.stringify({ expiration_duration_seconds: o.expirationSeconds });
    const r = await t.call('POST', `${t.bases.storageUrl}/storage/upload/${path}?storage_type=fal-cdn-v3`, {
      json: { content_type: o.contentType, file_name: o.fileName },
      headers,
      signal: o.signal,
    });
    if (!r.ok) throw t.failure(r);
    const parsed = initiateSchema.safeParse(r.json);
    if (!parsed.success) throw malformedError(false, 'upload initiate without upload_url/file_url');
    return { uploadUrl: await checkUploadUrl(parsed.data.upload_url), fileUrl: parsed.data.file_url };
  }

  /** PUT without the key (the URL carries its own signature); returns the response text. */
  async function put(url: string, bytes: Uint8Array, contentType: string | null, signal?: AbortSignal): Promise<string> {
    const gate = t.gate();
    if (gate) await gate.acquire('other', signal);
    t.counters.total++;
    t.counters.other++;
    let res: Response;
    let text: string;
    try {
      res = await t.fetchRaw(url, {
        method: 'PUT',
        headers: contentType ? { 'Content-Type': contentType } : {},
        body: bytes as Uint8Array<ArrayBuffer>,
        signal: AbortSignal.any([AbortSignal.timeout(uploadTimeoutMs(bytes.byteLength)), ...(signal ? [signal] : [])]),
      });
      text = t.scrub(await readCapped(res, 64 * 1024));
    } catch (err) {
      throw err instanceof ProviderError ? err : networkError(err, false);
    }
    if (!res.ok) {
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      throw t.failure({ status: res.status, ok: false, headers: res.headers, text, json: body, requestId: null });
    }
    return text;
  }

  async function multipart(bytes: Uint8Array, o: UploadOptions): Promise<string> {
    const { uploadUrl, fileUrl } = await initiate('initiate-multipart', o);
    const base = `${uploadUrl.origin}${uploadUrl.pathname}`;
    const parts: { partNumber: number; etag: string }[] = [];
    for (let n = 1, off = 0; off < bytes.length; n++, off += partBytes) {
      const chunk = bytes.subarray(off, Math.min(bytes.length, off + partBytes));
      let lastErr: unknown;
      for (let attempt = 0; attempt < PART_TRIES; attempt++) {
        try {
          const text = await put(`${base}/${n}${uploadUrl.search}`, chunk, null, o.signal);
          const parsed = partSchema.safeParse(JSON.parse(text));
          if (!parsed.success || parsed.data.partNumber !== n) throw malformedError(false, `part ${n} answer without its etag`);
          parts.push({ partNumber: n, etag: parsed.data.etag });
          lastErr = null;
          break;
        } catch (err) {
          lastErr = err;
          if (o.signal?.aborted || (err instanceof ProviderError && !err.transient)) break;
        }
      }
      if (lastErr)
        throw lastErr instanceof ProviderError
          ? lastErr
          : new ProviderError({
              code: 'network',
              transient: true,
              message: `Uploading part ${n} to fal failed ${PART_TRIES} times (${(lastErr as Error).message}).`,
            });
    }
    const gate = t.gate();
    if (gate) await gate.acquire('other', o.signal);
    t.counters.total++;
    t.counters.other++;
    let res: Response;
    let text: string;
    try {
      res = await t.fetchRaw(`${base}/complete${uploadUrl.search}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ parts }),
        // Assembling the parts is the server's work, not the link's: a minute, as for any answer.
        signal: AbortSignal.any([AbortSignal.timeout(60_000), ...(o.signal ? [o.signal] : [])]),
      });
      text = t.scrub(await readCapped(res, 64 * 1024));
    } catch (err) {
      throw err instanceof ProviderError ? err : networkError(err, false);
    }
    if (!res.ok) {
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      throw t.failure({ status: res.status, ok: false, headers: res.headers, text, json: body, requestId: null });
    }
    return fileUrl;
  }

  return {
    multipartThreshold: threshold,
    /** Uploads a local input file; resolves with the public `file_url` to put in the model input. */
    async upload(bytes: Uint8Array, o: UploadOptions): Promise<string> {
      if (bytes.length === 0) throw new ProviderError({ code: 'bad_request', message: `"${o.fileName}" is empty: nothing to upload.` });
      if (bytes.length > threshold) return multipart(bytes, o);
      const { uploadUrl, fileUrl } = await initiate('initiate', o);
      try {
        await put(uploadUrl.toString(), bytes, o.contentType || 'application/octet-stream', o.signal);
      } catch (err) {
        if (err instanceof ProviderError && err.status === 413) {
          throw new ProviderError({ code: 'too_large', status: 413, message: `fal refused "${o.fileName}" (${formatBytes(bytes.length)}) as one upload.` });
        }
        throw err;
      }
      return fileUrl;
    },
  };
}
