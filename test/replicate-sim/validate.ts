// Input validation against a model's Cog schema, with Replicate's gojsonschema-style messages
// ("Must be less than or equal to 4", "Invalid type. Expected: integer, given: string") and
// `invalid_fields` entries. Hand-rolled because only this small subset of JSON Schema appears in
// Cog schemas and we must reproduce Replicate's exact error wording, which no validator library does.
import type { CatalogueModel } from './catalogue.ts';

export interface InvalidField {
  type: string;
  field: string;
  description: string;
}

function resolve(m: CatalogueModel, schema: any): any {
  const ref = schema?.allOf?.[0]?.$ref as string | undefined;
  if (!ref) return schema;
  const target = m.enums[ref.split('/').pop()!];
  return { ...target, ...schema, allOf: undefined };
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(expected: string, v: unknown): boolean {
  const t = typeOf(v);
  if (expected === 'number') return t === 'number' || t === 'integer';
  return expected === t;
}

export function validateInput(m: CatalogueModel, input: unknown): InvalidField[] {
  if (input === undefined || input === null || typeof input !== 'object' || Array.isArray(input)) {
    return [{ type: 'required', field: '(root)', description: 'input is required' }];
  }
  const errors: InvalidField[] = [];
  const obj = input as Record<string, unknown>;
  for (const name of m.required) {
    if (obj[name] === undefined) errors.push({ type: 'required', field: 'input', description: `${name} is required` });
  }
  for (const [name, raw] of Object.entries(m.inputProperties)) {
    const v = obj[name];
    if (v === undefined) continue;
    const s = resolve(m, raw);
    const field = `input.${name}`;
    if (s.type && !typeMatches(s.type, v)) {
      errors.push({ type: 'invalid_type', field, description: `Invalid type. Expected: ${s.type}, given: ${typeOf(v)}` });
      continue;
    }
    if (Array.isArray(s.enum) && !s.enum.includes(v)) {
      errors.push({ type: 'enum', field, description: `${field} must be one of the following: ${s.enum.map((e: unknown) => JSON.stringify(e)).join(', ')}` });
    }
    if (typeof v === 'number') {
      if (typeof s.minimum === 'number' && v < s.minimum)
        errors.push({ type: 'number_gte', field, description: `Must be greater than or equal to ${s.minimum}` });
      if (typeof s.maximum === 'number' && v > s.maximum) errors.push({ type: 'number_lte', field, description: `Must be less than or equal to ${s.maximum}` });
    }
    if (s.format === 'uri' && typeof v === 'string' && !/^(https?:|data:)/i.test(v)) {
      errors.push({ type: 'format', field, description: "Does not match format 'uri'" });
    }
  }
  return errors;
}

/** Input with schema defaults filled in, the way the model sees it. */
export function withDefaults(m: CatalogueModel, input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(m.inputProperties)) {
    const s = resolve(m, raw);
    if (s.default !== undefined) out[name] = s.default;
  }
  return { ...out, ...input };
}
