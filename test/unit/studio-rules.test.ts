import { describe, it, expect } from 'vitest';
import { blockedReason } from '../../renderer/src/stores/composer.ts';
import { fieldErrorsFrom } from '../../renderer/src/features/composer/field-errors.ts';
import { expectedKind, sniffKind } from '../../renderer/src/features/composer/file-kind.ts';

// The studio's pure rules from issue 11: when Generate may run, how a 422 lands back on its
// fields, and what a file input accepts.

const ready = { modelRef: 'a/b', model: { ref: 'a/b' } as never, loadingModel: false, modelError: null, modelErrorCode: null };

describe('blockedReason', () => {
  it.each([
    ['no key', { ...ready }, false, false, 'Add your Replicate key in Settings'],
    ['a rejected key', { ...ready }, true, true, 'Replicate rejected your key — replace it in Settings'],
    ['no model chosen', { ...ready, modelRef: null, model: null }, true, false, 'Choose a model first'],
    ['schema loading', { ...ready, model: null, loadingModel: true }, true, false, 'Loading the model’s inputs…'],
    [
      'offline, never loaded',
      { ...ready, model: null, modelError: 'unreachable', modelErrorCode: 'network' },
      true,
      false,
      'Offline — this model’s inputs were never loaded',
    ],
    [
      'another failure',
      { ...ready, model: null, modelError: 'Not found on Replicate.', modelErrorCode: 'not_found' },
      true,
      false,
      'This model’s inputs could not be loaded: Not found on Replicate.',
    ],
    ['ready', { ...ready }, true, false, null],
    ['reloading a model whose schema is kept', { ...ready, loadingModel: true }, true, false, null],
  ])('%s', (_what, state, keySet, rejected, want) => {
    expect(blockedReason(state, keySet, rejected)).toBe(want);
  });
});

describe('fieldErrorsFrom', () => {
  it('puts each field of a 422 back on its field', () => {
    expect(fieldErrorsFrom("Invalid input: image: Does not match format 'uri'; scale: Must be less than or equal to 10")).toEqual({
      image: "Does not match format 'uri'",
      scale: 'Must be less than or equal to 10',
    });
  });
  it('keeps a message it cannot place at the top of the form', () => {
    expect(fieldErrorsFrom('Invalid request: rejected by Replicate')).toEqual({ _form: 'Invalid request: rejected by Replicate' });
  });
  it('keeps semicolons inside a field message', () => {
    expect(fieldErrorsFrom('Invalid input: prompt: too long; shorten it; seed: must be an integer')).toEqual({
      prompt: 'too long; shorten it',
      seed: 'must be an integer',
    });
  });
});

describe('file kinds', () => {
  const bytes = (...b: (number | string)[]) => new Uint8Array(b.flatMap((x) => (typeof x === 'string' ? [...x].map((c) => c.charCodeAt(0)) : [x])));
  it('knows images, videos and audio by their first bytes, and nothing else', () => {
    expect(sniffKind(bytes(0x89, 'PNG', 0x0d, 0x0a, 0x1a, 0x0a))).toBe('image');
    expect(sniffKind(bytes(0xff, 0xd8, 0xff, 0xe0))).toBe('image');
    expect(sniffKind(bytes('RIFF', 0, 0, 0, 0, 'WEBP'))).toBe('image');
    expect(sniffKind(bytes(0, 0, 0, 0x18, 'ftypisom'))).toBe('video');
    expect(sniffKind(bytes('RIFF', 0, 0, 0, 0, 'WAVE'))).toBe('audio');
    expect(sniffKind(bytes('ID3', 4))).toBe('audio');
    expect(sniffKind(bytes('PK', 3, 4))).toBeNull();
    expect(sniffKind(bytes('%PDF-1.7'))).toBeNull();
  });
  it('reads what a field expects from its name and description', () => {
    expect(expectedKind({ name: 'image', label: 'Image', description: 'Input image' })).toBe('image');
    expect(expectedKind({ name: 'mask', label: 'Mask', description: null })).toBe('image');
    expect(expectedKind({ name: 'input_video', label: 'Input Video', description: null })).toBe('video');
    expect(expectedKind({ name: 'audio_file', label: 'Audio File', description: null })).toBe('audio');
    expect(expectedKind({ name: 'weights', label: 'Weights', description: 'A .tar of LoRA weights' })).toBe('any');
  });
});
