import { costKey, overrideKey, UNIT_NOUNS, type CostProvider, type PriceUnit } from '../../../../shared/domain/cost.ts';
import type { PriceOverride } from '../../../../shared/domain/settings.ts';

// The price-override editor's rules, pure (ARCHITECTURE.md, "Money": "the user can override any price"): what a
// typed row becomes in Settings, or why it is refused. The bounds are the settings schema's
// (shared/domain/settings.ts): dollars 0 … 1,000,000, at most 500 overrides.

export const MAX_OVERRIDES = 500;
const MAX_USD = 1_000_000;
/** Enough for per-token prices ($0.00000025); formatUsd shows as many. */
const MAX_DECIMALS = 10;

export const UNIT_LABELS: Record<PriceUnit, string> = {
  output: 'per output (image, video, file)',
  run: 'per run',
  second: 'per second of hardware',
  'video-second': 'per second of video',
  token: 'per output token',
  megapixel: 'per megapixel of image',
};
export const UNITS = Object.keys(UNIT_LABELS) as PriceUnit[];

export interface OverrideDraft {
  provider: CostProvider;
  model: string;
  unit: PriceUnit;
  usd: string;
  inputUsd: string;
}
export type OverrideErrors = Partial<Record<'model' | 'usd' | 'inputUsd', string>>;
export const EMPTY_DRAFT: OverrideDraft = { provider: 'replicate', model: '', unit: 'output', usd: '', inputUsd: '' };

/** A typed dollar amount (a leading $ allowed); empty gives null. */
export function parseUsd(text: string): { ok: true; usd: number | null } | { ok: false; reason: string } {
  const t = text.trim().replace(/^\$/, '').trim();
  if (t === '') return { ok: true, usd: null };
  if (!/^\d*\.?\d+$|^\d+\.$/.test(t)) return { ok: false, reason: 'Use an amount in dollars, like 0.003 or 1.50.' };
  const decimals = t.split('.')[1]?.length ?? 0;
  if (decimals > MAX_DECIMALS) return { ok: false, reason: `Use at most ${MAX_DECIMALS} decimals.` };
  const usd = Number(t);
  if (usd > MAX_USD) return { ok: false, reason: `At most $${MAX_USD.toLocaleString('en-US')} per unit (the largest price Kiln keeps).` };
  return { ok: true, usd };
}

/** The model as its override key wants it: no provider prefix, no Replicate version. */
function modelOf(provider: CostProvider, text: string): { ok: true; model: string } | { ok: false; reason: string } {
  let t = text.trim();
  const prefixed = /^(replicate|fal):/.exec(t);
  if (prefixed) {
    if (prefixed[1] !== provider)
      return {
        ok: false,
        reason: `“${t}” is a ${prefixed[1] === 'fal' ? 'fal' : 'Replicate'} model: choose ${prefixed[1] === 'fal' ? 'fal' : 'Replicate'} as the provider.`,
      };
    t = t.slice(prefixed[0].length);
  }
  if (!t) return { ok: false, reason: 'Name the model.' };
  const k = costKey(`${provider}:${t}`);
  if (!k) {
    return {
      ok: false,
      reason:
        provider === 'fal'
          ? 'Use fal’s endpoint id, like fal-ai/flux/dev.'
          : 'Use the model’s owner/name, like black-forest-labs/flux-schnell (a version after “:” is ignored).',
    };
  }
  return { ok: true, model: k.model };
}

/**
 * A draft → the key and value to save. `existing`: the saved overrides; `editing`: the key of the
 * row being edited (its own key is not a duplicate, and it may be renamed).
 */
export function parseOverride(
  d: OverrideDraft,
  existing: Record<string, PriceOverride>,
  editing: string | null,
): { ok: true; key: string; value: PriceOverride } | { ok: false; errors: OverrideErrors } {
  const errors: OverrideErrors = {};
  const m = modelOf(d.provider, d.model);
  if (!m.ok) errors.model = m.reason;
  const usd = parseUsd(d.usd);
  if (!usd.ok) errors.usd = usd.reason;
  else if (usd.usd === null) errors.usd = `Give the price in dollars ${UNIT_LABELS[d.unit]}.`;
  const inputUsd = d.unit === 'token' ? parseUsd(d.inputUsd) : ({ ok: true, usd: null } as const);
  if (!inputUsd.ok) errors.inputUsd = inputUsd.reason;
  if (m.ok) {
    const key = overrideKey(d.provider, m.model);
    if (key !== editing && existing[key]) errors.model = `${key} already has your price: use Edit on its row.`;
    else if (key !== editing && !editing && Object.keys(existing).length >= MAX_OVERRIDES)
      errors.model = `At most ${MAX_OVERRIDES} prices of your own: remove one first.`;
  }
  if (!m.ok || !usd.ok || usd.usd === null || !inputUsd.ok || Object.keys(errors).length) return { ok: false, errors };
  const value: PriceOverride = { unit: d.unit, usd: usd.usd };
  if (d.unit === 'token' && inputUsd.usd !== null) value.inputUsd = inputUsd.usd;
  return { ok: true, key: overrideKey(d.provider, m.model), value };
}

/** A saved override back into the form, for Edit. */
export function draftOf(key: string, o: PriceOverride): OverrideDraft {
  const k = costKey(key);
  return {
    provider: k?.provider ?? 'replicate',
    model: k?.model ?? key,
    unit: o.unit,
    usd: String(o.usd),
    inputUsd: o.inputUsd == null ? '' : String(o.inputUsd),
  };
}

/** "$0.003 per output" (+ input tokens), as the list shows a saved override. */
export function overrideText(o: PriceOverride, fmt: (usd: number) => string): string {
  const main = `${fmt(o.usd)} per ${UNIT_NOUNS[o.unit]}`;
  return o.unit === 'token' && o.inputUsd != null ? `${main}, ${fmt(o.inputUsd)} per input token` : main;
}
