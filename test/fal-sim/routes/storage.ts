// Storage (reference §9): initiate on the rest.fal.ai stand-in (key required) → a presigned-style
// upload URL on the CDN stand-in (no key; the `sig` query must be kept) → the file is served at its
// `file_url`. Multipart: numbered part PUTs answering {partNumber, etag}, then /complete.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { Ctx, Reply } from '../http.ts';
import { bytesReply, detail, json, parseJson } from '../http.ts';
import { DEFAULTS } from '../state.ts';
import type { PendingUpload } from '../state.ts';
import { cdnPath, renderFile } from '../outputs.ts';
import { resultShape, statusAt } from '../lifecycle.ts';

const SECRET = randomBytes(16);
const sig = (token: string) => createHmac('sha256', SECRET).update(token).digest('base64url').slice(0, 22);

const EXT: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpeg', 'image/webp': 'webp', 'video/mp4': 'mp4', 'audio/mpeg': 'mp3' };

export function initiate(ctx: Ctx, multipart: boolean): Reply {
  const { state } = ctx;
  if (state.scenario.account === 'locked') return detail(403, 'User is locked. Reason: Exhausted balance. Top up your balance at fal.ai/dashboard/billing.');
  const parsed = parseJson(ctx.body);
  const body = parsed.ok ? (parsed.value as { content_type?: unknown; file_name?: unknown } | undefined) : undefined;
  if (!body || typeof body.content_type !== 'string' || typeof body.file_name !== 'string') {
    return detail(422, [{ loc: ['body', 'content_type'], msg: 'Field required', type: 'missing' }]);
  }
  let lifetimeMs: number | null = state.scenario.mediaRetentionMs ?? DEFAULTS.mediaRetentionMs;
  const raw = ctx.req.headers['x-fal-object-lifecycle'];
  if (typeof raw === 'string') {
    const pref = parseJson(Buffer.from(raw));
    const secs =
      pref.ok && pref.value && typeof pref.value === 'object'
        ? (pref.value as { expiration_duration_seconds?: unknown }).expiration_duration_seconds
        : undefined;
    if (secs === null) lifetimeMs = null;
    else if (typeof secs === 'number' && secs >= 0) lifetimeMs = secs * 1000;
    else return detail(400, 'Invalid X-Fal-Object-Lifecycle: expected {"expiration_duration_seconds": seconds or null}');
  }
  const token = randomBytes(12).toString('base64url');
  const fromName = /\.([a-z0-9]{1,8})$/i.exec(body.file_name)?.[1]?.toLowerCase();
  const filePath = cdnPath(`upload/${token}`, fromName ?? EXT[body.content_type] ?? 'bin');
  const up: PendingUpload = { filePath, contentType: body.content_type, multipart, parts: new Map(), lifetimeMs, key: ctx.key };
  state.uploads.set(token, up);
  return json(200, { upload_url: `${ctx.urls.origin}/cdn-upload/${token}?sig=${sig(token)}`, file_url: `${ctx.urls.cdnUrl}/${filePath}` });
}

function pending(ctx: Ctx): PendingUpload | Reply {
  const token = ctx.params[0]!;
  const up = ctx.state.uploads.get(token);
  if (!up) return detail(404, 'Upload not found or already completed');
  if (ctx.url.searchParams.get('sig') !== sig(token)) return detail(403, "Signature does not match: keep the upload URL's query string");
  return up;
}

function store(ctx: Ctx, up: PendingUpload, bytes: Buffer, contentType: string): void {
  const now = ctx.state.clock.now();
  ctx.state.media.set(up.filePath, { contentType, bytes, expiresAt: up.lifetimeMs === null ? null : now + up.lifetimeMs });
  ctx.state.uploads.delete(ctx.params[0]!);
}

export function putUpload(ctx: Ctx): Reply {
  const up = pending(ctx);
  if ('status' in up) return up;
  if (up.multipart) return detail(400, 'This is a multipart upload: PUT the parts to <upload_url path>/<n>');
  const max = ctx.state.scenario.maxUploadBytes ?? DEFAULTS.maxUploadBytes;
  if (ctx.body.length > max) return detail(413, `File too large for a single upload (${ctx.body.length} > ${max} bytes): use a multipart upload`);
  const type = typeof ctx.req.headers['content-type'] === 'string' ? ctx.req.headers['content-type'] : up.contentType;
  store(ctx, up, ctx.body, type);
  return { status: 200, body: '' };
}

export function putPart(ctx: Ctx): Reply {
  const up = pending(ctx);
  if ('status' in up) return up;
  const n = Number(ctx.params[1]);
  if (!up.multipart || !Number.isInteger(n) || n < 1 || n > 10_000) return detail(400, 'Invalid part number');
  const etag = `"${createHash('md5').update(ctx.body).digest('hex')}"`;
  up.parts.set(n, { etag, bytes: ctx.body });
  return json(200, { partNumber: n, etag });
}

export function completeMultipart(ctx: Ctx): Reply {
  const up = pending(ctx);
  if ('status' in up) return up;
  const parsed = parseJson(ctx.body);
  const parts = parsed.ok ? (parsed.value as { parts?: { partNumber?: unknown; etag?: unknown }[] } | undefined)?.parts : undefined;
  if (!up.multipart || !Array.isArray(parts) || parts.length === 0) return detail(400, 'Expected {"parts": [{"partNumber", "etag"}, …]}');
  const chunks: Buffer[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    const have = up.parts.get(i + 1);
    if (p.partNumber !== i + 1 || !have || p.etag !== have.etag) return detail(400, `Part ${i + 1} is missing or its etag does not match`);
    chunks.push(have.bytes);
  }
  store(ctx, up, Buffer.concat(chunks), up.contentType);
  return json(200, { ok: true });
}

/** GET|HEAD the CDN: uploads and finished jobs' outputs, no auth, gone after their lifetime. */
export async function cdn(ctx: Ctx): Promise<Reply> {
  const { state } = ctx;
  const path = ctx.params[0]!;
  const now = state.clock.now();
  const m = state.media.get(path);
  if (m?.bytes) {
    if (m.expiresAt !== null && now >= m.expiresAt) return detail(404, 'File not found');
    return bytesReply(ctx.req, m.bytes, m.contentType);
  }
  if (!m?.job || m.fileIndex === undefined) return detail(404, 'File not found');
  const j = m.job;
  const slot = state.slot(j);
  if (statusAt(slot, now) !== 'COMPLETED' || !resultShape(j, slot).success) return detail(404, 'File not found');
  const life = j.mediaLifetimeMs === undefined ? (state.scenario.mediaRetentionMs ?? DEFAULTS.mediaRetentionMs) : j.mediaLifetimeMs;
  if (life !== null && now >= slot.endAt + life) return detail(404, 'File not found');
  const key = `${j.id}/${m.fileIndex}`;
  let bytes = state.renderCache.get(key);
  if (!bytes) {
    bytes = renderFile(j, m.fileIndex);
    state.renderCache.set(key, bytes);
  }
  return bytesReply(ctx.req, await bytes, j.files[m.fileIndex]!.contentType);
}
