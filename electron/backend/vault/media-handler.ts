import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { mimeForExt } from './mime.ts';

export interface MediaResponse {
  status: number;
  headers: Record<string, string>;
  body: Readable | Uint8Array | null;
}

// The kiln-media:// handler (ARCHITECTURE.md, "Storage", §7). Pure: given the vault root and the requested path it
// answers with a status, headers and a stream. Electron's protocol.handle and browser mode's
// /media route both wrap this one function, so the path rules are decided (and tested) once.
export async function handleMediaRequest(vaultRoot: string, relPath: string, opts: { range?: string | null } = {}): Promise<MediaResponse> {
  const rel = safeRelativePath(relPath);
  if (rel === null) return text(403, 'Forbidden');

  let realRoot: string;
  let real: string;
  try {
    realRoot = await fs.promises.realpath(vaultRoot);
    // realpath also resolves symlinks inside the vault, so a link pointing out is caught below.
    real = await fs.promises.realpath(path.join(realRoot, rel));
  } catch {
    return text(404, 'Not found');
  }
  if (!isInside(realRoot, real)) return text(403, 'Forbidden');

  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(real);
  } catch {
    return text(404, 'Not found');
  }
  if (!stat.isFile()) return text(404, 'Not found');

  const size = stat.size;
  const base: Record<string, string> = {
    'Content-Type': mimeForExt(path.extname(real)),
    'Accept-Ranges': 'bytes',
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'private, max-age=31536000, immutable',
    // Media is data, never a document: an SVG (or anything else) opened directly runs no script in
    // Kiln's origin, where the page's token and WebSocket live.
    'Content-Security-Policy': "sandbox; default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'",
  };
  const range = opts.range ? parseRange(opts.range, size) : null;
  if (range === 'unsatisfiable') {
    return { status: 416, headers: { ...base, 'Content-Range': `bytes */${size}`, 'Content-Length': '0' }, body: null };
  }
  if (range) {
    return {
      status: 206,
      headers: { ...base, 'Content-Range': `bytes ${range.start}-${range.end}/${size}`, 'Content-Length': String(range.end - range.start + 1) },
      body: fs.createReadStream(real, { start: range.start, end: range.end }),
    };
  }
  return { status: 200, headers: { ...base, 'Content-Length': String(size) }, body: size === 0 ? new Uint8Array(0) : fs.createReadStream(real) };
}

/**
 * The path as the renderer sent it (URL pathname form, possibly percent-encoded) → a normalised
 * vault-relative path, or null when it must be refused. Decoding happens exactly once, and every
 * check runs after it, so `%2e%2e` and `%2f` tricks meet the same rules as the literal forms.
 */
export function safeRelativePath(input: string): string | null {
  let p: string;
  try {
    p = decodeURIComponent(input);
  } catch {
    return null;
  }
  if (p.includes('\0') || p.includes('\\')) return null;
  // One leading slash is how a URL pathname looks; more, or a drive letter, is an absolute path.
  if (p.startsWith('/')) p = p.slice(1);
  if (p.startsWith('/') || /^[a-zA-Z]:/.test(p) || path.isAbsolute(p)) return null;
  const segments = p.split('/');
  if (segments.some((s) => s === '..' || s === '.')) return null;
  if (segments.some((s) => s === '')) return null;
  return segments.join('/');
}

export function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** Single `bytes=` range only; anything else (multi-range, other units, garbage) is served whole. */
export function parseRange(header: string, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return null;
  const [, a, b] = m;
  if (a === '' && b === '') return null;
  let start: number;
  let end: number;
  if (a === '') {
    const suffix = Number(b);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(a);
    end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
    if (b !== '' && Number(b) < start) return null; // invalid per RFC 9110: ignore the header
  }
  if (start >= size || size === 0) return 'unsatisfiable';
  return { start, end };
}

function text(status: number, msg: string): MediaResponse {
  return { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' }, body: new TextEncoder().encode(msg) };
}
