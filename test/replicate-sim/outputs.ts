// Real output files, deterministic from the prompt and seed: images drawn as SVG and encoded by
// sharp, a committed tiny MP4 for video, and text tokens built from the prompt.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';

export type ImageFormat = 'webp' | 'png' | 'jpg';

export const CONTENT_TYPES: Record<string, string> = {
  webp: 'image/webp',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  mp4: 'video/mp4',
  txt: 'text/plain',
};

/** Small deterministic PRNG (mulberry32): same prompt + seed → same picture. */
export function rng(seedText: string): () => number {
  let a = createHash('sha256').update(seedText).digest().readUInt32LE(0);
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Output pixel size: real aspect ratio, long side capped small so tests stay fast. */
export function imageSize(input: Record<string, unknown>, longSide = 512): { width: number; height: number } {
  let w = 1,
    h = 1;
  if (typeof input.aspect_ratio === 'string' && /^\d+:\d+$/.test(input.aspect_ratio)) {
    [w, h] = input.aspect_ratio.split(':').map(Number) as [number, number];
  } else if (typeof input.width === 'number' && typeof input.height === 'number') {
    w = input.width;
    h = input.height;
  }
  const scale = longSide / Math.max(w, h);
  return { width: Math.max(16, Math.round(w * scale)), height: Math.max(16, Math.round(h * scale)) };
}

export async function renderImage(seedText: string, size: { width: number; height: number }, format: ImageFormat, quality = 80): Promise<Buffer> {
  const r = rng(seedText);
  const hue = () => Math.floor(r() * 360);
  const { width, height } = size;
  const shapes: string[] = [];
  for (let i = 0; i < 12; i++) {
    const cx = Math.round(r() * width),
      cy = Math.round(r() * height);
    const rad = Math.round((0.05 + r() * 0.25) * Math.min(width, height));
    shapes.push(`<circle cx="${cx}" cy="${cy}" r="${rad}" fill="hsl(${hue()},70%,60%)" fill-opacity="${(0.3 + r() * 0.6).toFixed(2)}"/>`);
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${hue()},60%,30%)"/><stop offset="1" stop-color="hsl(${hue()},60%,70%)"/></linearGradient></defs>
<rect width="100%" height="100%" fill="url(#g)"/>${shapes.join('')}</svg>`;
  const img = sharp(Buffer.from(svg));
  const q = Math.min(100, Math.max(1, Math.round(quality)));
  if (format === 'png') return img.png().toBuffer();
  if (format === 'jpg') return img.jpeg({ quality: q }).toBuffer();
  return img.webp({ quality: q }).toBuffer();
}

let video: Buffer | null = null;
/** A tiny real H.264 MP4 (made once with ffmpeg; the simulator never needs ffmpeg itself). */
export function videoFixture(): Buffer {
  video ??= readFileSync(new URL('./fixtures/sample.mp4', import.meta.url));
  return video;
}

/** The tokens a text model "generates" for a prompt: deterministic, and obviously about the prompt. */
export function textTokens(prompt: string, maxTokens: number): string[] {
  const topic = prompt.trim() || 'nothing in particular';
  const words =
    `You asked about "${topic}". Here is a short, careful answer: it depends on the details, but the key idea is simple, and it can be explained in a few steps. First, consider the context. Second, weigh the options. Finally, choose the one that fits best.`.split(
      ' ',
    );
  const tokens = words.map((w, i) => (i === 0 ? w : ` ${w}`));
  return tokens.slice(0, Math.max(1, maxTokens));
}
