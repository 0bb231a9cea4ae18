import type { OutputKind } from '../../../shared/domain/prediction.ts';
import { formatBytes } from '../../../shared/limits.ts';
import type { OutputRecord, PredictionRecord } from '../records/types.ts';
import { extForMime, extFromName, extFromUrl, kindForMime, mimeForExt, safeExt } from './mime.ts';
import { holdsFileRef, isFileRef, outputText } from '../records/output-text.ts';

// What a provider's `output` means as files. Replicate returns, depending on the model: one URL,
// an array of URLs, an array of text tokens (to be joined), plain text, an object/JSON
// (sometimes with URLs inside), or plain data (an embedding model's vectors). fal always returns
// an object whose files sit in nested `{url}` objects. Each becomes an OutputRecord the vault can save.

export interface PlannedOutput {
  index: number;
  kind: OutputKind;
  remoteUrl: string | null;
  /** Inline content (text, JSON, data: URI bytes): written directly, never downloaded. */
  inline: Uint8Array | null;
  mime: string | null;
  ext: string;
}

/** The name an output is saved under in its run's folder (and its thumbnail, with `.webp`). */
export function outputFileName(index: number, ext: string): string {
  return `out-${index}${ext}`;
}

const OCTET = 'application/octet-stream';
const isUrl = (s: string) => isFileRef(s) && /^\s*https?:/i.test(s);
const isDataUri = (s: string) => isFileRef(s) && /^\s*data:/i.test(s);
/** How deep the search for files goes (the output is untrusted); the input's echoes are looked for as deep. */
const MAX_DEPTH = 4;
/** An answer's key for the input it was given (andreasjansson/clip-features' `[{input, embedding}]`). */
const ECHO_KEY = 'input';

/** `input`: the run's own input, so a file the answer merely repeats is not saved as an output. */
export function planOutputs(rec: Pick<PredictionRecord, 'output' | 'text'> & Partial<Pick<PredictionRecord, 'input'>>): PlannedOutput[] {
  const out: PlannedOutput[] = [];
  const push = (p: Omit<PlannedOutput, 'index'>) => out.push({ ...p, index: out.length }) - 1;
  const echoes = fileRefsIn(rec.input);
  /** Each data: URI saved as a file, by its text: the JSON row names that file instead of holding the bytes a second time. */
  const standIns = new Map<string, string>();
  /** `hint`: what a provider states beside the URL (fal's `{url, content_type, file_name}`), used when the URL's name says nothing. */
  const fromString = (s: string, hint: { type?: unknown; name?: unknown } = {}) => {
    if (isUrl(s)) {
      const named = extFromUrl(s) ?? (typeof hint.name === 'string' ? extFromName(hint.name) : null);
      const hinted = typeof hint.type === 'string' ? extForMime(hint.type) : null;
      // Only a type Kiln knows (mime.ts), so the server's text never becomes a file name; a name
      // it does not know (`.safetensors`) is kept, and judged again when saved (safeExt).
      const ext = (!named || mimeForExt(named) === OCTET) && hinted ? hinted : named;
      const mime = ext ? mimeForExt(ext) : null;
      push({ kind: mime ? kindForMime(mime) : 'file', remoteUrl: s, inline: null, mime, ext: ext ?? '.bin' });
    } else if (isDataUri(s)) {
      const d = decodeDataUri(s);
      if (!d) return;
      const ext = extOf(d.mime);
      const index = push({ kind: kindForMime(d.mime), remoteUrl: null, inline: d.bytes, mime: d.mime, ext });
      standIns.set(s, dataUriStandIn(s, outputFileName(index, ext), d.bytes.length));
    } else {
      push(textOutput(s));
    }
  };

  const echoed = (s: string) => echoes.has(s.trim());
  // Files anywhere inside nested arrays and objects, bounded in depth. A file the run was given
  // (under `input`, or one of its input values) is the user's own, not something the run made.
  const filesIn = (v: unknown, depth = 0): void => {
    if (depth > MAX_DEPTH) return;
    if (typeof v === 'string') {
      if ((isUrl(v) || isDataUri(v)) && !echoed(v)) fromString(v);
    } else if (Array.isArray(v)) for (const x of v) filesIn(x, depth + 1);
    else if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      // A file object (fal's File: `{url, content_type, file_name, …}`): its URL with its stated type and name.
      const url = typeof o.url === 'string' && (isUrl(o.url) || isDataUri(o.url)) ? o.url : null;
      if (url && !echoed(url)) fromString(url, { type: o.content_type, name: o.file_name });
      for (const [k, x] of Object.entries(o)) if (!(url && k === 'url') && k !== ECHO_KEY) filesIn(x, depth + 1);
    }
  };
  /**
   * An object answer: the whole of it as JSON, then the files it names — the JSON written last,
   * once the data: URIs in it are saved. `answer`: the text already taken from it, never a file.
   */
  const withFiles = (v: unknown, answer: string | null = null) => {
    const at = push(jsonOutput(null));
    if (answer !== null && v !== null && typeof v === 'object' && !Array.isArray(v)) {
      for (const x of Object.values(v)) if (x !== answer) filesIn(x, 1);
    } else filesIn(v);
    out[at] = { ...jsonOutput(v, standIns), index: at };
  };

  const o = rec.output;
  if (typeof o === 'string') fromString(o);
  else if (Array.isArray(o)) {
    const text = outputText(o);
    if (text !== null) {
      push(textOutput(text)); // streamed language-model chunks
    } else if (o.length > 0 && !o.some((x) => holdsFileRef(x))) {
      // Data with no file in it (an embedding model's vectors `[[0.1, …], …]`, numbers, records):
      // the whole answer as one JSON, rather than nothing (nested arrays) or a file per number.
      push(jsonOutput(o));
    } else {
      for (const x of o) {
        if (typeof x === 'string') fromString(x);
        else if (Array.isArray(x))
          filesIn(x); // nested arrays of files
        else if (x !== null && x !== undefined) withFiles(x); // an array of objects: each object, then the files it names
      }
    }
  } else if (o !== null && typeof o === 'object') {
    const answer = outputText(o);
    if (answer !== null) {
      // A language model's or transcriber's answer object (records/output-text.ts): its text, then
      // the object for what else it holds (reasoning, usage, timestamps; a transcript's .txt and
      // .srt files) — its words never fetched as a file.
      push(textOutput(answer));
      withFiles(o, answer);
    } else {
      // Files named anywhere inside: fal's `{images: [{url, content_type}]}`, `{video: {url}}`.
      withFiles(o);
    }
  } else if (o !== null && o !== undefined) {
    push(jsonOutput(o));
  } else if (rec.text) {
    push(textOutput(rec.text));
  }
  return out;
}

/** The file references among a run's input values (bounded as the search for files is). */
function fileRefsIn(input: unknown): Set<string> {
  const refs = new Set<string>();
  const walk = (v: unknown, depth: number): void => {
    if (depth > MAX_DEPTH) return;
    if (typeof v === 'string') {
      if (isFileRef(v)) refs.add(v.trim());
    } else if (Array.isArray(v)) for (const x of v) walk(x, depth + 1);
    else if (v !== null && typeof v === 'object') for (const x of Object.values(v)) walk(x, depth + 1);
  };
  walk(input, 0);
  return refs;
}

/** What the JSON row says in place of a data: URI saved as a file: its type, the file, its size — never its bytes again (fal's sync_mode). */
function dataUriStandIn(uri: string, file: string, bytes: number): string {
  const t = uri.trim();
  const head = t.slice(0, t.indexOf(','));
  return `${head.length > 100 ? `${head.slice(0, 100)}…` : head},… (saved as ${file}, ${formatBytes(bytes)})`;
}

export function toOutputRecords(planned: PlannedOutput[]): Omit<OutputRecord, 'predictionId'>[] {
  return planned.map((p) => ({
    index: p.index,
    kind: p.kind,
    state: 'pending',
    remoteUrl: p.remoteUrl,
    path: null,
    thumbPath: null,
    mime: p.mime,
    size: null,
    width: null,
    height: null,
    sha256: null,
    error: null,
  }));
}

function textOutput(s: string): Omit<PlannedOutput, 'index'> {
  return { kind: 'text', remoteUrl: null, inline: new TextEncoder().encode(s), mime: 'text/plain; charset=utf-8', ext: '.txt' };
}

/** `standIns`: strings written in place of others (dataUriStandIn). */
function jsonOutput(v: unknown, standIns?: ReadonlyMap<string, string>): Omit<PlannedOutput, 'index'> {
  const replace = standIns?.size ? (_: string, x: unknown) => (typeof x === 'string' ? (standIns.get(x) ?? x) : x) : undefined;
  return { kind: 'json', remoteUrl: null, inline: new TextEncoder().encode(JSON.stringify(v, replace, 2)), mime: 'application/json', ext: '.json' };
}

function extOf(mime: string): string {
  const k = kindForMime(mime);
  const sub = mime.split('/')[1]?.split(';')[0]?.split('+')[0] ?? 'bin';
  if (k === 'text') return '.txt';
  // The type is the server's text: safeExt keeps only a plain extension.
  return safeExt(`.${sub === 'jpeg' ? 'jpg' : sub}`);
}

/** A data URI's text, percent-decoded where it can be: a stray `%` keeps the text as it came, not the run's other outputs from saving. */
function percentDecoded(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function decodeDataUri(s: string): { mime: string; bytes: Uint8Array } | null {
  const m = /^data:([^;,]*)((?:;[^;,]*)*?)(;base64)?,(.*)$/is.exec(s);
  if (!m) return null;
  const mime = m[1] || 'text/plain';
  const bytes = m[3] ? Buffer.from(m[4]!, 'base64') : Buffer.from(percentDecoded(m[4]!), 'utf8');
  // A view of the decoded bytes, not a copy: a sync_mode picture is tens of MB.
  return { mime, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}
