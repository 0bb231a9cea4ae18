import type { OutputKind } from '../../../shared/domain/prediction.ts';
import type { OutputRecord, PredictionRecord } from '../records/types.ts';
import { extForMime, extFromUrl, kindForMime, mimeForExt, safeExt } from './mime.ts';
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

const OCTET = 'application/octet-stream';
const isUrl = (s: string) => isFileRef(s) && /^\s*https?:/i.test(s);
const isDataUri = (s: string) => isFileRef(s) && /^\s*data:/i.test(s);

export function planOutputs(rec: Pick<PredictionRecord, 'output' | 'text'>): PlannedOutput[] {
  const out: PlannedOutput[] = [];
  const push = (p: Omit<PlannedOutput, 'index'>) => out.push({ ...p, index: out.length });
  /** `typeHint`: the type a provider states beside the URL (fal's `{url, content_type}`), used when the URL's name says none. */
  const fromString = (s: string, typeHint?: unknown) => {
    if (isUrl(s)) {
      const fromName = extFromUrl(s) ?? '';
      const hinted = typeof typeHint === 'string' ? extForMime(typeHint) : null;
      // Only a type Kiln knows (mime.ts), so the server's text never becomes a file name.
      const ext = (!fromName || mimeForExt(fromName) === OCTET) && hinted ? hinted : fromName;
      const mime = ext ? mimeForExt(ext) : null;
      push({ kind: mime ? kindForMime(mime) : 'file', remoteUrl: s, inline: null, mime, ext: ext || '.bin' });
    } else if (isDataUri(s)) {
      const d = decodeDataUri(s);
      if (d) push({ kind: kindForMime(d.mime), remoteUrl: null, inline: d.bytes, mime: d.mime, ext: extOf(d.mime) });
    } else {
      push(textOutput(s));
    }
  };

  // Files anywhere inside nested arrays and objects (bounded in depth: the output is untrusted).
  const filesIn = (v: unknown, depth = 0): void => {
    if (depth > 4) return;
    if (typeof v === 'string') {
      if (isUrl(v) || isDataUri(v)) fromString(v);
    } else if (Array.isArray(v)) for (const x of v) filesIn(x, depth + 1);
    else if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      // A file object (fal's File: `{url, content_type, file_name, …}`): its URL with its stated type.
      const url = typeof o.url === 'string' && (isUrl(o.url) || isDataUri(o.url)) ? o.url : null;
      if (url) fromString(url, o.content_type);
      for (const [k, x] of Object.entries(o)) if (!(url && k === 'url')) filesIn(x, depth + 1);
    }
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
        else if (x !== null && x !== undefined) {
          push(jsonOutput(x)); // an array of objects: each object, then the files it names
          filesIn(x);
        }
      }
    }
  } else if (o !== null && typeof o === 'object') {
    const answer = outputText(o);
    if (answer !== null) {
      // A language model's or transcriber's answer object (records/output-text.ts): its text, then
      // the object for what else it holds (reasoning, usage, timestamps) — its words never fetched as a file.
      push(textOutput(answer));
      push(jsonOutput(o));
    } else {
      push(jsonOutput(o));
      // Files named anywhere inside: fal's `{images: [{url, content_type}]}`, `{video: {url}}`.
      filesIn(o);
    }
  } else if (o !== null && o !== undefined) {
    push(jsonOutput(o));
  } else if (rec.text) {
    push(textOutput(rec.text));
  }
  return out;
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

function jsonOutput(v: unknown): Omit<PlannedOutput, 'index'> {
  return { kind: 'json', remoteUrl: null, inline: new TextEncoder().encode(JSON.stringify(v, null, 2)), mime: 'application/json', ext: '.json' };
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
  return { mime, bytes: new Uint8Array(bytes) };
}
