import { describe, expect, it } from 'vitest';
import { draftOf, EMPTY_DRAFT, MAX_OVERRIDES, overrideText, parseOverride, parseUsd } from '../../renderer/src/features/cost/overrides.ts';
import { formatUsd } from '../../shared/domain/cost.ts';
import { Settings } from '../../shared/domain/settings.ts';

// The price-override editor's rules (Settings → Prices): what a typed row becomes, and why one is
// refused, in words that say what to type instead. What it saves must pass the settings schema.

const d = (p: Partial<typeof EMPTY_DRAFT>) => ({ ...EMPTY_DRAFT, ...p });

describe('price overrides typed in Settings', () => {
  it('a Replicate model (prefix and version dropped) per output', () => {
    const r = parseOverride(d({ model: ' replicate:black-forest-labs/flux-schnell:abc123 ', usd: '$0.004' }), {}, null);
    expect(r).toEqual({ ok: true, key: 'replicate:black-forest-labs/flux-schnell', value: { unit: 'output', usd: 0.004 } });
    if (!r.ok) throw new Error('refused');
    expect(Settings.parse({ priceOverrides: { [r.key]: r.value } }).priceOverrides).toEqual({ [r.key]: r.value });
  });

  it('a fal endpoint per output token with an input-token price', () => {
    const r = parseOverride(d({ provider: 'fal', model: 'fal-ai/any-llm', unit: 'token', usd: '0.00000025', inputUsd: '0.00000005' }), {}, null);
    expect(r).toEqual({ ok: true, key: 'fal:fal-ai/any-llm', value: { unit: 'token', usd: 0.00000025, inputUsd: 0.00000005 } });
    if (!r.ok) throw new Error('refused');
    expect(overrideText(r.value, formatUsd)).toBe('$0.00000025 per output token, $0.00000005 per input token');
  });

  it.each([
    [{ model: '' }, 'model', /Name the model/],
    [{ model: 'flux-schnell', usd: '1' }, 'model', /owner\/name, like black-forest-labs\/flux-schnell/],
    [{ provider: 'fal' as const, model: 'flux', usd: '1' }, 'model', /endpoint id, like fal-ai\/flux\/dev/],
    [{ model: 'fal:fal-ai/flux/dev', usd: '1' }, 'model', /is a fal model: choose fal as the provider/],
    [{ model: 'a/b', usd: '' }, 'usd', /Give the price in dollars per output/],
    [{ model: 'a/b', usd: 'ten' }, 'usd', /amount in dollars, like 0\.003/],
    [{ model: 'a/b', usd: '-1' }, 'usd', /amount in dollars/],
    [{ model: 'a/b', usd: '2000000' }, 'usd', /At most \$1,000,000 per unit/],
    [{ model: 'a/b', usd: '0.12345678901' }, 'usd', /at most 10 decimals/],
    [{ model: 'a/b', usd: '1', unit: 'token' as const, inputUsd: 'x' }, 'inputUsd', /amount in dollars/],
  ])('refuses %j with a reason on %s', (p, field, reason) => {
    const r = parseOverride(d(p), {}, null);
    expect(r.ok).toBe(false);
    expect((r as { errors: Record<string, string> }).errors[field]).toMatch(reason);
  });

  it('a model that already has a price is edited, not added twice; editing may rename it', () => {
    const existing = { 'replicate:a/b': { unit: 'output' as const, usd: 1 } };
    expect(parseOverride(d({ model: 'a/b', usd: '2' }), existing, null)).toMatchObject({
      ok: false,
      errors: { model: 'replicate:a/b already has your price: use Edit on its row.' },
    });
    expect(parseOverride(d({ model: 'a/b', usd: '2' }), existing, 'replicate:a/b')).toMatchObject({ ok: true, value: { usd: 2 } });
    expect(parseOverride(d({ model: 'a/c', usd: '2' }), existing, 'replicate:a/b')).toMatchObject({ ok: true, key: 'replicate:a/c' });
    expect(draftOf('fal:fal-ai/flux/dev', { unit: 'run', usd: 0.5 })).toEqual({
      provider: 'fal',
      model: 'fal-ai/flux/dev',
      unit: 'run',
      usd: '0.5',
      inputUsd: '',
    });
  });

  it(`at most ${MAX_OVERRIDES}, as the settings schema allows`, () => {
    const full = Object.fromEntries(Array.from({ length: MAX_OVERRIDES }, (_, i) => [`replicate:o/m${i}`, { unit: 'run' as const, usd: 1 }]));
    expect(parseOverride(d({ model: 'o/new', usd: '1' }), full, null)).toMatchObject({ ok: false, errors: { model: expect.stringMatching(/At most 500/) } });
  });

  it('dollar amounts', () => {
    expect(parseUsd('')).toEqual({ ok: true, usd: null });
    expect(parseUsd('.5')).toEqual({ ok: true, usd: 0.5 });
    expect(parseUsd('0')).toEqual({ ok: true, usd: 0 });
  });
});
