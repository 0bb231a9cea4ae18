// POST /files (multipart, parsed by the platform's Request.formData()), GET/DELETE /files/{id},
// GET /files and the download URL.
import type { Ctx, Reply } from '../http.ts';
import { json, notFound, paginate, problem } from '../http.ts';
import type { StoredFile } from '../state.ts';
import { DEFAULTS, newId } from '../state.ts';
import { iso } from '../lifecycle.ts';
import { createHash } from 'node:crypto';
import { bytesReply } from './delivery.ts';

export const maxFileBytes = (ctx: Ctx) => ctx.state.scenario.maxFileBytes ?? DEFAULTS.maxFileBytes;
export const tooLarge = () => problem(413, 'Request Entity Too Large', 'Files must be less than 100MB in size');

function fileObject(ctx: Ctx, f: StoredFile) {
  return {
    id: f.id,
    name: f.name,
    content_type: f.contentType,
    size: f.content.length,
    etag: createHash('md5').update(f.content).digest('hex'),
    checksums: { sha256: createHash('sha256').update(f.content).digest('hex'), md5: createHash('md5').update(f.content).digest('hex') },
    metadata: f.metadata,
    created_at: iso(f.createdAt),
    expires_at: iso(f.createdAt + 24 * 60 * 60 * 1000),
    urls: { get: `${ctx.baseUrl}/files/${f.id}` },
  };
}

export async function uploadFile(ctx: Ctx): Promise<Reply> {
  const type = String(ctx.req.headers['content-type'] ?? '');
  if (!type.startsWith('multipart/form-data')) return problem(400, 'Bad request', 'Expected a multipart/form-data body with a "content" part');
  let form: FormData;
  try {
    form = await new Request('http://sim.local/files', { method: 'POST', headers: { 'content-type': type }, body: new Uint8Array(ctx.body) }).formData();
  } catch (e) {
    return problem(400, 'Bad request', `Could not parse the multipart body: ${(e as Error).message}`);
  }
  const content = form.get('content');
  if (!content || typeof content === 'string') {
    return problem(422, 'Input validation failed', '- content: content is required\n', {
      invalid_fields: [{ type: 'required', field: 'content', description: 'content is required' }],
    });
  }
  if (content.size > maxFileBytes(ctx)) return tooLarge();
  let metadata: unknown = {};
  const rawMeta = form.get('metadata');
  if (typeof rawMeta === 'string' && rawMeta) {
    try {
      metadata = JSON.parse(rawMeta);
    } catch {
      return problem(400, 'Bad request', 'metadata must be JSON');
    }
  }
  const filename = form.get('filename');
  const ctype = form.get('type');
  const f: StoredFile = {
    id: newId(),
    name: typeof filename === 'string' && filename ? filename : content.name || 'file',
    contentType: typeof ctype === 'string' && ctype ? ctype : content.type || 'application/octet-stream',
    content: Buffer.from(await content.arrayBuffer()),
    metadata,
    createdAt: ctx.state.clock.now(),
  };
  ctx.state.files.set(f.id, f);
  return json(201, fileObject(ctx, f));
}

export function getFile(ctx: Ctx): Reply {
  const f = ctx.state.files.get(ctx.params[0]!);
  return f ? json(200, fileObject(ctx, f)) : notFound();
}

export function listFiles(ctx: Ctx): Reply {
  const all = [...ctx.state.files.values()].reverse();
  const page = paginate(ctx, all, ctx.state.scenario.pageSize ?? DEFAULTS.pageSize);
  return json(200, { ...page, results: page.results.map((f) => fileObject(ctx, f)) });
}

export function deleteFile(ctx: Ctx): Reply {
  return ctx.state.files.delete(ctx.params[0]!) ? { status: 204, body: '' } : notFound();
}

export function downloadFile(ctx: Ctx): Reply {
  const f = ctx.state.files.get(ctx.params[0]!);
  return f ? bytesReply(ctx, f.content, f.contentType) : notFound();
}
