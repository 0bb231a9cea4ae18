import type { OutputKind } from '../../../shared/domain/prediction.ts';
import type { OutputRecord, PredictionRecord } from '../records/types.ts';
import { extFromUrl, kindForMime, mimeForExt, safeExt } from './mime.ts';
import { isFileRef, outputText } from '../records/output-text.ts';

// What a provider's `output` means as files. Replicate returns, depending on the model: one URL,
// an array of URLs, an array of text tokens (to be joined), plain text, or an object/JSON
// (sometimes with URLs inside). fal always returns an object whose files sit in nested `{url}`
// objects. Each becomes an OutputRecord the vault can save.

export interface PlannedOutput {
  index: number;
  kind: OutputKind;
  remoteUrl: string | null;
  /** Inline content (text, JSON, data: URI bytes): written directly, never downloaded. */
  inline: Uint8Array | null;
  mime: string | null;
  ext: string;
}

const isUrl = (s: string) => isFileRef(s) && /^\s*https?:/i.test(s);
const isDataUri = (s: string) => isFileRef(s) && /^\s*data:/i.test(s);

export function planOutputs(rec: Pick<PredictionRecord, 'output' | 'text'>): PlannedOutput[] {
  const out: PlannedOutput[] = [];
  const push = (p: Omit<PlannedOutput, 'index'>) => out.push({ ...p, index: out.length });
  const fromString = (s: string) => {
    if (isUrl(s)) {
      const ext = extFromUrl(s) ?? '';
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
    else if (v !== null && typeof v === 'object') for (const x of Object.values(v)) filesIn(x, depth + 1);
  };

  const o = rec.output;
  if (typeof o === 'string') fromString(o);
  else if (Array.isArray(o)) {
    const text = outputText(o);
    if (text !== null) {
      push(textOutput(text)); // streamed language-model chunks
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
    push(jsonOutput(o));
    // Files named anywhere inside: fal's `{images: [{url, content_type}]}`, `{video: {url}}`.
    filesIn(o);
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
