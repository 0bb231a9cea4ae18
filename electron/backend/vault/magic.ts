import { fileTypeFromFile } from 'file-type';
import type { OutputKind } from '../../../shared/domain/prediction.ts';
import { kindForMime } from './mime.ts';

// Content checks by magic bytes: the claimed type (URL extension / Content-Type) is only a hint.
// An error page served with 200 instead of an image must never be stored as "saved".

export type MagicVerdict = { ok: true; mime: string | null; ext: string | null } | { ok: false; reason: string };

export async function checkMagic(file: string, claimedKind: OutputKind): Promise<MagicVerdict> {
  const detected = await fileTypeFromFile(file);
  const media = claimedKind === 'image' || claimedKind === 'video' || claimedKind === 'audio';
  if (!detected) {
    if (media)
      return {
        ok: false,
        reason: `expected ${claimedKind} but the content is not a recognised ${claimedKind} format${(await looksLikeHtml(file)) ? ' (looks like an HTML page)' : ''}`,
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

async function looksLikeHtml(file: string): Promise<boolean> {
  const fh = await import('node:fs/promises').then((fs) => fs.open(file, 'r'));
  try {
    const buf = Buffer.alloc(512);
    const { bytesRead } = await fh.read(buf, 0, 512, 0);
    return /<(!doctype html|html|head|body)/i.test(buf.toString('utf8', 0, bytesRead));
  } finally {
    await fh.close();
  }
}
