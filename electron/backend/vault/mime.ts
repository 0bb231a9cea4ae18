import type { OutputKind } from '../../../shared/domain/prediction.ts';

// Extension <-> MIME <-> output kind, one table for the media handler, the downloader and staging.
const TABLE: [ext: string, mime: string][] = [
  ['.png', 'image/png'],
  ['.jpg', 'image/jpeg'],
  ['.jpeg', 'image/jpeg'],
  ['.webp', 'image/webp'],
  ['.gif', 'image/gif'],
  ['.avif', 'image/avif'],
  ['.bmp', 'image/bmp'],
  ['.tif', 'image/tiff'],
  ['.tiff', 'image/tiff'],
  ['.svg', 'image/svg+xml'],
  ['.mp4', 'video/mp4'],
  ['.m4v', 'video/mp4'],
  ['.webm', 'video/webm'],
  ['.mov', 'video/quicktime'],
  ['.mkv', 'video/x-matroska'],
  ['.mp3', 'audio/mpeg'],
  ['.wav', 'audio/wav'],
  ['.ogg', 'audio/ogg'],
  ['.flac', 'audio/flac'],
  ['.m4a', 'audio/mp4'],
  ['.aac', 'audio/aac'],
  ['.txt', 'text/plain; charset=utf-8'],
  ['.md', 'text/markdown; charset=utf-8'],
  ['.json', 'application/json'],
  ['.glb', 'model/gltf-binary'],
  ['.obj', 'model/obj'],
  ['.zip', 'application/zip'],
  ['.pdf', 'application/pdf'],
];

const BY_EXT = new Map(TABLE);
const BY_MIME = new Map<string, string>();
for (const [ext, mime] of TABLE) if (!BY_MIME.has(mime.split(';')[0]!)) BY_MIME.set(mime.split(';')[0]!, ext);

export function mimeForExt(ext: string): string {
  return BY_EXT.get(ext.toLowerCase()) ?? 'application/octet-stream';
}

export function extForMime(mime: string | null | undefined): string | null {
  if (!mime) return null;
  return BY_MIME.get(mime.split(';')[0]!.trim().toLowerCase()) ?? null;
}

export function kindForMime(mime: string | null | undefined): OutputKind {
  const m = (mime ?? '').toLowerCase();
  if (m.startsWith('image/')) return 'image';
  if (m.startsWith('video/')) return 'video';
  if (m.startsWith('audio/')) return 'audio';
  if (m.startsWith('text/')) return 'text';
  if (m.startsWith('application/json')) return 'json';
  return 'file';
}

/** Extension of a URL's last path segment (lowercase, with the dot), or null. */
export function extFromUrl(url: string): string | null {
  try {
    const last = new URL(url).pathname.split('/').pop() ?? '';
    const m = /\.[a-z0-9]{1,5}$/i.exec(last);
    return m ? m[0].toLowerCase() : null;
  } catch {
    return null;
  }
}

// File types an OS runs (or hands to an interpreter) when opened: a model's output or an imported
// file must never land in the vault under one of these names, where "Open with default app" or a
// double click in the file manager would execute it. Lowercase, with the dot.
const EXECUTABLE_EXTS = new Set([
  // Windows
  '.exe',
  '.com',
  '.bat',
  '.cmd',
  '.scr',
  '.pif',
  '.cpl',
  '.msi',
  '.msp',
  '.msc',
  '.hta',
  '.js',
  '.jse',
  '.vbs',
  '.vbe',
  '.wsf',
  '.wsh',
  '.ws',
  '.ps1',
  '.psm1',
  '.psd1',
  '.lnk',
  '.url',
  '.scf',
  '.reg',
  '.inf',
  '.dll',
  '.gadget',
  '.appx',
  '.msix',
  // macOS / Unix
  '.sh',
  '.bash',
  '.zsh',
  '.csh',
  '.ksh',
  '.command',
  '.tool',
  '.app',
  '.pkg',
  '.dmg',
  '.dylib',
  '.so',
  '.run',
  '.appimage',
  '.desktop',
  '.deb',
  '.rpm',
  // interpreters a desktop may associate with their files
  '.jar',
  '.mjs',
  '.cjs',
  '.py',
  '.pyw',
  '.pl',
  '.rb',
  '.php',
  '.action',
  '.workflow',
  // opened by something that runs what is inside: compiled help, disk images and cabinets that
  // mount or unpack, macro documents and Excel add-ins, pages a browser opens from the disk
  '.chm',
  '.iso',
  '.img',
  '.vhd',
  '.vhdx',
  '.cab',
  '.xll',
  '.docm',
  '.xlsm',
  '.pptm',
  '.html',
  '.htm',
  '.xhtml',
  '.mht',
  '.mhtml',
]);

/** Extensions file-type reports for executable formats, whatever the URL called them. */
const EXECUTABLE_SNIFFED = new Set(['.exe', '.elf', '.mach', '.macho', '.msi', '.apk', '.jar', '.deb', '.rpm', '.dmg', '.wasm', '.dex', '.class', '.lnk']);

export const NEUTRAL_EXT = '.bin';

export function isExecutableExt(ext: string): boolean {
  const e = ext.toLowerCase();
  return EXECUTABLE_EXTS.has(e) || EXECUTABLE_SNIFFED.has(e);
}

/**
 * The extension a file is saved under (ARCHITECTURE.md, "Storage"): a dot and 1–8 letters or
 * digits, lowercase — anything else (a data URI's `x/a\\..\\..\\p.cmd`, a path, a space) would
 * become part of a path — and never an executable one: both become `.bin`. Every name the vault
 * writes takes its extension from here.
 */
export function safeExt(ext: string): string {
  const e = ext.toLowerCase();
  if (e === '') return '';
  return /^\.[a-z0-9]{1,8}$/.test(e) && !isExecutableExt(e) ? e : NEUTRAL_EXT;
}
