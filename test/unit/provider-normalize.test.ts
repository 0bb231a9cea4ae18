import { describe, expect, it } from 'vitest';
import { errorText, metricsOf, normalizePrediction, readBounded, redactKnown, ResponseTooLarge } from '../../electron/backend/providers/replicate/normalize.ts';
import { boundLogs, uploadTimeoutMs } from '../../electron/backend/providers/bounds.ts';
import { runOfFalResult, runOfFalStatus } from '../../electron/backend/providers/fal/provider.ts';
import { readPredictionStream } from '../../electron/backend/providers/replicate/sse.ts';
import { isFileRef } from '../../electron/backend/records/output-text.ts';
import { LIMITS } from '../../shared/limits.ts';

// The provider boundary's pure rules (normalize.ts, sse.ts) as tables.

describe('redactKnown', () => {
  const key = 'r8_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789';
  it.each([
    [`Bearer ${key}`, 'Bearer [redacted]'],
    [`{"detail":"bad ${key} and ${key}"}`, '{"detail":"bad [redacted] and [redacted]"}'],
    ['the token budget is 512', 'the token budget is 512'], // ordinary model text is left alone
    ['nothing here', 'nothing here'],
  ])('%s', (input, want) => expect(redactKnown(input, [key])).toBe(want));
  it('ignores empty and short secrets', () => expect(redactKnown('a b c', ['', null, 'a'])).toBe('a b c'));
});

describe('errorText', () => {
  it.each([
    ['', null],
    ['   ', null],
    [null, null],
    [undefined, null],
    ['CUDA out of memory (E1001)', 'CUDA out of memory (E1001)'],
    ['{"detail": "inner message (E6716)", "type": "x"}', 'inner message (E6716)'],
    ['{"message": "from message"}', 'from message'],
    ['{not json', '{not json'],
    [{ detail: 'an object' }, 'an object'],
    [{ code: 7 }, '{"code":7}'],
    [42, '42'],
  ])('%j → %j', (input, want) => expect(errorText(input)).toBe(want));
  it(`is bounded by LIMITS.errorTextChars (${LIMITS.errorTextChars})`, () => {
    expect(errorText('x'.repeat(LIMITS.errorTextChars * 3))!.length).toBe(LIMITS.errorTextChars + 1);
  });
});

describe('uploadTimeoutMs', () => {
  it('gives a large file the time a slow uplink (100 KB/s) needs, and a small one at least a minute', () => {
    const big = 95 * 1024 * 1024;
    expect(uploadTimeoutMs(big)).toBeGreaterThanOrEqual((big / 100_000) * 1000);
    expect(uploadTimeoutMs(10)).toBeGreaterThanOrEqual(60_000);
    expect(uploadTimeoutMs(big)).toBeGreaterThan(uploadTimeoutMs(big / 2));
  });
});

describe('boundLogs', () => {
  it('keeps short logs whole and the tail of long ones, with a marker naming the limit', () => {
    expect(boundLogs('abc', 100)).toBe('abc');
    const long = `${'a'.repeat(500)}THE END`;
    const b = boundLogs(long, 200);
    expect(b.length).toBe(200);
    expect(b.endsWith('THE END')).toBe(true);
    expect(b).toMatch(/runLogChars/);
  });

  it("bounds fal's polled logs the same way (every provider's text passes the one bound)", () => {
    const entries = Array.from({ length: 4000 }, (_, i) => ({ message: `step ${i} ${'x'.repeat(100)}`, level: 'INFO', timestamp: '' }));
    const run = runOfFalStatus('r1', { status: 'IN_PROGRESS', queuePosition: null, logs: entries } as never);
    expect(run.logs!.length).toBeLessThanOrEqual(LIMITS.runLogChars);
    expect(run.logs).toMatch(/runLogChars/);
    expect(run.logs!.endsWith(`step 3999 ${'x'.repeat(100)}`)).toBe(true);
  });
});

describe("a fal language model's answer (runOfFalResult)", () => {
  const st = { status: 'COMPLETED', queuePosition: null, logs: null, inferenceTimeS: null } as never;
  const end = (output: Record<string, unknown>) => runOfFalResult('r1', st, { outcome: 'succeeded', output, requestId: 'r1' });
  it('an error in the body of a 200, with no answer beside it, is a failed run with that error', () => {
    expect(end({ output: '', error: 'Upstream provider rate limited the request' })).toMatchObject({
      status: 'failed',
      error: 'Upstream provider rate limited the request',
    });
    expect(end({ error: 'model unavailable' })).toMatchObject({ status: 'failed', error: 'model unavailable' });
  });
  it('an answer is kept, even partial; an empty error is none', () => {
    expect(end({ output: 'Half an ans', partial: true, error: 'cut short' })).toMatchObject({ status: 'succeeded' });
    expect(end({ output: 'Hello', error: '' })).toMatchObject({ status: 'succeeded' });
    expect(end({ images: [{ url: 'https://v3.fal.media/files/a.png' }] })).toMatchObject({ status: 'succeeded' });
  });
});

describe('normalizePrediction', () => {
  it.each([
    [{ logs: '' }, { logs: '', error: null }],
    [{ logs: null }, { error: null }],
    [{}, { error: null }],
    [
      { logs: 'x', error: '' },
      { logs: 'x', error: null },
    ],
    [{ error: '{"detail":"boom"}' }, { error: 'boom' }],
    // Wrong-typed fields (a buggy or hostile server) are typed here, so no view built from them fails its contract.
    [
      { urls: { get: 'https://api.replicate.com/v1/predictions/p', web: 123, cancel: ['x'], stream: {} } },
      { urls: { get: 'https://api.replicate.com/v1/predictions/p' }, error: null },
    ],
    [{ urls: 'https://replicate.com/p/p' }, { urls: null, error: null }],
    [
      { created_at: 1692212228, started_at: null, completed_at: '2023-08-16T18:57:12.170420Z', deadline: {} },
      { created_at: null, started_at: null, completed_at: '2023-08-16T18:57:12.170420Z', deadline: null, error: null },
    ],
    [
      { version: 7, model: 5, input: 'x', data_removed: 'yes' },
      { version: null, error: null },
    ],
    [
      { version: null, model: 'a/b', input: { prompt: 'x' }, data_removed: true },
      { version: null, model: 'a/b', input: { prompt: 'x' }, data_removed: true, error: null },
    ],
  ])('%j', (fields, want) => {
    const p = normalizePrediction({ id: 'p', status: 'failed', ...(fields as object) });
    expect(p).toEqual({ id: 'p', status: 'failed', ...want });
  });
});

describe('metricsOf', () => {
  it.each([
    [
      { predict_time: 1.5, total_time: 2 },
      { predictTime: 1.5, totalTime: 2 },
    ],
    [
      { predict_time: 1, input_token_count: 12, output_token_count: 345, tokens_per_second: 9 },
      { predictTime: 1, totalTime: null, inputTokens: 12, outputTokens: 345 },
    ],
    // Untrusted: negative, fractional, non-number or absurd counts are dropped, never guessed.
    [
      { predict_time: -1, input_token_count: -3, output_token_count: 2.5 },
      { predictTime: null, totalTime: null },
    ],
    [
      { predict_time: '1', output_token_count: '9' },
      { predictTime: null, totalTime: null },
    ],
    [{ output_token_count: 2 ** 60 }, { predictTime: null, totalTime: null }],
    [null, null],
    ['x', null],
  ])('%j', (m, want) => expect(metricsOf(m)).toEqual(want));
});

describe('readBounded', () => {
  it('reads a body up to the limit', async () => expect(await readBounded(new Response('hello'), 5)).toBe('hello'));
  it('refuses a declared length beyond the limit without reading', async () => {
    await expect(readBounded(new Response('x'.repeat(10), { headers: { 'content-length': '10' } }), 5)).rejects.toBeInstanceOf(ResponseTooLarge);
  });
  it('refuses an undeclared body once it passes the limit', async () => {
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        c.enqueue(new Uint8Array(1024)); // endless
      },
    });
    await expect(readBounded(new Response(stream), 10_000)).rejects.toBeInstanceOf(ResponseTooLarge);
  });
});

describe('isFileRef (stream output events that are files, not text)', () => {
  it.each([
    ['https://replicate.delivery/xezq/abc/out-0.webp', true],
    [' https://replicate.delivery/a.png\n', true],
    ['data:image/png;base64,iVBORw0KGgo=', true],
    ['data:audio/wav;base64,UklGRg==', true],
    ['Hello', false],
    ['see https://example.com for more', false],
    ['', false],
    ['data: not a uri', false],
  ])('%j → %s', (data, want) => expect(isFileRef(data)).toBe(want));
});

describe('readPredictionStream: files or text', () => {
  const stream = (events: string[]) =>
    new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode(events.map((d) => `event: output\ndata: ${d}\n\n`).join('') + 'event: done\ndata: {}\n\n'));
        c.close();
      },
    });
  it('an image model streams its files; a language model’s chunk that is a link stays in its answer', async () => {
    const files: string[] = [];
    const text: string[] = [];
    await readPredictionStream(stream(['https://x/a.png', 'https://x/b.png']), { onOutput: (t) => text.push(t), onFile: (u) => files.push(u) });
    expect([files, text]).toEqual([['https://x/a.png', 'https://x/b.png'], []]);
    files.length = 0;
    await readPredictionStream(stream(['See', 'https://replicate.com/docs', 'for more']), { onOutput: (t) => text.push(t), onFile: (u) => files.push(u) });
    expect([files, text]).toEqual([[], ['See', 'https://replicate.com/docs', 'for more']]);
  });
});
