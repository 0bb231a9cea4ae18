import fs from 'node:fs/promises';
import { fileTypeFromFile } from 'file-type';
import type { OutputKind } from '../../../shared/domain/prediction.ts';
import { SVG_MIME, kindForMime } from './mime.ts';
import { svgRootIn } from './svg.ts';

// Content checks by magic bytes: the claimed type (URL extension / Content-Type) is only a hint.
// An error page served with 200 instead of an image must never be stored as "saved".

export type MagicVerdict = { ok: true; mime: string | null; ext: string | null } | { ok: false; reason: string };

/** What was said about the file besides its kind: `svg` when its URL, stated type or data URI named SVG. */
export interface MagicClaim {
  svg?: boolean;
}

/** Enough of the file's start to find an SVG's root past a long prolog (an editor's comments and doctype). */
const HEAD_BYTES = 64 * 1024;

export async function checkMagic(file: string, claimedKind: OutputKind, claim: MagicClaim = {}): Promise<MagicVerdict> {
  const detected = await fileTypeFromFile(file);
  // SVG is text with no magic bytes: file-type finds nothing, or application/xml after an
  // `<?xml?>` declaration. Only a file said to be SVG is read as one, and only if its root
  // element is `<svg>`: an HTML page or other XML under an SVG name is refused, whatever the kind.
  if (claim.svg && (!detected || detected.mime === 'application/xml')) {
    const head = await readHead(file);
    const root = svgRootIn(head);
    if (root === 'svg') return { ok: true, mime: SVG_MIME, ext: '.svg' };
    return {
      ok: false,
      reason: `expected an SVG image but the content ${root === 'binary' ? 'is not text' : looksLikeHtml(head) ? 'looks like an HTML page' : 'has no <svg> root element'}`,
    };
  }
  const media = claimedKind === 'image' || claimedKind === 'video' || claimedKind === 'audio';
  if (!detected) {
    if (media)
      return {
        ok: false,
        reason: `expected ${claimedKind} but the content is not a recognised ${claimedKind} format${looksLikeHtml(await readHead(file, 512)) ? ' (looks like an HTML page)' : ''}`,
      };
    return { ok: true, mime: null, ext: null };
  }
  const kind = kindForMime(detected.mime);
  if (claimedKind === 'image' && kind !== 'image') return { ok: false, reason: `expected an image, got ${detected.mime}` };
  // MP4-family containers hold audio or video; either claim accepts either.
  if ((claimedKind === 'video' || claimedKind === 'audio') && kind !== 'video' && kind !== 'audio')
    return { ok: false, reason: `expected ${claimedKind}, got ${detected.mime}` };
  return { ok: true, mime: detected.mime, ext: `.${detected.ext}` };
}

async function readHead(file: string, bytes = HEAD_BYTES): Promise<Buffer> {
  const fh = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

function looksLikeHtml(head: Buffer): boolean {
  return /<(!doctype html|html|head|body)/i.test(head.toString('utf8', 0, 512));
}
