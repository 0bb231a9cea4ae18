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

/**
 * What an extension may look like in the vault: a dot and 1–16 letters or digits. Long enough for
 * model files (`.safetensors`, `.gguf`, `.ckpt`, `.mlpackage`), short and plain enough never to
 * carry a path, a space or a second dot. The one shape every name is read and written with.
 */
const EXT_SHAPE = /^\.[a-z0-9]{1,16}$/;

/** The extension at the end of a file name (lowercase, with the dot), or null when it has none of the plain shape (`.bashrc` has none, as for path.extname). */
export function extFromName(name: string): string | null {
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return null;
  const ext = name.slice(dot).toLowerCase();
  return EXT_SHAPE.test(ext) ? ext : null;
}

/** Extension of a URL's last path segment (lowercase, with the dot), or null. */
export function extFromUrl(url: string): string | null {
  try {
    return extFromName(new URL(url).pathname.split('/').pop() ?? '');
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
  '.msu',
  '.xbap',
  // longer than the 8 characters names once had: ClickOnce, app bundles and the App Installer
  '.application',
  '.appxbundle',
  '.msixbundle',
  '.appinstaller',
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
  // a Terminal settings file runs its command; locations open what they point at; profiles install
  '.terminal',
  '.webloc',
  '.inetloc',
  '.fileloc',
  '.mobileconfig',
  '.flatpakref',
  '.flatpakrepo',
  // interpreters a desktop may associate with their files
  '.jar',
  '.mjs',
  '.cjs',
  '.py',
  '.pyw',
  '.pyz',
  '.pyzw',
  '.jnlp',
  '.applescript',
  '.scpt',
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
 * The extension a file is saved under (ARCHITECTURE.md, "Storage"): a dot and 1–16 letters or
 * digits, lowercase (EXT_SHAPE) — anything else (a data URI's `x/a\\..\\..\\p.cmd`, a path, a
 * space) would become part of a path — and never an executable one: both become `.bin`. Every name
 * the vault writes takes its extension from here.
 */
export function safeExt(ext: string): string {
  const e = ext.toLowerCase();
  if (e === '') return '';
  return EXT_SHAPE.test(e) && !isExecutableExt(e) ? e : NEUTRAL_EXT;
}

export const SVG_MIME = 'image/svg+xml';

/** Whether a stated type (a Content-Type, a data URI's, fal's `content_type`) is SVG. */
export function isSvgMime(mime: string | null | undefined): boolean {
  return (mime ?? '').split(';')[0]!.trim().toLowerCase() === SVG_MIME;
}
