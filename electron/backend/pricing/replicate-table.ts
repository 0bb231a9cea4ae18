import type { Price } from '../../../shared/domain/cost.ts';

// Replicate's prices, shipped with Kiln: Replicate has no pricing API (shared/reference/
// replicate-api.md lists none), so the estimate for a Replicate model comes from this dated table.
// Every entry names where it was read and when. Update by re-reading the sources, changing the
// entry and its `checked` date, and bumping TABLE_DATE; a run's ledger row keeps the date of the
// table that priced it, so old figures stay explainable.
//
// Official models are priced per output. Community models are billed per second of the hardware
// they run on (predict_time × rate); Replicate's API does not say which hardware a model uses, so
// those rates apply where the user names the hardware (Settings → Prices) or an entry below does.

export const TABLE_DATE = '2026-10';
export const TABLE_SOURCE = `Replicate's price table of ${TABLE_DATE}`;

interface TableEntry {
  usd: number;
  noun: string;
  /** Where the figure was read, and the day it was read there. */
  source: string;
  checked: string;
}

/** https://replicate.com/pricing, as transcribed on 2026-10-07 (api-evangelist/replicate plans/replicate-plans-pricing.yml, "every price_text was found verbatim in the fetched page text"). */
const PRICING_PAGE = 'https://replicate.com/pricing (transcription of 2026-10-07)';

export const PER_OUTPUT: Record<string, TableEntry> = {
  // "$3.00 / thousand output images"; also $0.003/image on third-party comparisons verified 2026-05.
  'black-forest-labs/flux-schnell': { usd: 0.003, noun: 'image', source: PRICING_PAGE, checked: '2026-10-07' },
  // "$0.025 / output image"
  'black-forest-labs/flux-dev': { usd: 0.025, noun: 'image', source: PRICING_PAGE, checked: '2026-10-07' },
  // "$0.04 / output image"
  'black-forest-labs/flux-1.1-pro': { usd: 0.04, noun: 'image', source: PRICING_PAGE, checked: '2026-10-07' },
  // "$0.09 / output image"
  'ideogram-ai/ideogram-v3-quality': { usd: 0.09, noun: 'image', source: PRICING_PAGE, checked: '2026-10-07' },
};

/** Per-second hardware rates, read from replicate.com model pages ("… hardware, which costs $X per second"). */
export const HARDWARE: Record<string, TableEntry & { name: string }> = {
  'gpu-t4': { name: 'Nvidia T4', usd: 0.000225, noun: 'second on Nvidia T4', source: 'https://replicate.com/cneural/sdxl-t4/train', checked: '2026-11-30' },
  'gpu-l40s': {
    name: 'Nvidia L40S',
    usd: 0.000975,
    noun: 'second on Nvidia L40S',
    source: 'https://replicate.com/cneural/sdxl-a40-large/train',
    checked: '2026-11-30',
  },
  'gpu-a100-large': {
    name: 'Nvidia A100 (80GB)',
    usd: 0.0014,
    noun: 'second on Nvidia A100 (80GB)',
    source: 'https://replicate.com/daanelson/training-2/train',
    checked: '2026-11-30',
  },
};

/** Community models whose hardware is known (model → HARDWARE key). Empty until one is checked. */
export const MODEL_HARDWARE: Record<string, keyof typeof HARDWARE> = {};

/** The table's price for a Replicate model (owner/name), or null when the table does not know it. */
export function replicateTablePrice(model: string): Price | null {
  const out = PER_OUTPUT[model];
  if (out) return { provider: 'replicate', model, unit: 'output', usd: out.usd, noun: out.noun, source: TABLE_SOURCE, tableDate: TABLE_DATE };
  const hw = MODEL_HARDWARE[model];
  const rate = hw ? HARDWARE[hw] : undefined;
  if (rate) return { provider: 'replicate', model, unit: 'second', usd: rate.usd, noun: rate.noun, source: TABLE_SOURCE, tableDate: TABLE_DATE };
  return null;
}
