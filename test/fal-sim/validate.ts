// The runner's input validation, with FastAPI/pydantic v2 wording and fal's extra `url` field
// (reference §6: `{detail:[{loc:["body","prompt"], msg, type, url, ctx?, input?}]}`). fal does not
// validate at submit: the queue accepts anything and the 422 surfaces only at the result fetch.
import type { CatalogueEndpoint } from './catalogue.ts';
import { IMAGE_SIZES } from './catalogue.ts';

export interface DetailItem {
  loc: (string | number)[];
  msg: string;
  type: string;
  url: string;
  ctx?: Record<string, unknown>;
  input?: unknown;
}

const item = (field: string, type: string, msg: string, input: unknown, ctx?: Record<string, unknown>): DetailItem => ({
  loc: ['body', field],
  msg,
  type,
  url: `https://docs.fal.ai/errors#${type}`,
  ...(ctx ? { ctx } : {}),
  ...(input !== undefined ? { input } : {}),
});

function checkOne(field: string, s: any, v: unknown): DetailItem | null {
  if (s.anyOf) {
    // image_size: an ImageSize object or one of the named sizes.
    if (typeof v === 'string')
      return v in IMAGE_SIZES
        ? null
        : item(
            field,
            'enum',
            `Input should be ${Object.keys(IMAGE_SIZES)
              .map((k) => `'${k}'`)
              .join(', ')}`,
            v,
          );
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const { width, height } = v as { width?: unknown; height?: unknown };
      if (Number.isInteger(width) && Number.isInteger(height) && (width as number) > 0 && (height as number) > 0) return null;
    }
    return item(field, 'model_attributes_type', 'Input should be a valid dictionary or object to extract fields from', v);
  }
  switch (s.type) {
    case 'string':
      if (typeof v !== 'string') return item(field, 'string_type', 'Input should be a valid string', v);
      if (Array.isArray(s.enum) && !s.enum.includes(v)) {
        return item(field, 'literal_error', `Input should be ${s.enum.map((e: string) => `'${e}'`).join(' or ')}`, v, {
          expected: s.enum.map((e: string) => `'${e}'`).join(' or '),
        });
      }
      if (typeof s.maxLength === 'number' && v.length > s.maxLength) {
        return item(field, 'string_too_long', `String should have at most ${s.maxLength} characters`, v, { max_length: s.maxLength });
      }
      return null;
    case 'integer':
      if (typeof v !== 'number' || !Number.isInteger(v)) return item(field, 'int_parsing', 'Input should be a valid integer', v);
      break;
    case 'number':
      if (typeof v !== 'number') return item(field, 'float_parsing', 'Input should be a valid number', v);
      break;
    case 'boolean':
      return typeof v === 'boolean' ? null : item(field, 'bool_parsing', 'Input should be a valid boolean', v);
    default:
      return null;
  }
  const n = v as number;
  if (typeof s.minimum === 'number' && n < s.minimum)
    return item(field, 'greater_than_equal', `Input should be greater than or equal to ${s.minimum}`, v, { ge: s.minimum });
  if (typeof s.maximum === 'number' && n > s.maximum)
    return item(field, 'less_than_equal', `Input should be less than or equal to ${s.maximum}`, v, { le: s.maximum });
  return null;
}

export function validateInput(e: CatalogueEndpoint, input: unknown): DetailItem[] {
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    return [{ loc: ['body'], msg: 'Input should be a valid dictionary', type: 'dict_type', url: 'https://docs.fal.ai/errors#dict_type', input }];
  }
  const obj = input as Record<string, unknown>;
  const out: DetailItem[] = [];
  for (const name of e.required) {
    if (obj[name] === undefined)
      out.push({ loc: ['body', name], msg: 'Field required', type: 'missing', url: 'https://docs.fal.ai/errors#missing', input: obj });
  }
  for (const [name, s] of Object.entries(e.input)) {
    if (obj[name] === undefined || obj[name] === null) continue;
    const bad = checkOne(name, s, obj[name]);
    if (bad) out.push(bad);
  }
  return out;
}

/** Input with schema defaults filled in, the way the model sees it. */
export function withDefaults(e: CatalogueEndpoint, input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(e.input)) if (s.default !== undefined) out[name] = s.default;
  return { ...out, ...input };
}
