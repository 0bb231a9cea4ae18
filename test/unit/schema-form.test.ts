import { describe, it, expect } from 'vitest';
import { buildFormFields, initialValues, validateForm } from '../../shared/schema-form.ts';
import { CATALOGUE, openapiSchema, fullName } from '../replicate-sim/catalogue.ts';

// Schemas shaped exactly like Replicate/Cog publishes them (the simulator's catalogue mirrors the
// real models), plus hand-made edge cases.

const flux = CATALOGUE.find((m) => fullName(m) === 'black-forest-labs/flux-schnell')!;
const fluxDoc = openapiSchema(flux);

describe('buildFormFields', () => {
  it('orders by x-order and resolves enum $refs through allOf from the whole document', () => {
    const fields = buildFormFields(fluxDoc);
    expect(fields[0]!.name).toBe('prompt');
    expect(fields[0]!.kind).toBe('prompt');
    expect(fields[0]!.required).toBe(true);
    const ar = fields.find((f) => f.name === 'aspect_ratio')!;
    expect(ar.kind).toBe('enum');
    expect(ar.options).toContain('16:9');
    expect(ar.default).toBe('1:1');
    const n = fields.find((f) => f.name === 'num_outputs')!;
    expect(n).toMatchObject({ kind: 'integer', min: 1, max: 4 });
    const orders = fields.map((f) => f.order);
    expect([...orders].sort((a, b) => a - b)).toEqual(orders);
  });

  it('resolves refs when only the Input schema is given with its components alongside', () => {
    const input = fluxDoc.components.schemas.Input;
    const withDefs = buildFormFields(input, fluxDoc.components.schemas);
    expect(withDefs.find((f) => f.name === 'output_format')!.kind).toBe('enum');
    // Without them the field degrades to its default's type, never breaks the form.
    const bare = buildFormFields(input);
    expect(bare.find((f) => f.name === 'output_format')).toMatchObject({ kind: 'string', default: 'webp' });
  });

  it('maps every catalogue model without throwing, and finds file inputs', () => {
    for (const m of CATALOGUE) {
      const fields = buildFormFields(openapiSchema(m));
      expect(fields.length, fullName(m)).toBeGreaterThan(0);
      expect(
        fields.every((f) => f.kind !== 'json'),
        fullName(m),
      ).toBe(true);
    }
    const esrgan = CATALOGUE.find((m) => m.inputProperties.image && (m.inputProperties.image as any).format === 'uri' && m.required.includes('image'));
    expect(esrgan, 'the catalogue has a model with a required file input').toBeDefined();
    expect(buildFormFields(openapiSchema(esrgan!)).find((f) => f.name === 'image')!.kind).toBe('file');
  });

  it('falls back to a JSON field for shapes it does not know', () => {
    const fields = buildFormFields({
      type: 'object',
      properties: {
        weird: { oneOf: [{ type: 'string' }, { type: 'number' }], description: 'either' },
        list: { type: 'array', items: { type: 'integer' } },
        files: { type: 'array', items: { type: 'string', format: 'uri' } },
        flag: { type: 'boolean', default: false },
        ratio: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
      },
    });
    const by = Object.fromEntries(fields.map((f) => [f.name, f]));
    expect(by.weird!.kind).toBe('json');
    expect(by.weird!.description).toBe('either');
    expect(by.list).toMatchObject({ kind: 'array', itemKind: 'integer' });
    expect(by.files).toMatchObject({ kind: 'array', itemKind: 'file' });
    expect(by.flag).toMatchObject({ kind: 'boolean', default: false });
    expect(by.ratio).toMatchObject({ kind: 'number', min: null, max: 1 });
    // No x-order: schema order is kept.
    expect(fields.map((f) => f.name)).toEqual(['weird', 'list', 'files', 'flag', 'ratio']);
  });

  it('a hostile schema whose definitions each name many others costs a bounded amount of work', () => {
    // Four levels of 100-way allOf (each level a $ref and an allOf, within the depth limit): 10^8
    // steps if followed, a frozen page, from a schema of a few kilobytes.
    const schemas: Record<string, unknown> = { L4: { type: 'string' } };
    for (let l = 3; l >= 0; l--) schemas[`L${l}`] = { allOf: Array.from({ length: 100 }, () => ({ $ref: `#/components/schemas/L${l + 1}` })) };
    const doc = {
      components: {
        schemas: {
          ...schemas,
          Input: { type: 'object', properties: { trap: { $ref: '#/components/schemas/L0' }, prompt: { type: 'string', title: 'Prompt' } } },
        },
      },
    };
    const fields = buildFormFields(doc);
    expect(fields.map((f) => f.name)).toEqual(['trap', 'prompt']);
    expect(fields[0]!.kind).toBe('json');
    expect(fields[1]!.kind).toBe('prompt'); // the other fields keep their own budget
  });

  it('returns nothing for a missing schema', () => {
    expect(buildFormFields(null)).toEqual([]);
    expect(buildFormFields({ type: 'object' })).toEqual([]);
  });
});

describe('initialValues', () => {
  it('prefers remembered values over defaults', () => {
    const fields = buildFormFields(fluxDoc);
    const v = initialValues(fields, { prompt: 'a fox', aspect_ratio: '16:9' });
    expect(v.prompt).toBe('a fox');
    expect(v.aspect_ratio).toBe('16:9');
    expect(v.num_outputs).toBe(fields.find((f) => f.name === 'num_outputs')!.default);
  });
});

describe('validateForm', () => {
  const fields = buildFormFields(fluxDoc);

  it('reports required, range and enum problems per field', () => {
    const r = validateForm(fields, { prompt: '', num_outputs: 9, aspect_ratio: '7:3' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.prompt).toMatch(/required/);
    expect(r.errors.num_outputs).toMatch(/at most 4/);
    expect(r.errors.aspect_ratio).toMatch(/Choose one of/);
  });

  it('coerces and drops empty optionals', () => {
    const r = validateForm(fields, { prompt: 'a fox', num_outputs: '2', seed: '', aspect_ratio: '1:1' });
    expect(r).toEqual({ ok: true, input: { prompt: 'a fox', num_outputs: 2, aspect_ratio: '1:1' } });
  });

  it('rejects fractional integers and bad JSON', () => {
    const extra = buildFormFields({ type: 'object', properties: { n: { type: 'integer' }, j: { type: 'object' } } });
    const r = validateForm(extra, { n: 1.5, j: '{nope' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toEqual({ n: 'Enter a whole number', j: 'Not valid JSON' });
    expect(validateForm(extra, { n: 3, j: '{"a":1}' })).toEqual({ ok: true, input: { n: 3, j: { a: 1 } } });
  });
});
