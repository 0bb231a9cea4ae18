import { describe, expect, it } from 'vitest';
import { costKey, costOfRun, estimateRun, formatUsd, outputsRequested, RESULT_UNREAD, type Price, type RunOutcome } from '../../shared/domain/cost.ts';
import { replicateTablePrice, TABLE_DATE } from '../../electron/backend/pricing/replicate-table.ts';
import { falPrice } from '../../electron/backend/pricing/fal-prices.ts';
import { megapixelsProduced, toOutcome } from '../../electron/backend/ledger/outcome.ts';

// The cost arithmetic (ARCHITECTURE.md, "Money"): per output, per second of hardware, per token, × outputs
// requested × N, aborted = $0, fal's server errors = $0, unknown stays unknown (null, never 0).

const schnell = replicateTablePrice('black-forest-labs/flux-schnell')!;
const t4: Price = {
  provider: 'replicate',
  model: 'someone/upscaler',
  unit: 'second',
  usd: 0.000225,
  noun: 'second on Nvidia T4',
  source: "Replicate's price table of 2026-10",
  tableDate: '2026-10',
};
const llm: Price = {
  provider: 'replicate',
  model: 'meta/llama',
  unit: 'token',
  usd: 0.0000025,
  inputUsd: 0.0000005,
  noun: 'output token',
  source: 'your price in Settings',
  tableDate: null,
};
const run = (o: Partial<RunOutcome>): RunOutcome => ({
  provider: 'replicate',
  model: 'black-forest-labs/flux-schnell',
  status: 'succeeded',
  input: {},
  outputsProduced: 1,
  predictSeconds: null,
  ...o,
});

describe('the estimate before a run', () => {
  it('per output: outputs requested (input, else schema default, else 1) × N × price, with its basis', () => {
    const est = estimateRun(schnell, { model: 'black-forest-labs/flux-schnell', input: { num_outputs: 4 }, count: 1 });
    expect(est).toEqual({ usd: 0.012, estimated: true, basis: `4 images × $0.003, Replicate's price table of ${TABLE_DATE}`, tableDate: TABLE_DATE });
    expect(estimateRun(schnell, { model: 'm', input: { num_outputs: 4 }, count: 8 }).usd).toBe(0.096);
    expect(estimateRun(schnell, { model: 'm', input: {}, schema: { properties: { num_outputs: { default: 2 } } }, count: 3 }).usd).toBe(0.018);
    expect(estimateRun(schnell, { model: 'm', input: { prompt: 'x' }, count: 1 }).usd).toBe(0.003);
    // fal's spelling of the same field
    expect(outputsRequested({ num_images: 3 })).toBe(3);
    // nonsense counts are not believed
    expect(outputsRequested({ num_outputs: -2 })).toBe(1);
    expect(outputsRequested({ num_outputs: 1e9 })).toBe(1);
  });

  it('no binary noise in money: 0.1 + 0.2 style sums come out exact', () => {
    expect(estimateRun({ ...schnell, usd: 0.1 }, { model: 'm', input: { num_outputs: 3 }, count: 1 }).usd).toBe(0.3);
  });

  it('unknown stays unknown: no price, or a price per second/token before the run, gives null, never 0', () => {
    const none = estimateRun(null, { model: 'someone/else', input: {}, count: 4 });
    expect(none.usd).toBeNull();
    expect(none.basis).toMatch(/No price known for someone\/else/);
    expect(estimateRun(t4, { model: 'm', input: {}, count: 2 }).usd).toBeNull();
    expect(estimateRun(llm, { model: 'm', input: {}, count: 1 }).usd).toBeNull();
  });

  it('fal video priced per second: duration × N; per request: × N only', () => {
    const video = falPrice('fal-ai/kling-video/v2.1/master/text-to-video', {
      unitPrice: 0.28,
      unit: 'second',
      currency: 'USD',
      fetchedAt: Date.UTC(2026, 10, 30),
    })!;
    const est = estimateRun(video, { model: 'fal:x', input: { duration: '10' }, count: 2 });
    expect(est.usd).toBe(5.6);
    expect(est.basis).toBe("10 video seconds × 2 runs × $0.28, fal's pricing API, 2026-11-30");
    const perRun = falPrice('a/b', { unitPrice: 0.05, unit: 'request', currency: 'USD', fetchedAt: 0 })!;
    expect(estimateRun(perRun, { model: 'fal:a/b', input: { num_images: 4 }, count: 3 }).usd).toBe(0.15);
    // a unit Kiln does not understand, or another currency, is no price at all (unknown), not 0
    expect(falPrice('a/b', { unitPrice: 0.01, unit: 'kilowatt', currency: 'USD', fetchedAt: 0 })).toBeNull();
    expect(falPrice('a/b', { unitPrice: 0.01, unit: 'image', currency: 'EUR', fetchedAt: 0 })).toBeNull();
  });

  it('fal images priced per megapixel ("$0.025 per megapixels", flux-1/dev): the size asked for × images × N', () => {
    const dev = falPrice('fal-ai/flux-1/dev', { unitPrice: 0.025, unit: 'megapixels', currency: 'USD', fetchedAt: Date.UTC(2026, 10, 30) })!;
    expect(dev).toMatchObject({ unit: 'megapixel', usd: 0.025 });
    // A named fal size (landscape_4_3 is 1024×768, 0.786 MP), two images, three runs.
    const named = estimateRun(dev, { model: 'fal:fal-ai/flux-1/dev', input: { image_size: 'landscape_4_3', num_images: 2 }, count: 3 });
    expect(named.usd).toBeCloseTo(6 * 0.786432 * 0.025, 6);
    expect(named.basis).toBe("6 images of 0.79 MP × $0.025 per megapixel, fal's pricing API, 2026-11-30");
    // A size given as width and height, and the schema's default when the input names none.
    expect(estimateRun(dev, { model: 'm', input: { image_size: { width: 2000, height: 1000 } }, count: 1 }).usd).toBe(0.05);
    const schema = { properties: { image_size: { default: 'square_hd' } } };
    expect(estimateRun(dev, { model: 'm', input: {}, schema, count: 1 }).usd).toBeCloseTo(1.048576 * 0.025, 6);
    // No size at all (an aspect ratio says no resolution): unknown, not a guess.
    const none = estimateRun(dev, { model: 'm', input: { aspect_ratio: '16:9' }, count: 1 });
    expect(none.usd).toBeNull();
    expect(none.basis).toMatch(/image size is not known before it runs/);
    expect(estimateRun(dev, { model: 'm', input: { image_size: { width: 1e9, height: 1 } }, count: 1 }).usd).toBeNull();
    // A size the input names that Kiln cannot read is not the schema's default: unknown.
    expect(estimateRun(dev, { model: 'm', input: { image_size: 'auto_2K' }, schema, count: 1 }).usd).toBeNull();
  });
});

describe('the cost after a run', () => {
  it('per video second: the length the answer gives, else the length asked for (input, then the schema default) × videos', () => {
    const perSecond: Price = {
      provider: 'fal',
      model: 'fal-ai/omnihuman',
      unit: 'video-second',
      usd: 0.16,
      noun: 'video second',
      source: "fal's pricing API",
      tableDate: null,
    };
    const ended = (output: unknown, input: Record<string, unknown> = {}, inputSchema: Record<string, unknown> | null = null) =>
      costOfRun(
        perSecond,
        toOutcome({ provider: 'fal', model: 'fal-ai/omnihuman', status: 'succeeded', input, output, error: null, metrics: null, outputRows: 1, inputSchema }),
      );
    // An image-and-audio model: no duration input at all; fal's Video says how long it made.
    expect(ended({ video: { url: 'https://v3.fal.media/files/v.mp4', duration: 12.5, content_type: 'video/mp4' } })).toMatchObject({ usd: 2, estimated: true });
    // Frames over rate when the duration is not given.
    expect(ended({ video: { url: 'https://v3.fal.media/files/v.mp4', num_frames: 120, fps: 24 } }).usd).toBeCloseTo(0.8, 9);
    // A bare Video: the input's length, else the schema's default.
    expect(ended({ video: { url: 'https://v3.fal.media/files/v.mp4' } }, { duration: '5' }).usd).toBeCloseTo(0.8, 9);
    expect(ended({ video: { url: 'https://v3.fal.media/files/v.mp4' } }, {}, { properties: { duration: { default: '10' } } }).usd).toBeCloseTo(1.6, 9);
    expect(ended({ video: { url: 'https://v3.fal.media/files/v.mp4' } }).usd).toBeNull();
  });

  it('per megapixel: the sizes the answer gives, else the size asked for × images produced', () => {
    const dev: Price = {
      provider: 'fal',
      model: 'fal-ai/flux-1/dev',
      unit: 'megapixel',
      usd: 0.025,
      noun: 'megapixel',
      source: "fal's pricing API",
      tableDate: null,
    };
    const answered = {
      images: [
        { url: 'https://v3.fal.media/files/a.jpg', width: 1024, height: 768 },
        { url: 'https://v3.fal.media/files/b.jpg', width: 2048, height: 2048 },
      ],
    };
    const mpx = megapixelsProduced(answered)!;
    expect(mpx).toBeCloseTo(0.786432 + 4.194304, 6);
    const c = costOfRun(dev, run({ provider: 'fal', model: 'fal-ai/flux-1/dev', megapixelsProduced: mpx, outputsProduced: 2 }));
    expect(c).toMatchObject({ usd: 0.124518, estimated: true, basis: "4.98 MP × $0.025 per megapixel, fal's pricing API" });
    // An answer without sizes: the size asked for, once per image produced.
    expect(megapixelsProduced({ images: [{ url: 'https://x/a.jpg' }] })).toBeNull();
    expect(costOfRun(dev, run({ provider: 'fal', input: { image_size: 'square' }, megapixelsProduced: null, outputsProduced: 4 })).usd).toBeCloseTo(
      4 * 0.262144 * 0.025,
      6,
    );
    expect(costOfRun(dev, run({ provider: 'fal', input: {}, megapixelsProduced: null, outputsProduced: 1 })).usd).toBeNull();
    // Through the ledger's reading of a record: the sizes come from fal's answer.
    const ended = { provider: 'fal', model: 'fal-ai/flux-1/dev', status: 'succeeded', input: {}, output: answered, error: null, metrics: null, outputRows: 2 };
    expect(toOutcome(ended).megapixelsProduced).toBeCloseTo(mpx, 9);
    // Ran and billed, but the result was never read (expired, or over the bound for one answer): unknown, not $0.
    const unread = toOutcome({
      ...ended,
      status: 'failed',
      output: null,
      outputRows: 0,
      error: { code: RESULT_UNREAD, message: 'fal no longer has this result' },
    });
    expect(unread.outputsProduced).toBeNull();
    expect(costOfRun(dev, unread).usd).toBeNull();
    expect(costOfRun(schnell, unread).usd).toBeNull();
  });

  it('per output: the outputs actually produced × price, marked estimated', () => {
    expect(costOfRun(schnell, run({ outputsProduced: 3 }))).toMatchObject({ usd: 0.009, estimated: true, basis: expect.stringContaining('3 images × $0.003') });
    expect(costOfRun(schnell, run({ status: 'failed', outputsProduced: 0 })).usd).toBe(0);
  });

  it('per second: predict_time × the hardware rate; unknown without predict_time', () => {
    const c = costOfRun(t4, run({ model: 'someone/upscaler', predictSeconds: 12.5 }));
    expect(c).toMatchObject({ usd: 0.002813, estimated: true });
    expect(c.basis).toContain('12.5 s × $0.000225 per second on Nvidia T4');
    expect(costOfRun(t4, run({ predictSeconds: null })).usd).toBeNull();
  });

  it('per token: output tokens × price + input tokens × input price; unknown without counts', () => {
    expect(costOfRun(llm, run({ tokens: { input: 1000, output: 400 } })).usd).toBe(0.0015);
    expect(costOfRun(llm, run({ tokens: null })).usd).toBeNull();
  });

  it('aborted costs $0, not billed, whatever the price (even unknown)', () => {
    expect(costOfRun(null, run({ status: 'aborted', outputsProduced: 0 }))).toEqual({
      usd: 0,
      estimated: false,
      basis: 'aborted before it ran: not billed',
      tableDate: null,
    });
    expect(costOfRun(t4, run({ status: 'aborted', predictSeconds: 30 })).usd).toBe(0);
  });

  it("fal's server errors (5xx) cost $0; a fal 422 and Replicate failures are priced by what ran", () => {
    const p = falPrice('fal-ai/flux/dev', { unitPrice: 0.025, unit: 'image', currency: 'USD', fetchedAt: 0 })!;
    for (const code of ['runner_server_error', 'request_timeout', '503', 'E500']) {
      expect(
        costOfRun(p, run({ provider: 'fal', model: 'fal-ai/flux/dev', status: 'failed', outputsProduced: null, error: { code, message: 'x' } })),
      ).toMatchObject({ usd: 0, estimated: false, basis: expect.stringMatching(/not billed/) });
    }
    expect(
      costOfRun(p, run({ provider: 'fal', status: 'failed', outputsProduced: null, error: { code: 'content_policy_violation', message: 'x' } })).usd,
    ).toBeNull();
    expect(costOfRun(t4, run({ status: 'failed', predictSeconds: 4, error: { code: 'E500', message: 'x' } })).usd).toBe(0.0009);
  });

  it("the provider's own figure wins and is not estimated", () => {
    expect(costOfRun(null, run({ provider: 'fal', actualUsd: 0.075 }))).toMatchObject({ usd: 0.075, estimated: false });
  });

  it('unknown price after a run stays unknown', () => {
    expect(costOfRun(null, run({ model: 'someone/else', outputsProduced: 4 })).usd).toBeNull();
  });
});

describe('refs and formatting', () => {
  it('model refs per ARCHITECTURE.md, "Fixed interfaces"', () => {
    expect(costKey('black-forest-labs/flux-schnell')).toEqual({ provider: 'replicate', model: 'black-forest-labs/flux-schnell' });
    expect(costKey(`replicate:a/b:${'f'.repeat(64)}`)).toEqual({ provider: 'replicate', model: 'a/b' });
    expect(costKey('fal:fal-ai/flux/dev')).toEqual({ provider: 'fal', model: 'fal-ai/flux/dev' });
    expect(costKey('nonsense')).toBeNull();
  });
  it('dollars with the digits a price needs', () => {
    expect([formatUsd(0.003), formatUsd(0.012), formatUsd(0.5), formatUsd(12), formatUsd(0.000225), formatUsd(0), formatUsd(0.00000025)]).toEqual([
      '$0.003',
      '$0.012',
      '$0.50',
      '$12.00',
      '$0.000225',
      '$0',
      '$0.00000025',
    ]);
  });
  it('the shipped table names the official models it was asked to', () => {
    expect(['black-forest-labs/flux-schnell', 'black-forest-labs/flux-dev', 'black-forest-labs/flux-1.1-pro'].map((m) => replicateTablePrice(m)?.usd)).toEqual([
      0.003, 0.025, 0.04,
    ]);
    expect(replicateTablePrice('someone/unknown')).toBeNull();
  });
});

describe('what a run produced, read from its record', () => {
  it('counts Replicate arrays, fal images/video objects, and the vault rows first', async () => {
    const { outputsProduced, toOutcome } = await import('../../electron/backend/ledger/outcome.ts');
    expect(outputsProduced({ status: 'succeeded', output: ['https://x/a.png', 'https://x/b.png', 'https://x/c.png'], outputRows: null })).toBe(3);
    // A language model's answer in pieces is one output (the ledger prices a run before the vault has rows).
    expect(outputsProduced({ status: 'succeeded', output: ['Hello', ' world', '!'], outputRows: null })).toBe(1);
    expect(outputsProduced({ status: 'succeeded', output: { images: [{}, {}], seed: 1 }, outputRows: null })).toBe(2);
    expect(outputsProduced({ status: 'succeeded', output: { video: { url: 'x' } }, outputRows: null })).toBe(1);
    expect(outputsProduced({ status: 'succeeded', output: ['a'], outputRows: 4 })).toBe(4);
    // fal names its images: 3 produced (and billed) even if the vault saved fewer files.
    expect(outputsProduced({ provider: 'fal', status: 'succeeded', output: { images: [{}, {}, {}] }, outputRows: 1 })).toBe(3);
    expect(outputsProduced({ status: 'failed', output: null, outputRows: 0 })).toBe(0);
    // A success whose output is unknown stays unknown (not 0 images).
    expect(outputsProduced({ status: 'succeeded', output: null, outputRows: 0 })).toBeNull();
    // Token counts, where the metrics carry them, price a per-token model.
    const o = toOutcome({
      provider: 'replicate',
      model: 'meta/llama',
      status: 'succeeded',
      input: {},
      output: ['hi'],
      error: null,
      metrics: { predictTime: 1, inputTokens: 1000, outputTokens: 400 },
      outputRows: null,
    });
    expect(costOfRun(llm, o).usd).toBe(0.0015);
  });
});
