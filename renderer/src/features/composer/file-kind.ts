import type { FormField } from '../../../../shared/schema-form.ts';

// What a file input expects, and whether a chosen file is that, by its first bytes rather than
// its name or the type the browser guessed (a ".png" that is a zip is refused here, with a clear
// message, instead of being uploaded and failing at the provider, billed).

export type FileKind = 'image' | 'video' | 'audio' | 'any';

/** Replicate's schemas say `format: uri` for every file; the field's name and description say what kind. */
export function expectedKind(f: Pick<FormField, 'name' | 'label' | 'description'>): FileKind {
  const name = f.name.toLowerCase();
  const text = `${f.label} ${f.description ?? ''}`.toLowerCase();
  if (/(^|_)(image|img|mask|photo|picture|face|pose|depth|canny|control)(_|$|s\b)/.test(name)) return 'image';
  if (/(^|_)(video|clip|frames?)(_|$)/.test(name)) return 'video';
  if (/(^|_)(audio|voice|speech|song|music|sound|wav)(_|$)/.test(name)) return 'audio';
  if (/\b(image|photo|picture|mask)\b/.test(text) && !/\b(video|audio)\b/.test(text)) return 'image';
  if (/\bvideo\b/.test(text) && !/\b(image|audio)\b/.test(text)) return 'video';
  if (/\b(audio|voice|speech)\b/.test(text) && !/\b(image|video)\b/.test(text)) return 'audio';
  return 'any';
}

export const ACCEPT: Record<FileKind, string | undefined> = {
  image: 'image/png,image/jpeg,image/webp,image/gif',
  video: 'video/mp4,video/webm,video/quicktime',
  audio: 'audio/mpeg,audio/wav,audio/x-wav,audio/flac,audio/ogg,audio/mp4',
  any: undefined,
};

const KIND_NAMES: Record<Exclude<FileKind, 'any'>, string> = {
  image: 'an image (PNG, JPEG, WebP or GIF)',
  video: 'a video (MP4, WebM or MOV)',
  audio: 'an audio file (MP3, WAV, FLAC, OGG or M4A)',
};

const at = (b: Uint8Array, off: number, sig: number[]) => sig.every((x, i) => b[off + i] === x);
const ascii = (b: Uint8Array, off: number, s: string) =>
  at(
    b,
    off,
    [...s].map((c) => c.charCodeAt(0)),
  );

/** The kind the leading bytes show, or null when they match none Kiln sends to models. */
export function sniffKind(b: Uint8Array): Exclude<FileKind, 'any'> | null {
  if (
    at(b, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) ||
    at(b, 0, [0xff, 0xd8, 0xff]) ||
    ascii(b, 0, 'GIF8') ||
    (ascii(b, 0, 'RIFF') && ascii(b, 8, 'WEBP'))
  )
    return 'image';
  if (ascii(b, 4, 'ftyp')) return ascii(b, 8, 'M4A') ? 'audio' : 'video';
  if (at(b, 0, [0x1a, 0x45, 0xdf, 0xa3])) return 'video'; // WebM / Matroska
  if (
    ascii(b, 0, 'ID3') ||
    (b[0] === 0xff && ((b[1] ?? 0) & 0xe0) === 0xe0) ||
    (ascii(b, 0, 'RIFF') && ascii(b, 8, 'WAVE')) ||
    ascii(b, 0, 'fLaC') ||
    ascii(b, 0, 'OggS')
  )
    return 'audio';
  return null;
}

/** Null when the file fits the field, else the sentence to show. */
export async function checkFile(file: File, kind: FileKind): Promise<string | null> {
  if (kind === 'any') return null;
  const head = new Uint8Array(await file.slice(0, 16).arrayBuffer());
  return sniffKind(head) === kind ? null : `${file.name || 'This file'} is not ${KIND_NAMES[kind]}; choose another file.`;
}
