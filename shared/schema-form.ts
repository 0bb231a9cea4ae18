// OpenAPI `Input` schema → ordered form field descriptors, plus client-side validation. Two
// dialects: Replicate's (enums as `allOf:[{$ref}]`, `x-order` per property, `format: uri` for
// files) and fal's (pydantic: `anyOf` unions such as `image_size` = ImageSize | preset enum,
// `anyOf:[T, {type:null}]` for optionals, `x-fal-order-properties` on the object, `*_url` strings
// for files; a union of presets and a `{width, height}` object is a `size` field). Pure: the
// composer renders whatever this returns, and anything it cannot understand becomes a JSON field
// rather than breaking the form.

export type FieldKind = 'prompt' | 'string' | 'number' | 'integer' | 'boolean' | 'enum' | 'array' | 'file' | 'json' | 'size';

/** Inclusive bounds of a number, and its default, each null when the schema gives none. */
export interface Bounds {
  min: number | null;
  max: number | null;
  default: number | null;
}

export interface FormField {
  name: string;
  label: string;
  kind: FieldKind;
  required: boolean;
  description: string | null;
  default: unknown;
  /** number/integer bounds (inclusive) */
  min: number | null;
  max: number | null;
  /** enum choices, in the schema's order; for 'json' and 'size', the presets a union also takes by name */
  options: (string | number)[] | null;
  /** 'size': a custom size's width and height (whole numbers when `integer`), besides the presets */
  dims?: { width: Bounds; height: Bounds; integer: boolean } | null;
  /** array: the item kind ('string' | 'number' | 'integer' | 'file'); json: 'json' when the value must be a list */
  itemKind: FieldKind | null;
  /** for 'string': render as several lines (prompts, long text) */
  multiline: boolean;
  order: number;
}

type Schema = Record<string, unknown>;

const isObj = (x: unknown): x is Schema => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * Schema nodes a field, and a whole form, may take to resolve. A provider's schema is untrusted:
 * definitions that each name many others (`allOf: [B, B, …]` eight levels deep) would cost k⁸
 * steps and freeze the page; a real field takes a few dozen. A field past its budget is left to
 * the JSON editor; the others keep theirs, up to the form's.
 */
const FIELD_RESOLVE_BUDGET = 2_000;
const FORM_RESOLVE_BUDGET = 50_000;

/** Resolves `{$ref}` and single-element `allOf` wrappers (how Replicate publishes enums). */
function resolve(s: unknown, defs: Record<string, Schema>, budget: { left: number }, depth = 0): Schema | null {
  if (!isObj(s) || depth > 8 || --budget.left < 0) return null;
  let out: Schema = { ...s };
  if (typeof s.$ref === 'string') {
    const name = s.$ref.split('/').pop() ?? '';
    const target = defs[name];
    if (!target) return null;
    const { $ref: _ignored, ...rest } = out;
    out = { ...resolve(target, defs, budget, depth + 1), ...rest };
  }
  if (Array.isArray(out.allOf) && out.allOf.length > 0) {
    const parts = out.allOf.map((p) => resolve(p, defs, budget, depth + 1));
    if (parts.some((p) => p === null)) return null;
    const { allOf: _a, ...rest } = out;
    out = Object.assign({}, ...parts, rest);
  }
  for (const key of ['anyOf', 'oneOf'] as const) {
    if (Array.isArray(out[key]) && (out[key] as unknown[]).length > 0) {
      const { [key]: members, ...rest } = out;
      const merged = union(
        (members as unknown[]).map((m) => resolve(m, defs, budget, depth + 1)),
        rest,
      );
      if (!merged) return null;
      out = merged;
    }
  }
  // OpenAPI 3.1 / JSON Schema optionals: `type: ['string', 'null']`.
  if (Array.isArray(out.type)) {
    const types = out.type.filter((t) => t !== 'null');
    out = { ...out, type: types.length === 1 ? types[0] : types };
  }
  return out;
}

/** Where a union keeps its preset choices when its value is edited as JSON or as a size (see union). */
const PRESETS = 'x-kiln-presets';
/** Where a union of presets and a `{width, height}` object keeps that object's bounds (see union). */
const DIMS = 'x-kiln-dims';

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
/** A number schema's inclusive bounds (an exclusive bound of a whole number is one step in). */
function boundsOf(s: Schema, integer: boolean): Bounds {
  return {
    min: num(s.minimum) ?? (num(s.exclusiveMinimum) != null && integer ? num(s.exclusiveMinimum)! + 1 : null),
    max: num(s.maximum) ?? (num(s.exclusiveMaximum) != null && integer ? num(s.exclusiveMaximum)! - 1 : null),
    default: num(s.default),
  };
}

/** fal's `ImageSize`: an object whose width and height are numbers. Its bounds, or null. */
function dimensionsOf(m: Schema): FormField['dims'] {
  const props = isObj(m.properties) ? m.properties : null;
  const w = props && isObj(props.width) ? props.width : null;
  const h = props && isObj(props.height) ? props.height : null;
  const numeric = (x: Schema | null) => x !== null && (x.type === 'integer' || x.type === 'number');
  if (!numeric(w) || !numeric(h)) return null;
  const integer = w!.type === 'integer' && h!.type === 'integer';
  return { width: boundsOf(w!, integer), height: boundsOf(h!, integer), integer };
}

const isNull = (s: Schema) => s.type === 'null' || (Array.isArray(s.enum) && s.enum.length === 1 && s.enum[0] === null);
const choiceList = (s: Schema): (string | number)[] | null =>
  Array.isArray(s.enum) && s.enum.length > 0 && s.enum.every((v) => typeof v === 'string' || typeof v === 'number')
    ? (s.enum as (string | number)[])
    : typeof s.const === 'string' || typeof s.const === 'number'
      ? [s.const]
      : null;

/**
 * One field for a union (`anyOf`/`oneOf`), with the outer keys (title, default, description) kept:
 * - `T | null` (an optional) is just T;
 * - a union with preset choices (fal's `image_size`: ImageSize{width,height} | "square_hd" | …) is
 *   those choices, unless the default is not one of them (then the whole value is edited as JSON);
 * - members of one type (`integer | number` → number) are that type; anything else is JSON.
 */
function union(members: (Schema | null)[], outer: Schema): Schema | null {
  const known = members.filter((m): m is Schema => m !== null && !isNull(m));
  if (known.length === 0) return members.some((m) => m === null) ? null : { ...outer };
  if (known.length === 1) return { ...known[0], ...outer };
  const choices = known
    .map(choiceList)
    .filter((c): c is (string | number)[] => c !== null)
    .flat();
  // Presets or a width and height (fal's `image_size`): a size, whatever its default.
  const sized = known.filter((m) => choiceList(m) === null);
  const dims = sized.length === 1 ? dimensionsOf(sized[0]!) : null;
  if (choices.length && dims && choices.every((c) => typeof c === 'string')) return { ...outer, [PRESETS]: [...new Set(choices)], [DIMS]: dims };
  if (choices.length && (outer.default === undefined || outer.default === null || choices.includes(outer.default as string | number))) {
    return { ...outer, type: typeof choices[0] === 'number' ? 'number' : 'string', enum: [...new Set(choices)] };
  }
  // A custom default (Seedream's `{width: 2048, height: 2048}`): the value is JSON, and a preset
  // may still be given by its name (PRESETS: the field's options, validateForm).
  if (choices.length) return { ...outer, [PRESETS]: [...new Set(choices)] };
  const types = new Set(known.map((m) => m.type));
  if (types.size === 2 && types.has('integer') && types.has('number')) return { ...known.find((m) => m.type === 'number'), ...outer };
  if (types.size === 1 && !types.has('object') && !types.has(undefined)) return { ...known[0], ...outer };
  return { ...outer };
}

/** Collects named schemas from wherever this schema document keeps them. */
function collectDefs(root: Schema, extra?: Record<string, unknown>): Record<string, Schema> {
  const defs: Record<string, Schema> = {};
  const add = (src: unknown) => {
    if (isObj(src)) for (const [k, v] of Object.entries(src)) if (isObj(v)) defs[k] = v;
  };
  add(extra);
  add((root.components as Schema | undefined)?.schemas);
  add(root.$defs);
  add(root.definitions);
  return defs;
}

const PROMPT_NAMES = /^(prompt|negative_prompt|system_prompt|text|instructions?)$/i;
// fal's file inputs are plain strings named for what they hold (`image_url`, `mask_url`,
// `image_urls`): a file field, which also takes a typed https URL.
const FILE_URL_NAMES = /(^|_)url$/i;
const FILE_URLS_NAMES = /(^|_)urls$/i;

function humanise(name: string): string {
  const s = name.replace(/[_-]+/g, ' ').trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function kindOf(s: Schema, name: string): { kind: FieldKind; itemKind: FieldKind | null; multiline: boolean } {
  if (isObj(s[DIMS])) return { kind: 'size', itemKind: null, multiline: false };
  if (Array.isArray(s.enum) && s.enum.length > 0 && s.enum.every((v) => typeof v === 'string' || typeof v === 'number')) {
    return { kind: 'enum', itemKind: null, multiline: false };
  }
  const t = s.type;
  if (t === 'string') {
    if (s.format === 'uri' || s.format === 'binary' || FILE_URL_NAMES.test(name)) return { kind: 'file', itemKind: null, multiline: false };
    if (PROMPT_NAMES.test(name) || /prompt/i.test(name)) return { kind: 'prompt', itemKind: null, multiline: true };
    const long = typeof s.maxLength === 'number' ? s.maxLength > 200 : /description|message|content/i.test(name);
    return { kind: 'string', itemKind: null, multiline: long };
  }
  if (t === 'integer') return { kind: 'integer', itemKind: null, multiline: false };
  if (t === 'number') return { kind: 'number', itemKind: null, multiline: false };
  if (t === 'boolean') return { kind: 'boolean', itemKind: null, multiline: false };
  if (t === 'array') {
    const it = isObj(s.items) ? s.items : {};
    let itemKind: FieldKind | null = null;
    if (it.type === 'string') itemKind = it.format === 'uri' || FILE_URLS_NAMES.test(name) ? 'file' : 'string';
    else if (it.type === 'number') itemKind = 'number';
    else if (it.type === 'integer') itemKind = 'integer';
    // Objects (fal's LoRA weights `[{path, scale}]`) or items of no known type cannot be typed one
    // per line: the whole list is edited as JSON, and must parse to a list.
    if (!itemKind) return { kind: 'json', itemKind: 'json', multiline: false };
    return { kind: 'array', itemKind, multiline: false };
  }
  return { kind: 'json', itemKind: null, multiline: false };
}

/**
 * Builds the ordered field list. Accepts the Input object schema itself, or a whole OpenAPI
 * document (then `components.schemas.Input` is used). `extraDefs` resolves `$ref`s the Input
 * schema points at when it was cut out of its document.
 */
export function buildFormFields(schema: Record<string, unknown> | null | undefined, extraDefs?: Record<string, unknown>): FormField[] {
  if (!isObj(schema)) return [];
  const defs = collectDefs(schema, extraDefs);
  const input = isObj(schema.properties) ? schema : (defs.Input ?? null);
  if (!input || !isObj(input.properties)) return [];
  const required = new Set(Array.isArray(input.required) ? input.required.filter((x): x is string => typeof x === 'string') : []);
  // fal orders the form with one list on the object rather than `x-order` on each property.
  const falOrder = Array.isArray(input['x-fal-order-properties'])
    ? (input['x-fal-order-properties'] as unknown[]).filter((x): x is string => typeof x === 'string')
    : [];
  const fields: FormField[] = [];
  let i = 0;
  let formLeft = FORM_RESOLVE_BUDGET;
  for (const [name, raw] of Object.entries(input.properties)) {
    const idx = i++;
    const budget = { left: Math.min(FIELD_RESOLVE_BUDGET, formLeft) };
    let s = resolve(raw, defs, budget);
    // A list's items may be a $ref too (fal's `items: {$ref: LoraWeight}`, enum components): what
    // they resolve to decides the control, within the field's budget.
    if (s && s.type === 'array' && isObj(s.items)) s = { ...s, items: resolve(s.items, defs, budget) ?? {} };
    formLeft -= Math.min(FIELD_RESOLVE_BUDGET, formLeft) - Math.max(0, budget.left);
    const title = isObj(raw) && typeof raw.title === 'string' ? raw.title : s && typeof s.title === 'string' ? s.title : humanise(name);
    const desc =
      (isObj(raw) && typeof raw.description === 'string' ? raw.description : null) ?? (s && typeof s.description === 'string' ? s.description : null);
    const listed = falOrder.indexOf(name);
    const order =
      isObj(raw) && typeof raw['x-order'] === 'number'
        ? raw['x-order']
        : s && typeof s['x-order'] === 'number'
          ? s['x-order']
          : listed >= 0
            ? listed
            : 10_000 + idx;
    if (!s) {
      // A $ref we cannot resolve (the Input schema was cut out of its document): keep the field
      // usable from its default's type instead of breaking the form.
      const def = isObj(raw) ? raw.default : undefined;
      const kind: FieldKind =
        typeof def === 'string'
          ? 'string'
          : typeof def === 'number'
            ? Number.isInteger(def)
              ? 'integer'
              : 'number'
            : typeof def === 'boolean'
              ? 'boolean'
              : 'json';
      fields.push({
        name,
        label: title,
        kind,
        required: required.has(name),
        description: desc,
        default: isObj(raw) ? raw.default : undefined,
        min: null,
        max: null,
        options: null,
        itemKind: null,
        multiline: false,
        order,
      });
      continue;
    }
    const { kind, itemKind, multiline } = kindOf(s, name);
    const presets = (kind === 'json' || kind === 'size') && Array.isArray(s[PRESETS]) ? (s[PRESETS] as (string | number)[]) : null;
    const bounds = boundsOf(s, kind === 'integer');
    fields.push({
      name,
      label: title,
      kind,
      required: required.has(name),
      description: presets && kind === 'json' ? `${desc ? `${desc} ` : ''}JSON, or one of: ${presets.join(', ')}.` : desc,
      default: s.default,
      min: bounds.min,
      max: bounds.max,
      options: kind === 'enum' ? (s.enum as (string | number)[]) : presets,
      ...(kind === 'size' ? { dims: s[DIMS] as FormField['dims'] } : {}),
      itemKind,
      multiline,
      order,
    });
  }
  fields.sort((a, b) => a.order - b.order);
  return fields;
}

/** Initial values: remembered ones (if still valid names) over schema defaults. */
export function initialValues(fields: FormField[], remembered?: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (remembered && Object.hasOwn(remembered, f.name)) out[f.name] = remembered[f.name];
    else if (f.default !== undefined) out[f.name] = f.default;
  }
  return out;
}

const isEmpty = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

/**
 * Checks values against the fields and returns the input to send (empty optionals dropped, JSON
 * fields parsed, numbers coerced) or per-field messages.
 */
export function validateForm(
  fields: FormField[],
  values: Record<string, unknown>,
): { ok: true; input: Record<string, unknown> } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const input: Record<string, unknown> = {};
  for (const f of fields) {
    let v = values[f.name];
    if (isEmpty(v)) {
      if (f.required) errors[f.name] = `${f.label} is required`;
      continue;
    }
    switch (f.kind) {
      case 'number':
      case 'integer': {
        const n = typeof v === 'number' ? v : Number(String(v).trim());
        if (!Number.isFinite(n)) {
          errors[f.name] = 'Enter a number';
          continue;
        }
        if (f.kind === 'integer' && !Number.isInteger(n)) {
          errors[f.name] = 'Enter a whole number';
          continue;
        }
        if (f.min != null && n < f.min) {
          errors[f.name] = `Must be at least ${f.min}`;
          continue;
        }
        if (f.max != null && n > f.max) {
          errors[f.name] = `Must be at most ${f.max}`;
          continue;
        }
        v = n;
        break;
      }
      case 'boolean':
        v = v === true || v === 'true';
        break;
      case 'enum': {
        const match = f.options!.find((o) => String(o) === String(v));
        if (match === undefined) {
          errors[f.name] = `Choose one of ${f.options!.join(', ')}`;
          continue;
        }
        v = match;
        break;
      }
      case 'array': {
        let arr: unknown = v;
        if (typeof arr === 'string') {
          const text: string = arr;
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          // Only a JSON list is read as JSON: one item on its line may read as a number or a word
          // of JSON (an Ideogram style code `12345678`) and is still that one item.
          arr = Array.isArray(parsed)
            ? parsed
            : text
                .split('\n')
                .map((line) => line.trim())
                .filter(Boolean);
        }
        if (!Array.isArray(arr)) {
          errors[f.name] = 'Enter a list';
          continue;
        }
        if (f.itemKind === 'number' || f.itemKind === 'integer') {
          const nums = arr.map(Number);
          if (nums.some((n) => !Number.isFinite(n))) {
            errors[f.name] = 'Every item must be a number';
            continue;
          }
          arr = nums;
        }
        v = arr;
        break;
      }
      case 'size': {
        const size = readSize(f, v);
        if (typeof size === 'object' && 'error' in size) {
          errors[f.name] = size.error;
          continue;
        }
        v = size;
        break;
      }
      case 'json': {
        if (typeof v === 'string') {
          // A union that takes text too (its default is text, e.g. "auto") keeps plain words as they are.
          const text = v.trim();
          const preset = f.options?.find((o) => String(o) === text);
          try {
            v = preset ?? JSON.parse(v);
          } catch {
            if (typeof f.default !== 'string') {
              errors[f.name] = f.options ? `Not valid JSON, nor one of ${f.options.join(', ')}` : 'Not valid JSON';
              continue;
            }
          }
        }
        // A typed `null` is no value: fal's models refuse null where they meant "leave it out".
        if (v === null) {
          if (f.required) errors[f.name] = `${f.label} is required`;
          continue;
        }
        if (f.itemKind === 'json' && !Array.isArray(v)) {
          errors[f.name] = 'Enter a list: [ … ]';
          continue;
        }
        break;
      }
      default:
        if (typeof v !== 'string') v = String(v);
    }
    input[f.name] = v;
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, input };
}

/**
 * A size field's value as fal takes it: one of the presets by name, or `{width, height}` within
 * the schema's bounds. Typed text may be a preset, "1024x768" or the object as JSON.
 */
export function readSize(f: FormField, v: unknown): string | number | { width: number; height: number } | { error: string } {
  const presets = f.options ?? [];
  const either = `Choose one of ${presets.join(', ')}, or a width and height`;
  let value = v;
  if (typeof value === 'string') {
    const text = value.trim();
    const preset = presets.find((o) => String(o) === text);
    if (preset !== undefined) return preset;
    const wxh = /^(\d+)\s*[x×]\s*(\d+)$/i.exec(text);
    if (wxh) value = { width: Number(wxh[1]), height: Number(wxh[2]) };
    else {
      try {
        value = JSON.parse(text);
      } catch {
        return { error: either };
      }
    }
  }
  if (!isObj(value)) return { error: either };
  const out: { width: number; height: number } = { width: 0, height: 0 };
  for (const side of ['width', 'height'] as const) {
    const b = f.dims?.[side];
    const raw = value[side];
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
    const name = side === 'width' ? 'Width' : 'Height';
    if (!Number.isFinite(n)) return { error: `${name}: enter a number` };
    if (f.dims?.integer !== false && !Number.isInteger(n)) return { error: `${name}: enter a whole number` };
    if (b?.min != null && n < b.min) return { error: `${name} must be at least ${b.min}` };
    if (b?.max != null && n > b.max) return { error: `${name} must be at most ${b.max}` };
    out[side] = n;
  }
  return out;
}
