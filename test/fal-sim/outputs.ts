// A finished job's output JSON (reference §8) and the bytes behind its CDN URLs. Images and the
// video come from the Replicate simulator's generators: deterministic from prompt + seed, real
// JPEG/PNG/MP4 bytes, long side capped small so tests stay fast.
import { createHash } from 'node:crypto';
import { imageSize, renderImage, rng, videoFixture } from '../replicate-sim/outputs.ts';
import type { CatalogueEndpoint } from './catalogue.ts';
import { IMAGE_SIZES } from './catalogue.ts';
import type { OutputFile, SimJob } from './lifecycle.ts';

const WORDS = ['penguin', 'rabbit', 'koala', 'lion', 'zebra', 'tiger', 'monkey', 'elephant', 'panda', 'kangaroo'];

/** CDN path of a file: `files/<word>/<id>.<ext>` like v3.fal.media. */
export function cdnPath(seedText: string, ext: string): string {
  const h = createHash('sha256').update(seedText).digest();
  return `files/${WORDS[h[0]! % WORDS.length]}/${h.subarray(1, 12).toString('base64url')}.${ext}`;
}

export function seedFor(input: Record<string, unknown>, id: string): number {
  return Number.isInteger(input.seed) ? Number(input.seed) : Math.floor(rng(id)() * 2 ** 31);
}

function requestedSize(input: Record<string, unknown>): { width: number; height: number } {
  const s = input.image_size;
  if (typeof s === 'string' && IMAGE_SIZES[s]) return { width: IMAGE_SIZES[s][0], height: IMAGE_SIZES[s][1] };
  if (s && typeof s === 'object') {
    const { width, height } = s as { width?: number; height?: number };
    if (Number(width) > 0 && Number(height) > 0) return { width: Number(width), height: Number(height) };
  }
  return { width: 1024, height: 768 };
}

/** The files a job will produce, decided at submit (paths are stable, bytes are rendered on demand). */
export function planFiles(e: CatalogueEndpoint, input: Record<string, unknown>, id: string, sourceSize?: { width: number; height: number }): OutputFile[] {
  if (e.kind === 'video') return [{ path: cdnPath(`${id}/video`, 'mp4'), contentType: 'video/mp4', format: 'mp4' }];
  if (e.kind === 'upscale') {
    const scale = Math.max(1, Math.min(8, Number(input.scale ?? 2)));
    const src = sourceSize ?? { width: 128, height: 128 };
    const size = imageSize({ width: src.width * scale, height: src.height * scale }, Math.min(1024, Math.max(src.width, src.height) * scale));
    return [{ path: cdnPath(`${id}/upscaled`, 'png'), contentType: 'image/png', format: 'png', ...size }];
  }
  const png = input.output_format === 'png';
  const n = Number.isInteger(input.num_images) ? Math.max(1, Math.min(4, Number(input.num_images))) : 1;
  const size = imageSize(requestedSize(input));
  return Array.from({ length: n }, (_, i) => ({
    path: cdnPath(`${id}/${i}`, png ? 'png' : 'jpeg'),
    contentType: png ? 'image/png' : 'image/jpeg',
    format: png ? 'png' : 'jpg',
    ...size,
  }));
}

export function renderFile(j: SimJob, index: number): Promise<Buffer> {
  const f = j.files[index]!;
  if (f.format === 'mp4') return Promise.resolve(videoFixture());
  const size = { width: f.width ?? 512, height: f.height ?? 512 };
  const seedText =
    j.endpoint.kind === 'upscale' ? `${String(j.effectiveInput.image_url)}|upscale` : `${String(j.effectiveInput.prompt ?? '')}|${j.seed}|${index}`;
  return renderImage(seedText, size, f.format, 90);
}

/** The output JSON; `urls[i]` replaces file i's URL (data: URIs in sync mode). */
export function outputJson(j: SimJob, cdnUrl: string, runSeconds: number, urls?: string[]): Record<string, unknown> {
  const url = (i: number) => urls?.[i] ?? `${cdnUrl}/${j.files[i]!.path}`;
  const name = (f: OutputFile) => f.path.split('/').pop()!;
  if (j.endpoint.kind === 'video') {
    const f = j.files[0]!;
    return { video: { url: url(0), content_type: f.contentType, file_name: name(f), file_size: videoFixture().length } };
  }
  if (j.endpoint.kind === 'upscale') {
    const f = j.files[0]!;
    return { image: { url: url(0), width: f.width, height: f.height, content_type: f.contentType, file_name: name(f) } };
  }
  return {
    images: j.files.map((f, i) => ({ url: url(i), width: f.width, height: f.height, content_type: f.contentType })),
    timings: { inference: Math.round(runSeconds * 1000) / 1000 },
    seed: j.seed,
    has_nsfw_concepts: j.files.map(() => false),
    prompt: String(j.effectiveInput.prompt ?? ''),
  };
}
