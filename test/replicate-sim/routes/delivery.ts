// The "replicate.delivery" stand-in: output files and cover images, with Content-Type,
// Content-Length and single-range `Range` support. Files vanish after the retention period.
import type { Ctx, Reply } from '../http.ts';
import { notFound, problem } from '../http.ts';
import type { OutputFile, SimPrediction } from '../lifecycle.ts';
import { isRemoved, phaseAt } from '../lifecycle.ts';
import type { ImageFormat } from '../outputs.ts';
import { imageSize, renderImage, videoFixture } from '../outputs.ts';
import type { SimState } from '../state.ts';

function produce(p: SimPrediction, f: OutputFile): Promise<Buffer> {
  const input = p.effectiveInput;
  if (f.format === 'mp4') return Promise.resolve(videoFixture());
  if (p.model.kind === 'upscale') {
    const scale = Math.max(1, Math.min(8, Number(input.scale ?? 4)));
    const side = Math.round(128 * scale);
    return renderImage(`${String(input.image)}|upscale`, { width: side, height: side }, 'png');
  }
  const index = p.files.indexOf(f);
  const quality = typeof input.output_quality === 'number' ? input.output_quality : 80;
  return renderImage(`${String(input.prompt ?? '')}|${p.seed}|${index}`, imageSize(input), f.format as ImageFormat, quality);
}

function fileBytes(state: SimState, key: string, make: () => Promise<Buffer>): Promise<Buffer> {
  let b = state.fileCache.get(key);
  if (!b) {
    b = make();
    state.fileCache.set(key, b);
  }
  return b;
}

/** Answer with the whole body or the requested byte range. */
export function bytesReply(ctx: Ctx, data: Buffer, contentType: string): Reply {
  const headers: Record<string, string> = { 'content-type': contentType, 'accept-ranges': 'bytes', 'cache-control': 'public, max-age=3600' };
  const range = ctx.req.headers.range;
  const m = typeof range === 'string' ? /^bytes=(\d*)-(\d*)$/.exec(range.trim()) : null;
  if (m && (m[1] !== '' || m[2] !== '')) {
    const size = data.length;
    let start: number, end: number;
    if (m[1] === '') {
      start = Math.max(0, size - Number(m[2]));
      end = size - 1;
    } else {
      start = Number(m[1]);
      end = m[2] === '' ? size - 1 : Math.min(size - 1, Number(m[2]));
    }
    if (start >= size || start > end) {
      return { status: 416, headers: { ...headers, 'content-range': `bytes */${size}` }, body: '' };
    }
    const slice = data.subarray(start, end + 1);
    return { status: 206, headers: { ...headers, 'content-range': `bytes ${start}-${end}/${size}` }, body: slice };
  }
  // Node drops the body of HEAD responses itself but keeps Content-Length.
  return { status: 200, headers, body: data };
}

export async function delivery(ctx: Ctx): Promise<Reply> {
  const [hash, name] = ctx.params;
  const p = ctx.state.byDeliveryHash.get(hash!);
  const f = p?.files.find((x) => x.name === name);
  if (!p || !f) return notFound();
  const now = ctx.state.clock.now();
  const ph = phaseAt(p, now);
  const visible = ph.status === 'succeeded' || (ph.status === 'processing' && p.earlyOutput && ph.progress >= 0.5);
  if (!visible) return notFound();
  if (isRemoved(p, ph, now, ctx.state.retentionMs)) {
    const status = ctx.state.scenario.expiredDeliveryStatus ?? 404;
    return status === 404 ? notFound() : problem(status, status === 410 ? 'Gone' : 'Forbidden', 'This file has expired.');
  }
  const data = await fileBytes(ctx.state, `${hash}/${name}`, () => produce(p, f));
  return bytesReply(ctx, data, f.contentType);
}

export async function cover(ctx: Ctx): Promise<Reply> {
  const [owner, name] = ctx.params;
  const data = await fileBytes(ctx.state, `cover/${owner}/${name}`, () => renderImage(`cover:${owner}/${name}`, { width: 256, height: 256 }, 'webp'));
  return bytesReply(ctx, data, 'image/webp');
}
