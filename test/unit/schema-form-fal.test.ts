import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { buildFormFields, initialValues, validateForm } from '../../shared/schema-form.ts';
import { CATALOGUE, findEndpoint, openapiFor } from '../fal-sim/catalogue.ts';
import { schemasFromOpenApi } from '../../electron/backend/providers/fal/platform.ts';

// fal's per-model OpenAPI input schemas (pydantic dialect: anyOf unions, x-fal-order-properties,
// `*_url` file inputs), cut out of the document exactly as models:get does for a `fal:` ref
// (the Input object with every component beside it), rendered by the same form code as Replicate's.

function falInput(id: string) {
  const e = findEndpoint(id)!;
  const s = schemasFromOpenApi(id, openapiFor(e, 'https://queue.fal.run'));
  return { ...s.input, components: { schemas: s.components } };
}

describe('fal input schemas in the composer form', () => {
  it('renders fal-ai/flux/dev: prompt first, image_size as a size (presets or width × height), bounds and enums', () => {
    const fields = buildFormFields(falInput('fal-ai/flux/dev'));
    expect(fields.map((f) => f.name)).toEqual([
      'prompt',
      'image_size',
      'num_inference_steps',
      'seed',
      'guidance_scale',
      'num_images',
      'enable_safety_checker',
      'output_format',
      'sync_mode',
    ]);
    expect(fields[0]).toMatchObject({ name: 'prompt', kind: 'prompt', required: true });
    // ImageSize{width,height} | "square_hd" | …: a size — the presets by name, or a custom width and
    // height within ImageSize's own bounds (exclusiveMinimum 0 → at least 1) — the default kept.
    const size = fields.find((f) => f.name === 'image_size')!;
    expect(size).toMatchObject({ kind: 'size', default: 'landscape_4_3', label: 'Image Size' });
    expect(size.options).toEqual(['square_hd', 'square', 'portrait_4_3', 'portrait_16_9', 'landscape_4_3', 'landscape_16_9']);
    expect(size.dims).toEqual({ width: { min: 1, max: 14142, default: 512 }, height: { min: 1, max: 14142, default: 512 }, integer: true });
    expect(fields.find((f) => f.name === 'num_inference_steps')).toMatchObject({ kind: 'integer', min: 1, max: 50, default: 28 });
    expect(fields.find((f) => f.name === 'output_format')).toMatchObject({ kind: 'enum', options: ['jpeg', 'png'] });
    expect(fields.find((f) => f.name === 'enable_safety_checker')).toMatchObject({ kind: 'boolean', default: true });

    // The untouched form validates and sends fal what it expects (image_size a preset string).
    const v = validateForm(fields, { ...initialValues(fields), prompt: 'a fox' });
    expect(v.ok).toBe(true);
    if (v.ok) expect(v.input).toMatchObject({ prompt: 'a fox', image_size: 'landscape_4_3', num_inference_steps: 28, output_format: 'jpeg' });
    // A custom size is sent as the object fal documents; typed as "W x H" or JSON too; bounds hold.
    const send = (image_size: unknown) => validateForm(fields, { ...initialValues(fields), prompt: 'a fox', image_size });
    expect(send({ width: 1200, height: 800 })).toMatchObject({ ok: true, input: { image_size: { width: 1200, height: 800 } } });
    expect(send({ width: '1200', height: '800' })).toMatchObject({ ok: true, input: { image_size: { width: 1200, height: 800 } } });
    expect(send('1200 x 800')).toMatchObject({ ok: true, input: { image_size: { width: 1200, height: 800 } } });
    expect(send('{"width": 640, "height": 480}')).toMatchObject({ ok: true, input: { image_size: { width: 640, height: 480 } } });
    expect(send({ width: 0, height: 800 })).toEqual({ ok: false, errors: { image_size: 'Width must be at least 1' } });
    expect(send({ width: 1200, height: 20_000 })).toEqual({ ok: false, errors: { image_size: 'Height must be at most 14142' } });
    expect(send({ width: 1200.5, height: 800 })).toEqual({ ok: false, errors: { image_size: 'Width: enter a whole number' } });
    expect(send({ width: '', height: 800 })).toEqual({ ok: false, errors: { image_size: 'Width: enter a number' } });
    expect(send('huge')).toMatchObject({ ok: false, errors: { image_size: expect.stringMatching(/square_hd.*width and height/) } });
  });

  it('finds the file input of an image-to-image endpoint (image_url is a plain string in fal)', () => {
    const fields = buildFormFields(falInput('fal-ai/esrgan'));
    expect(fields.find((f) => f.name === 'image_url')).toMatchObject({ kind: 'file', required: true });
    expect(fields.find((f) => f.name === 'model')).toMatchObject({ kind: 'enum', default: 'RealESRGAN_x4plus' });
    expect(fields.find((f) => f.name === 'scale')).toMatchObject({ kind: 'number', min: 1, max: 8 });
  });

  it('renders the video endpoint: string enums stay strings, long text is multiline', () => {
    const fields = buildFormFields(falInput('fal-ai/kling-video/v2.1/master/text-to-video'));
    expect(fields.find((f) => f.name === 'duration')).toMatchObject({ kind: 'enum', options: ['5', '10'], default: '5' });
    expect(fields.find((f) => f.name === 'negative_prompt')).toMatchObject({ kind: 'prompt', multiline: true });
    const v = validateForm(fields, { ...initialValues(fields), prompt: 'embers', duration: '10' });
    expect(v.ok && v.input.duration).toBe('10');
  });

  it('maps every simulator endpoint without a raw JSON field', () => {
    for (const e of CATALOGUE) {
      const fields = buildFormFields(falInput(e.id));
      expect(fields.length, e.id).toBeGreaterThan(0);
      expect(
        fields.filter((f) => f.kind === 'json').map((f) => f.name),
        e.id,
      ).toEqual([]);
    }
  });

  it('pydantic unions: optionals, mixed numbers, object defaults, JSON Schema null types, url lists', () => {
    const schema = {
      type: 'object',
      'x-fal-order-properties': ['image_urls', 'steps', 'strength', 'size', 'acceleration', 'style'],
      properties: {
        style: { title: 'Style', anyOf: [{ type: 'string' }, { type: 'null' }], default: null },
        steps: { title: 'Steps', anyOf: [{ type: 'integer', minimum: 1, maximum: 8 }, { type: 'null' }] },
        strength: { anyOf: [{ type: 'integer' }, { type: 'number', maximum: 1 }], default: 0.5 },
        size: {
          title: 'Size',
          anyOf: [{ $ref: '#/components/schemas/ImageSize' }, { type: 'string', enum: ['square', 'landscape_4_3'] }],
          default: { width: 640, height: 480 },
        },
        acceleration: { type: ['string', 'null'], enum: ['none', 'regular', 'high'], default: 'regular' },
        image_urls: { type: 'array', items: { type: 'string' }, title: 'Image Urls' },
      },
      components: { schemas: { ImageSize: { type: 'object', properties: { width: { type: 'integer' }, height: { type: 'integer' } } } } },
    };
    const fields = buildFormFields(schema);
    expect(fields.map((f) => f.name)).toEqual(['image_urls', 'steps', 'strength', 'size', 'acceleration', 'style']);
    expect(fields.find((f) => f.name === 'style')).toMatchObject({ kind: 'string', default: null });
    expect(fields.find((f) => f.name === 'steps')).toMatchObject({ kind: 'integer', min: 1, max: 8 });
    expect(fields.find((f) => f.name === 'strength')).toMatchObject({ kind: 'number', max: 1 });
    // A custom size as the default: a size field, sent as the object.
    expect(fields.find((f) => f.name === 'size')).toMatchObject({ kind: 'size', default: { width: 640, height: 480 } });
    expect(fields.find((f) => f.name === 'acceleration')).toMatchObject({ kind: 'enum', options: ['none', 'regular', 'high'] });
    expect(fields.find((f) => f.name === 'image_urls')).toMatchObject({ kind: 'array', itemKind: 'file' });
    const v = validateForm(fields, initialValues(fields));
    expect(v.ok).toBe(true);
    if (v.ok) expect(v.input).toEqual({ strength: 0.5, size: { width: 640, height: 480 }, acceleration: 'regular' });
    // A union that also takes text keeps a typed word as text rather than calling it bad JSON.
    const textOrObject = buildFormFields({ type: 'object', properties: { mode: { anyOf: [{ type: 'object' }, { type: 'string' }], default: 'auto' } } });
    expect(textOrObject[0]!.kind).toBe('json');
    expect(validateForm(textOrObject, { mode: 'auto' })).toEqual({ ok: true, input: { mode: 'auto' } });
  });
});

// Shapes of real fal inputs the simulator's catalogue does not have. flux-lora's document is written
// by hand (test/fixtures/fal/README.md) from fal's llms.txt for fal-ai/flux-lora and fal-js's
// generated `FluxLoraInput`/`LoraWeight` types; the others are cut down from fal-js's types.
describe('fal inputs beyond the simulator', () => {
  const page = JSON.parse(readFileSync(new URL('../fixtures/fal/platform/models-openapi-flux-lora.json', import.meta.url), 'utf8'));
  const s = schemasFromOpenApi('fal-ai/flux-lora', page.models[0].openapi);
  const fields = buildFormFields({ ...s.input, components: { schemas: s.components } });
  const loras = fields.find((f) => f.name === 'loras')!;
  const lora = { path: 'https://huggingface.co/owner/repo/resolve/main/style.safetensors', scale: 0.8 };

  it('edits a list of LoraWeight objects as JSON and sends the objects, never their text', () => {
    expect(loras).toMatchObject({ kind: 'json', default: [] });
    expect(fields.find((f) => f.name === 'output_format')).toMatchObject({ kind: 'enum', options: ['jpeg', 'png'], default: 'jpeg' });
    // The untouched form leaves the empty list out; a remixed run's LoRAs go back as they were.
    const untouched = validateForm(fields, { ...initialValues(fields), prompt: 'a fox' });
    expect(untouched.ok && 'loras' in untouched.input).toBe(false);
    expect(validateForm(fields, { ...initialValues(fields, { loras: [lora] }), prompt: 'a fox' })).toMatchObject({ ok: true, input: { loras: [lora] } });
    // Typed text is parsed: objects, not one string per line.
    const typed = validateForm(fields, { prompt: 'a fox', loras: JSON.stringify([lora], null, 2) });
    expect(typed).toMatchObject({ ok: true, input: { loras: [lora] } });
    // One object where a list belongs is named, not sent for fal to refuse.
    expect(validateForm(fields, { prompt: 'a fox', loras: JSON.stringify(lora) })).toEqual({ ok: false, errors: { loras: 'Enter a list: [ … ]' } });
  });

  it('a JSON field left as `null` is left out, not sent as a null fal refuses (Recraft `background_color: RGBColor`)', () => {
    const f = buildFormFields({
      type: 'object',
      properties: { background_color: { title: 'Background Color', allOf: [{ $ref: '#/components/schemas/RGBColor' }] } },
      components: { schemas: { RGBColor: { type: 'object', properties: { r: { type: 'integer' }, g: { type: 'integer' }, b: { type: 'integer' } } } } },
    });
    expect(f[0]).toMatchObject({ kind: 'json' });
    expect(validateForm(f, { background_color: 'null' })).toEqual({ ok: true, input: {} });
    expect(validateForm(f, { background_color: '{"r":255,"g":0,"b":0}' })).toEqual({ ok: true, input: { background_color: { r: 255, g: 0, b: 0 } } });
  });

  it('resolves list items that are $refs: enum items stay a list of words (AnimateDiff `motions`)', () => {
    const f = buildFormFields({
      type: 'object',
      properties: { motions: { title: 'Motions', type: 'array', items: { $ref: '#/components/schemas/MotionsEnum' } } },
      components: { schemas: { MotionsEnum: { title: 'MotionsEnum', type: 'string', enum: ['zoom-out', 'zoom-in', 'pan-left'] } } },
    });
    expect(f[0]).toMatchObject({ kind: 'array', itemKind: 'string' });
    expect(validateForm(f, { motions: 'zoom-in\npan-left' })).toEqual({ ok: true, input: { motions: ['zoom-in', 'pan-left'] } });
  });

  it('a one-item list typed on one line is that item, even when it reads as a JSON number (Ideogram `style_codes`)', () => {
    const f = buildFormFields({ type: 'object', properties: { style_codes: { title: 'Style Codes', type: 'array', items: { type: 'string' } } } });
    expect(validateForm(f, { style_codes: '12345678' })).toEqual({ ok: true, input: { style_codes: ['12345678'] } });
    expect(validateForm(f, { style_codes: '12345678\n5e0ab7c2' })).toEqual({ ok: true, input: { style_codes: ['12345678', '5e0ab7c2'] } });
    const n = buildFormFields({ type: 'object', properties: { frames: { type: 'array', items: { type: 'integer' } } } });
    expect(validateForm(n, { frames: '12' })).toEqual({ ok: true, input: { frames: [12] } });
  });
});

describe('a size that is a preset or a custom object, its default a custom one (Seedream v4)', () => {
  const schema = {
    type: 'object',
    properties: {
      prompt: { type: 'string' },
      image_size: {
        title: 'Image Size',
        default: { width: 2048, height: 2048 },
        anyOf: [{ $ref: '#/components/schemas/ImageSize' }, { enum: ['square_hd', 'square', 'portrait_4_3', 'landscape_16_9'], type: 'string' }],
      },
    },
    components: { schemas: { ImageSize: { type: 'object', properties: { width: { type: 'integer' }, height: { type: 'integer' } } } } },
  };

  it('is a size field with the custom default, that also takes a preset by its name', () => {
    const fields = buildFormFields(schema);
    const size = fields.find((f) => f.name === 'image_size')!;
    expect(size.kind).toBe('size');
    expect(size.default).toEqual({ width: 2048, height: 2048 });
    expect(size.options).toEqual(['square_hd', 'square', 'portrait_4_3', 'landscape_16_9']);
    expect(validateForm(fields, { ...initialValues(fields), prompt: 'p' })).toEqual({
      ok: true,
      input: { prompt: 'p', image_size: { width: 2048, height: 2048 } },
    });
    const preset = validateForm(fields, { ...initialValues(fields), prompt: 'p', image_size: ' landscape_16_9 ' });
    expect(preset).toEqual({ ok: true, input: { prompt: 'p', image_size: 'landscape_16_9' } });
    const custom = validateForm(fields, { ...initialValues(fields), prompt: 'p', image_size: '{"width": 1024, "height": 768}' });
    expect(custom).toEqual({ ok: true, input: { prompt: 'p', image_size: { width: 1024, height: 768 } } });
    const wrong = validateForm(fields, { ...initialValues(fields), prompt: 'p', image_size: 'huge' });
    expect(wrong.ok).toBe(false);
    expect(!wrong.ok && wrong.errors.image_size).toMatch(/square_hd/);
  });
});
