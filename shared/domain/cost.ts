// Cost arithmetic (ARCHITECTURE.md, "Money"), pure: no I/O, no clock. The backend's catalogue finds a Price for a
// model; these functions turn it into a figure before a run (the estimate next to Generate) and
// after one (the ledger row). One rule everywhere: a price or a quantity that is not known gives
// `usd: null` ("unknown"), never 0 — only runs the provider does not bill cost a real $0.
//
// This file is shared so the renderer can compute the estimate itself, synchronously, on every
// form change: it asks the backend for the model's Price once (`cost:price`) and calls
// `estimateRun` locally, so the figure next to Generate never waits on IPC or the network.

import { falImageSize } from './image-size.ts';

export type CostProvider = 'replicate' | 'fal';

/** How a model is billed. `output`: per image/video/file produced; `second`: per second of
 * hardware time (Replicate predict_time, fal compute seconds); `token`: per output token (input
 * tokens at `inputUsd`); `video-second`: per second of video asked for (fal `second` unit);
 * `run`: per request whatever it makes (fal `request`); `megapixel`: per million pixels of image
 * produced, in proportion to the resolution (fal `megapixels`: "$0.025 per megapixels"). */
export const PRICE_UNITS = ['output', 'run', 'second', 'video-second', 'token', 'megapixel'] as const;
export type PriceUnit = (typeof PRICE_UNITS)[number];

export interface Price {
  provider: CostProvider;
  /** owner/name (Replicate) or the endpoint id (fal). */
  model: string;
  unit: PriceUnit;
  /** Dollars per unit. */
  usd: number;
  /** Per input token, for `token` prices that charge input separately. */
  inputUsd?: number | null;
  /** What one unit is called in the basis text: "image", "second on Nvidia T4", "output token". */
  noun: string;
  /** Where the price comes from, as shown in the basis: "Replicate's price table of 2026-10". */
  source: string;
  /** Date of the table or of the fetch the price comes from (YYYY-MM or YYYY-MM-DD); null for overrides. */
  tableDate: string | null;
}

export interface CostFigure {
  /** Dollars, or null when it cannot be known. */
  usd: number | null;
  /** false only when the provider said what it charged (or does not bill this run at all). */
  estimated: boolean;
  /** How the figure was reached, for a tooltip and the CSV. */
  basis: string;
  tableDate: string | null;
}

/** Input fields that ask a model for several outputs in one run, in the order they are looked for. */
export const OUTPUT_COUNT_FIELDS = ['num_outputs', 'num_images', 'num_samples', 'number_of_images', 'batch_size', 'n'] as const;
/** A count beyond this in an input is not believed (the estimate is bounded like every input). */
const MAX_OUTPUTS_PER_RUN = 1000;

const positiveInt = (v: unknown): number | null => {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= MAX_OUTPUTS_PER_RUN ? n : null;
};

/**
 * Outputs one run is asked for: the model's num_outputs-like field from the input, else that
 * field's default in the schema, else 1 (a model without such a field makes one output).
 */
export function outputsRequested(input: Record<string, unknown>, schema?: Record<string, unknown> | null): number {
  const props = (schema?.properties ?? null) as Record<string, { default?: unknown } | undefined> | null;
  for (const k of OUTPUT_COUNT_FIELDS) {
    const fromInput = positiveInt(input[k]);
    if (fromInput !== null) return fromInput;
    const fromSchema = positiveInt(props?.[k]?.default);
    if (fromSchema !== null) return fromSchema;
  }
  return 1;
}

/** Video seconds asked for (fal video models: `duration`, a number or a string like "5"). */
function videoSeconds(input: Record<string, unknown>, schema?: Record<string, unknown> | null): number | null {
  const props = (schema?.properties ?? null) as Record<string, { default?: unknown } | undefined> | null;
  for (const v of [input.duration, props?.duration?.default]) {
    const n = typeof v === 'string' ? Number(v.replace(/s$/, '')) : v;
    if (typeof n === 'number' && Number.isFinite(n) && n > 0 && n <= 3600) return n;
  }
  return null;
}

/** The largest image side believed in a size (an input's or an answer's). */
export const MAX_IMAGE_SIDE = 65_535;

function pixelsOf(v: unknown): number | null {
  if (typeof v === 'string') {
    const size = falImageSize(v);
    return size ? size[0] * size[1] : null;
  }
  if (v && typeof v === 'object') {
    const { width, height } = v as { width?: unknown; height?: unknown };
    const side = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n > 0 && n <= MAX_IMAGE_SIDE;
    return side(width) && side(height) ? (width as number) * (height as number) : null;
  }
  return null;
}

/**
 * Megapixels of one image the input asks for: `image_size` (a fal name or `{width, height}`), else
 * `width` and `height`, else the schema's default `image_size`; null when the input does not say
 * (an aspect ratio alone gives no size).
 */
export function megapixelsAsked(input: Record<string, unknown>, schema?: Record<string, unknown> | null): number | null {
  const props = (schema?.properties ?? null) as Record<string, { default?: unknown } | undefined> | null;
  // A size the input names but Kiln cannot read ("auto_2K") is not the schema's default: unknown.
  const px =
    input.image_size !== undefined && input.image_size !== null
      ? pixelsOf(input.image_size)
      : (pixelsOf({ width: input.width, height: input.height }) ?? pixelsOf(props?.image_size?.default));
  return px === null ? null : px / 1e6;
}

/** A megapixel figure as the basis shows it: 0.79 MP, 2.1 MP. */
const mp = (n: number) => `${n >= 10 ? n.toFixed(1) : n.toFixed(2).replace(/0$/, '')} MP`;

/** Dollars as people read them: at least two decimals, more when a price needs them ($0.003). */
/** Per-token prices need up to ten decimals ($0.00000025 per output token); larger figures two or three. */
export function formatUsd(usd: number): string {
  if (usd === 0) return '$0';
  const abs = Math.abs(usd);
  const digits = abs >= 1 ? 2 : Math.min(10, Math.max(2, 1 - Math.floor(Math.log10(abs)) + 1));
  return `$${usd.toFixed(digits).replace(/(\.\d\d\d*?)0+$/, '$1')}`;
}

/** Sums without binary noise (0.1 + 0.2): money is added in micro-dollars. */
export const roundUsd = (usd: number): number => Math.round(usd * 1e6) / 1e6;

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 || noun.endsWith('s') ? '' : 's'}`;
const unknown = (basis: string, tableDate: string | null = null): CostFigure => ({ usd: null, estimated: true, basis, tableDate });

/**
 * Before a run: what `count` runs of this input will cost (× outputs requested × N). Prices that
 * depend on how long the run takes or how much it writes are unknown until it has run.
 */
export function estimateRun(
  price: Price | null,
  req: { model: string; input: Record<string, unknown>; schema?: Record<string, unknown> | null; count: number },
): CostFigure {
  if (!price) return unknown(`No price known for ${req.model}: set one in Settings → Prices`);
  const n = Math.max(1, Math.floor(req.count));
  const runs = n > 1 ? ` × ${n} runs` : '';
  switch (price.unit) {
    case 'output': {
      const outs = outputsRequested(req.input, req.schema);
      return {
        usd: roundUsd(outs * n * price.usd),
        estimated: true,
        basis: `${plural(outs * n, price.noun)} × ${formatUsd(price.usd)}, ${price.source}`,
        tableDate: price.tableDate,
      };
    }
    case 'run':
      return {
        usd: roundUsd(n * price.usd),
        estimated: true,
        basis: `${plural(n, 'run')} × ${formatUsd(price.usd)}, ${price.source}`,
        tableDate: price.tableDate,
      };
    case 'video-second': {
      const secs = videoSeconds(req.input, req.schema);
      if (secs === null)
        return unknown(`${formatUsd(price.usd)} per ${price.noun}, but the video length is not known before it runs (${price.source})`, price.tableDate);
      const outs = outputsRequested(req.input, req.schema);
      return {
        usd: roundUsd(secs * outs * n * price.usd),
        estimated: true,
        basis: `${plural(secs * outs, price.noun)}${runs} × ${formatUsd(price.usd)}, ${price.source}`,
        tableDate: price.tableDate,
      };
    }
    case 'megapixel': {
      const each = megapixelsAsked(req.input, req.schema);
      if (each === null)
        return unknown(`${formatUsd(price.usd)} per ${price.noun}, but the image size is not known before it runs (${price.source})`, price.tableDate);
      const outs = outputsRequested(req.input, req.schema);
      return {
        usd: roundUsd(each * outs * n * price.usd),
        estimated: true,
        basis: `${plural(outs * n, 'image')} of ${mp(each)} × ${formatUsd(price.usd)} per ${price.noun}, ${price.source}`,
        tableDate: price.tableDate,
      };
    }
    case 'second':
      return unknown(`${formatUsd(price.usd)} per ${price.noun}; the run time is not known before it runs (${price.source})`, price.tableDate);
    case 'token':
      return unknown(`${formatUsd(price.usd)} per ${price.noun}; the length of the answer is not known before it runs (${price.source})`, price.tableDate);
  }
}

/** What is known about a run once it has ended. */
export interface RunOutcome {
  provider: CostProvider;
  model: string;
  status: string;
  input: Record<string, unknown>;
  /** Files or values produced (null when unknown). */
  outputsProduced: number | null;
  /** Megapixels of the images produced, from the sizes the provider answered (null when it did not say). */
  megapixelsProduced?: number | null;
  /** Replicate `metrics.predict_time`, fal compute seconds; null when not reported. */
  predictSeconds: number | null;
  /** Seconds of video the answer says it made (fal's Video `duration`), all videos together; null when it does not say. */
  videoSecondsProduced?: number | null;
  /** The model's input schema as the run was sent (its `duration` default when the input names none). */
  schema?: Record<string, unknown> | null;
  tokens?: { input: number | null; output: number | null } | null;
  error?: { code: string | null; message: string } | null;
  /** What the provider says it charged (fal billing events with an Admin key). */
  actualUsd?: number | null;
}

/**
 * The error code of a run the provider ran but whose result Kiln could not read (fal: it expired
 * before Kiln fetched it, or was over the bound for one answer): billed, and what it made is not
 * known, so its cost is unknown rather than $0.
 */
export const RESULT_UNREAD = 'result_unread';

/** fal's request-error types that answer with a 5xx (reference §6): fal never bills them. */
export const FAL_SERVER_ERROR_TYPES = new Set([
  'request_timeout',
  'startup_timeout',
  'runner_scheduling_failure',
  'runner_connection_timeout',
  'runner_disconnected',
  'runner_connection_refused',
  'runner_connection_error',
  'runner_incomplete_response',
  'runner_server_error',
  'internal_error',
  'server_error',
]);

/** A fal failure that fal does not bill: a 5xx, by status code or by its error type. */
export function isFalServerFailure(error: RunOutcome['error']): boolean {
  const code = error?.code ?? '';
  return FAL_SERVER_ERROR_TYPES.has(code) || /^(E|http_)?5\d\d$/.test(code) || /\(HTTP 5\d\d\)/.test(error?.message ?? '');
}

const NOT_BILLED_STATUSES = new Set(['aborted']);

/**
 * After a run: the actual figure where the provider says it, $0 where the provider does not bill,
 * else the estimate from what was produced (outputs counted, predict_time × rate, tokens × price).
 */
export function costOfRun(price: Price | null, run: RunOutcome): CostFigure {
  if (NOT_BILLED_STATUSES.has(run.status)) return { usd: 0, estimated: false, basis: 'aborted before it ran: not billed', tableDate: null };
  if (run.provider === 'fal' && run.status === 'failed' && isFalServerFailure(run.error)) {
    return { usd: 0, estimated: false, basis: 'fal server error: not billed (fal never bills 5xx failures)', tableDate: null };
  }
  if (typeof run.actualUsd === 'number' && Number.isFinite(run.actualUsd) && run.actualUsd >= 0) {
    return {
      usd: roundUsd(run.actualUsd),
      estimated: false,
      basis: `${run.provider === 'fal' ? "fal's billing" : 'the provider'} reports ${formatUsd(run.actualUsd)}`,
      tableDate: null,
    };
  }
  if (!price) return unknown(`No price known for ${run.model}: set one in Settings → Prices`);
  switch (price.unit) {
    case 'output': {
      if (run.outputsProduced === null)
        return unknown(`${formatUsd(price.usd)} per ${price.noun}, but the outputs are not known (${price.source})`, price.tableDate);
      const n = run.outputsProduced;
      return {
        usd: roundUsd(n * price.usd),
        estimated: true,
        basis: `${plural(n, price.noun)} × ${formatUsd(price.usd)}, ${price.source}`,
        tableDate: price.tableDate,
      };
    }
    case 'run':
      return { usd: roundUsd(price.usd), estimated: true, basis: `1 run × ${formatUsd(price.usd)}, ${price.source}`, tableDate: price.tableDate };
    case 'video-second': {
      // What the answer says it made, else what was asked for (the input, or its schema's default) × videos.
      const asked = videoSeconds(run.input, run.schema);
      const made = run.videoSecondsProduced ?? (asked !== null && run.outputsProduced !== null ? asked * run.outputsProduced : null);
      if (made === null) return unknown(`${formatUsd(price.usd)} per ${price.noun}, but the video length is not known (${price.source})`, price.tableDate);
      return {
        usd: roundUsd(made * price.usd),
        estimated: true,
        basis: `${plural(made, price.noun)} × ${formatUsd(price.usd)}, ${price.source}`,
        tableDate: price.tableDate,
      };
    }
    case 'second': {
      const t = run.predictSeconds;
      if (t === null || !Number.isFinite(t) || t < 0)
        return unknown(`${formatUsd(price.usd)} per ${price.noun}, but the run time was not reported (${price.source})`, price.tableDate);
      return {
        usd: roundUsd(t * price.usd),
        estimated: true,
        basis: `${t.toFixed(1)} s × ${formatUsd(price.usd)} per ${price.noun}, ${price.source}`,
        tableDate: price.tableDate,
      };
    }
    case 'megapixel': {
      // The sizes the provider answered; else the size asked for, once per image produced.
      const asked = megapixelsAsked(run.input);
      const total = run.megapixelsProduced ?? (asked !== null && run.outputsProduced !== null ? asked * run.outputsProduced : null);
      if (total === null) return unknown(`${formatUsd(price.usd)} per ${price.noun}, but the image sizes are not known (${price.source})`, price.tableDate);
      return {
        usd: roundUsd(total * price.usd),
        estimated: true,
        basis: `${mp(total)} × ${formatUsd(price.usd)} per ${price.noun}, ${price.source}`,
        tableDate: price.tableDate,
      };
    }
    case 'token': {
      const out = run.tokens?.output ?? null;
      if (out === null) return unknown(`${formatUsd(price.usd)} per ${price.noun}, but the token counts were not reported (${price.source})`, price.tableDate);
      const inTok = run.tokens?.input ?? 0;
      const inUsd = price.inputUsd ?? 0;
      const usd = roundUsd(out * price.usd + inTok * inUsd);
      const inPart = inUsd > 0 ? ` + ${plural(inTok, 'input token')} × ${formatUsd(inUsd)}` : '';
      return { usd, estimated: true, basis: `${plural(out, price.noun)} × ${formatUsd(price.usd)}${inPart}, ${price.source}`, tableDate: price.tableDate };
    }
  }
}

/** The key a price override is stored under in Settings: provider + model, without any version. */
export const overrideKey = (provider: CostProvider, model: string): string => `${provider}:${model}`;

/** What one unit of each price unit is called in a basis. */
export const UNIT_NOUNS: Record<PriceUnit, string> = {
  output: 'output',
  run: 'run',
  second: 'second of hardware',
  'video-second': 'video second',
  token: 'output token',
  megapixel: 'megapixel',
};

/** The user's own price (Settings) as a Price: the backend's catalogue and the renderer read it alike. */
export function overridePrice(provider: CostProvider, model: string, o: { unit: PriceUnit; usd: number; inputUsd?: number | null }): Price {
  return {
    provider,
    model,
    unit: o.unit,
    usd: o.usd,
    inputUsd: o.inputUsd ?? null,
    noun: UNIT_NOUNS[o.unit],
    source: 'your price in Settings',
    tableDate: null,
  };
}

/** `replicate:OWNER/NAME[:VERSION]`, bare `OWNER/NAME[:VERSION]` (Replicate), `fal:ENDPOINT_ID` (ARCHITECTURE.md, "Fixed interfaces"). */
export function costKey(ref: string): { provider: CostProvider; model: string } | null {
  const r = ref.trim();
  if (r.startsWith('fal:')) {
    const id = r.slice(4).replace(/^\/+|\/+$/g, '');
    return /^[\w.-]+(\/[\w.-]+)+$/.test(id) ? { provider: 'fal', model: id } : null;
  }
  const rest = r.startsWith('replicate:') ? r.slice('replicate:'.length) : r;
  const model = rest.split(':')[0]!;
  return /^[\w.-]+\/[\w.-]+$/.test(model) ? { provider: 'replicate', model } : null;
}
