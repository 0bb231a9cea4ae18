import type { PredictionRecord, InputFileRecord } from '../records/types.ts';
import { createPath } from '../providers/replicate/client.ts';
import { FAL_DEFAULT_BASES } from '../providers/fal/transport.ts';
import { parseEndpointId } from '../providers/fal/endpoint.ts';

// "Copy as code" (issue 14, Reproduce): the create request a run's provider got, rebuilt from the
// history record with the same functions that sent it (Replicate's createPath, fal's endpoint id),
// addressed to the public API (not a test or proxy base URL) and with the key left as the
// environment variable a user sets — the key itself never leaves the main process.

/** The public Replicate API: what a copied snippet is for, whatever base URL this Kiln talks to. */
export const REPLICATE_PUBLIC_BASE = 'https://api.replicate.com/v1';

export interface RunRequest {
  provider: 'replicate' | 'fal';
  method: 'POST';
  url: string;
  /** Header values; the key appears only as `$VARIABLE` (see keyVariable). */
  headers: Record<string, string>;
  body: Record<string, unknown>;
  /** The environment variable the snippet reads the key from. */
  keyVariable: 'REPLICATE_API_TOKEN' | 'FAL_KEY';
  /** Input fields that held a local file: Kiln uploaded it (or sent a data: URI); the snippet has a placeholder. */
  files: string[];
}

/**
 * A local file (`kiln-file:…`) is not something another program can send: it becomes a placeholder
 * naming the file, and its field is listed so the UI can say so.
 */
function withFilePlaceholders(input: Record<string, unknown>, fileName: (ref: string) => string | null): { input: Record<string, unknown>; files: string[] } {
  const files = new Set<string>();
  const conv = (field: string, v: unknown): unknown => {
    if (typeof v === 'string' && v.startsWith('kiln-file:')) {
      files.add(field);
      return `<URL or data: URI of ${fileName(v) ?? 'your input file'}>`;
    }
    return Array.isArray(v) ? v.map((x) => conv(field, x)) : v;
  };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) out[k] = conv(k, v);
  return { input: out, files: [...files] };
}

export function runRequest(
  rec: Pick<PredictionRecord, 'provider' | 'model' | 'version' | 'target' | 'input' | 'cancelAfter'>,
  inputFile: (id: string) => InputFileRecord | null = () => null,
): RunRequest {
  const name = (ref: string) => inputFile(ref.slice('kiln-file:'.length))?.name ?? null;
  const { input, files } = withFilePlaceholders(rec.input, name);
  if (rec.provider === 'fal') {
    // fal's queue submit: the input is the whole body; the priority header is what Kiln sends.
    return {
      provider: 'fal',
      method: 'POST',
      url: `${FAL_DEFAULT_BASES.queueUrl}/${parseEndpointId(rec.model).id}`,
      headers: { Authorization: 'Key $FAL_KEY', 'Content-Type': 'application/json', 'x-fal-queue-priority': 'normal' },
      body: input,
      keyVariable: 'FAL_KEY',
      files,
    };
  }
  const { path, body } = createPath({ model: rec.model, version: rec.version, target: rec.target, input });
  const headers: Record<string, string> = { Authorization: 'Bearer $REPLICATE_API_TOKEN', 'Content-Type': 'application/json' };
  if (rec.cancelAfter) headers['Cancel-After'] = rec.cancelAfter;
  return { provider: 'replicate', method: 'POST', url: `${REPLICATE_PUBLIC_BASE}${path}`, headers, body, keyVariable: 'REPLICATE_API_TOKEN', files };
}
