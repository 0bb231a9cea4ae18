import { describe, expect, it } from 'vitest';
import { mapCanonical, parseRatio } from '../../shared/compare/canonical.ts';
import { findModel, openapiSchema } from '../replicate-sim/catalogue.ts';
import { findEndpoint, openapiFor } from '../fal-sim/catalogue.ts';
import { schemasFromOpenApi } from '../../electron/backend/providers/fal/platform.ts';

// Compare's canonical input mapped onto real-shaped schemas: Replicate's as models:get builds them
// from the simulator's OpenAPI documents (Input beside its enum components), fal's as its platform
// client extracts them from the simulator's per-endpoint OpenAPI (Input with its components).

function replicate(ref: string): Record<string, unknown> {
  const [owner, name] = ref.split('/');
  const schemas = openapiSchema(findModel(owner!, name!)!).components.schemas;
  return { ...schemas.Input, components: { schemas } };
}
function fal(id: string): Record<string, unknown> {
  const s = schemasFromOpenApi(id, openapiFor(findEndpoint(id)!, 'http://127.0.0.1:1'));
  return { ...s.input, components: { schemas: s.components } };
}

const ALL = { prompt: 'a kiln at dusk', negativePrompt: 'blur', seed: 42, aspectRatio: '16:9', image: 'kiln-file:abc' };

describe('mapCanonical', () => {
  it.each([
    // [model, schema, expected input, fields without an equivalent]
    [
      'replicate flux-schnell',
      replicate('black-forest-labs/flux-schnell'),
      { prompt: 'a kiln at dusk', seed: 42, aspect_ratio: '16:9' },
      ['negativePrompt', 'image'],
    ],
    [
      'replicate flux-dev',
      replicate('black-forest-labs/flux-dev'),
      { prompt: 'a kiln at dusk', seed: 42, aspect_ratio: '16:9', image: 'kiln-file:abc' },
      ['negativePrompt'],
    ],
    [
      'replicate sdxl (width/height)',
      replicate('stability-ai/sdxl'),
      { prompt: 'a kiln at dusk', negative_prompt: 'blur', seed: 42, image: 'kiln-file:abc', width: 1368, height: 768 },
      [],
    ],
    [
      'replicate veo-3',
      replicate('google/veo-3'),
      { prompt: 'a kiln at dusk', negative_prompt: 'blur', seed: 42, aspect_ratio: '16:9', image: 'kiln-file:abc' },
      [],
    ],
    [
      'fal flux/dev (image_size presets)',
      fal('fal-ai/flux/dev'),
      { prompt: 'a kiln at dusk', seed: 42, image_size: 'landscape_16_9' },
      ['negativePrompt', 'image'],
    ],
    [
      'fal kling video',
      fal('fal-ai/kling-video/v2.1/master/text-to-video'),
      { prompt: 'a kiln at dusk', negative_prompt: 'blur', aspect_ratio: '16:9' },
      ['seed', 'image'],
    ],
    ['fal esrgan (an image, no prompt)', fal('fal-ai/esrgan'), { image_url: 'kiln-file:abc' }, ['prompt', 'negativePrompt', 'seed', 'aspectRatio']],
  ])('%s', (_name, schema, input, unmatched) => {
    const m = mapCanonical(ALL, schema);
    expect(m.input).toEqual(input);
    expect(
      Object.entries(m.fields)
        .filter(([, f]) => f!.to === null)
        .map(([k]) => k)
        .sort(),
    ).toEqual([...unmatched].sort());
  });

  it('an aspect ratio the model does not offer goes to the closest one, and says so', () => {
    const m = mapCanonical({ prompt: 'p', aspectRatio: '2:1' }, replicate('google/veo-3'));
    expect(m.input.aspect_ratio).toBe('16:9');
    expect(m.fields.aspectRatio).toMatchObject({ to: 'aspect_ratio', sent: '16:9', note: expect.stringMatching(/2:1 is not offered/) });
    const f = mapCanonical({ prompt: 'p', aspectRatio: '3:4' }, fal('fal-ai/flux/schnell'));
    expect(f.input.image_size).toBe('portrait_4_3');
    expect(f.fields.aspectRatio!.note).toBeUndefined();
  });

  it('portrait on width/height keeps the default area in multiples of 8, within the bounds', () => {
    const m = mapCanonical({ prompt: 'p', aspectRatio: '9:16' }, replicate('stability-ai/sdxl'));
    expect(m.input).toMatchObject({ width: 768, height: 1368 });
    expect(m.fields.aspectRatio).toEqual({ to: 'width×height', sent: '768×1368' });
  });

  it('fields left empty are neither sent nor marked; an unknown schema marks everything but sends nothing', () => {
    expect(mapCanonical({ prompt: 'p' }, replicate('black-forest-labs/flux-schnell'))).toEqual({
      input: { prompt: 'p' },
      fields: { prompt: { to: 'prompt' } },
    });
    expect(mapCanonical({ prompt: 'p', seed: 1 }, null)).toEqual({
      input: {},
      fields: { prompt: { to: null, note: expect.any(String) }, seed: { to: null, note: expect.any(String) } },
    });
    expect(mapCanonical({ prompt: 'p', aspectRatio: 'wide' }, replicate('black-forest-labs/flux-schnell')).fields.aspectRatio).toMatchObject({
      to: null,
      note: '"wide" is not a ratio like 16:9.',
    });
  });

  it('ratios', () => {
    expect(parseRatio('16:9')).toBeCloseTo(16 / 9);
    expect(parseRatio('1024x576')).toBeCloseTo(16 / 9);
    expect(parseRatio('0:1')).toBeNull();
    expect(parseRatio('wide')).toBeNull();
  });
});
