import { buildFormFields, type FormField } from '../schema-form.ts';

// Compare (issue 14, ARCHITECTURE.md, "Workflows"): one canonical input — prompt, negative prompt, seed, aspect ratio
// or size, image — mapped onto each model's own schema, whatever its provider calls those fields
// (Replicate's `aspect_ratio` enum or `width`/`height`, fal's `image_size` presets, `image` or
// `image_url`). A canonical field the model has no equivalent for is marked, never silently dropped
// or sent under a guessed name. Pure: the compare dialog shows the marks, and sends `input`.

export interface CanonicalInput {
  prompt: string;
  negativePrompt?: string | null;
  seed?: number | null;
  /** "16:9", "1:1", … */
  aspectRatio?: string | null;
  /** A file reference or URL (as the composer's file fields hold them). */
  image?: string | null;
}

export type CanonicalField = keyof CanonicalInput;

export interface FieldMapping {
  /** The model's input the value went to; null = the model has no equivalent (marked in the UI). */
  to: string | null;
  /** What was sent when it differs from what was asked ("4:3 → landscape_4_3", "1024×576"). */
  sent?: string;
  note?: string;
}

export interface MappedInput {
  input: Record<string, unknown>;
  /** One entry per canonical field the user set. */
  fields: Partial<Record<CanonicalField, FieldMapping>>;
}

const NAMES: Record<Exclude<CanonicalField, 'aspectRatio'>, RegExp> = {
  prompt: /^(prompt|text|caption|text_prompt|input_text)$/i,
  negativePrompt: /^(negative_prompt|negative|neg_prompt)$/i,
  seed: /^(seed|noise_seed|random_seed)$/i,
  image: /^(image|image_url|input_image|init_image|start_image|image_uri|input_image_url)$/i,
};

/** fal's image_size presets, by ratio. */
const FAL_PRESETS: [string, number][] = [
  ['square_hd', 1],
  ['landscape_4_3', 4 / 3],
  ['portrait_4_3', 3 / 4],
  ['landscape_16_9', 16 / 9],
  ['portrait_16_9', 9 / 16],
];

export function parseRatio(r: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*[:x×/]\s*(\d+(?:\.\d+)?)\s*$/.exec(r);
  if (!m) return null;
  const w = Number(m[1]);
  const h = Number(m[2]);
  return w > 0 && h > 0 ? w / h : null;
}

const closest = <T>(items: T[], ratioOf: (t: T) => number | null, want: number): T | null => {
  let best: T | null = null;
  let bestDist = Infinity;
  for (const it of items) {
    const r = ratioOf(it);
    if (r === null) continue;
    const d = Math.abs(Math.log(r / want));
    if (d < bestDist) {
      best = it;
      bestDist = d;
    }
  }
  return best;
};

/** Enum options of a raw property, including those inside anyOf/oneOf (fal's `image_size`). */
function enumOptions(schema: Record<string, unknown> | null, name: string, field: FormField): string[] {
  if (field.options) return field.options.map(String);
  const props = (schema?.properties ?? {}) as Record<string, Record<string, unknown>>;
  const raw = props[name];
  const alts = (raw?.anyOf ?? raw?.oneOf) as Record<string, unknown>[] | undefined;
  if (!Array.isArray(alts)) return [];
  return alts.flatMap((a) => (Array.isArray(a?.enum) ? (a.enum as unknown[]).map(String) : []));
}

const roundTo = (n: number, step: number) => Math.max(step, Math.round(n / step) * step);
const clamp = (n: number, f: FormField) => Math.min(f.max ?? Infinity, Math.max(f.min ?? -Infinity, n));

/** Maps the canonical input onto one model's input schema (as models:get returns it). */
export function mapCanonical(canonical: CanonicalInput, schema: Record<string, unknown> | null): MappedInput {
  const fields = buildFormFields(schema);
  const byName = (re: RegExp, kinds?: string[]) => fields.find((f) => re.test(f.name) && (!kinds || kinds.includes(f.kind))) ?? null;
  const input: Record<string, unknown> = {};
  const out: MappedInput['fields'] = {};
  const nothing = (k: CanonicalField) => (out[k] = { to: null, note: 'This model has no such input; not sent.' });

  const prompt = byName(NAMES.prompt, ['prompt', 'string']);
  if (prompt) {
    input[prompt.name] = canonical.prompt;
    out.prompt = { to: prompt.name };
  } else nothing('prompt');

  if (canonical.negativePrompt) {
    const f = byName(NAMES.negativePrompt, ['prompt', 'string']);
    if (f) {
      input[f.name] = canonical.negativePrompt;
      out.negativePrompt = { to: f.name };
    } else nothing('negativePrompt');
  }

  if (canonical.seed !== null && canonical.seed !== undefined) {
    const f = byName(NAMES.seed, ['integer', 'number']);
    if (f) {
      input[f.name] = clamp(canonical.seed, f);
      out.seed = { to: f.name };
    } else nothing('seed');
  }

  if (canonical.image) {
    const f = byName(NAMES.image, ['file', 'string']) ?? fields.find((x) => x.kind === 'file') ?? null;
    if (f) {
      input[f.name] = canonical.image;
      out.image = { to: f.name };
    } else nothing('image');
  }

  if (canonical.aspectRatio) mapAspect(canonical.aspectRatio, fields, schema, input, out);
  return { input, fields: out };
}

function mapAspect(asked: string, fields: FormField[], schema: Record<string, unknown> | null, input: Record<string, unknown>, out: MappedInput['fields']) {
  const want = parseRatio(asked);
  if (want === null) {
    out.aspectRatio = { to: null, note: `"${asked}" is not a ratio like 16:9.` };
    return;
  }
  const ar = fields.find((f) => /^aspect_ratio$/i.test(f.name));
  if (ar) {
    const options = enumOptions(schema, ar.name, ar);
    if (options.length === 0) {
      input[ar.name] = asked;
      out.aspectRatio = { to: ar.name };
      return;
    }
    const pick = options.includes(asked) ? asked : closest(options, parseRatio, want);
    if (pick) {
      input[ar.name] = pick;
      out.aspectRatio = pick === asked ? { to: ar.name } : { to: ar.name, sent: pick, note: `${asked} is not offered; the closest, ${pick}, is sent.` };
      return;
    }
  }
  const size = fields.find((f) => /^image_size$/i.test(f.name));
  if (size) {
    const options = enumOptions(schema, size.name, size);
    const presets = FAL_PRESETS.filter(([p]) => options.includes(p));
    const pick = closest(presets, ([, r]) => r, want);
    if (pick) {
      input[size.name] = pick[0];
      const exact = Math.abs(Math.log(pick[1] / want)) < 0.01;
      out.aspectRatio = { to: size.name, sent: pick[0], ...(exact ? {} : { note: `${asked} is not offered; the closest preset is sent.` }) };
      return;
    }
  }
  const w = fields.find((f) => /^width$/i.test(f.name) && (f.kind === 'integer' || f.kind === 'number'));
  const h = fields.find((f) => /^height$/i.test(f.name) && (f.kind === 'integer' || f.kind === 'number'));
  if (w && h) {
    // Keep the model's default area (e.g. SDXL's 1024×1024), in multiples of 8 as diffusion models need.
    const area = (Number(w.default) || 1024) * (Number(h.default) || 1024);
    const width = clamp(roundTo(Math.sqrt(area * want), 8), w);
    const height = clamp(roundTo(Math.sqrt(area / want), 8), h);
    input[w.name] = width;
    input[h.name] = height;
    out.aspectRatio = { to: `${w.name}×${h.name}`, sent: `${width}×${height}` };
    return;
  }
  out.aspectRatio = { to: null, note: 'This model has no aspect ratio or size input; not sent.' };
}
