import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reply, setup, until, type Harness } from './harness.ts';
import { ProviderError } from '../../../electron/backend/providers/replicate/errors.ts';

// Real-world answer shapes (issue 9), from test/fixtures/replicate/, sent verbatim by the
// simulator's `reply` fault: through the provider (what it parses) and through the engine (what
// the stored record says: status, outputs list, text, error).

const FIX = path.join(import.meta.dirname, '../../fixtures/replicate');
const fixture = (rel: string) => readFileSync(path.join(FIX, rel), 'utf8');
const idOf = (body: string) => /"id":\s*"([^"]+)"/.exec(body)![1]!;

let h: Harness;
beforeAll(async () => {
  h = await setup({});
});
afterAll(async () => {
  await h.close();
});

/** A create answer for a fixture: the same id, still starting (the engine then GETs the fixture). */
function starting(id: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    id,
    model: 'black-forest-labs/flux-schnell',
    version: 'hidden',
    input: { prompt: 'a kiln' },
    status: 'starting',
    urls: { get: `{{origin}}/v1/predictions/${id}`, cancel: `{{origin}}/v1/predictions/${id}/cancel`, ...extra },
  });
}

interface Want {
  status: string;
  kinds: string[];
  text?: string | null;
  error?: string | null;
  errorCode?: string | null;
  version?: string | null;
  logs?: string;
  createdAt?: string;
}

const PREDICTIONS: Record<string, Want> = {
  'single-uri': { status: 'succeeded', kinds: ['image'], text: null, error: null, logs: '', createdAt: '2026-01-05T10:00:00Z' },
  'uri-array': { status: 'succeeded', kinds: ['image', 'image'], text: null, error: null, logs: '' },
  'named-object': { status: 'succeeded', kinds: ['json', 'audio', 'video'], text: null, version: null },
  'array-of-objects': { status: 'succeeded', kinds: ['json', 'image', 'json', 'image'], text: null },
  'nested-arrays': { status: 'succeeded', kinds: ['image', 'image', 'image'], text: null },
  'data-uri': { status: 'succeeded', kinds: ['image'], text: null },
  'plain-text': { status: 'succeeded', kinds: ['text'], text: 'Just a sentence, not a URL.' },
  'file-iterator': { status: 'succeeded', kinds: ['image', 'image', 'image'], text: null },
  'tokens-leading-empty': { status: 'succeeded', kinds: ['text'], text: 'Hello, world!', version: null },
  'audio-wav': { status: 'succeeded', kinds: ['audio'] },
  'video-mp4': { status: 'succeeded', kinds: ['video'] },
  'duplicate-keys': { status: 'succeeded', kinds: ['image'], logs: 'Using seed: 99\n' },
  'failed-empty-error': { status: 'failed', kinds: [], error: 'the model gave no error message' },
  'failed-null-error-no-logs': { status: 'failed', kinds: [], error: 'the model gave no error message', logs: '' },
  'failed-json-error': { status: 'failed', kinds: [], error: 'CUDA out of memory. Tried to allocate 2.00 GiB (E1001)', errorCode: 'E1001' },
};

it('every prediction fixture has an expectation', () => {
  const files = readdirSync(path.join(FIX, 'predictions')).map((f) => f.replace(/\.json$/, ''));
  expect(files.filter((f) => f !== 'prefer-wait-processing-with-output').sort()).toEqual(Object.keys(PREDICTIONS).sort());
});

describe('through the provider', () => {
  for (const name of Object.keys(PREDICTIONS)) {
    it(`${name}: parsed to one shape (logs a string or absent, error a readable string or null)`, async () => {
      const body = fixture(`predictions/${name}.json`);
      h.sim.control.loadScenario({ faults: [reply('get', 200, body)] });
      const p = await h.backend.services.provider.getPrediction(idOf(body));
      expect(p.id).toBe(idOf(body));
      expect(p.logs === undefined || typeof p.logs === 'string').toBe(true);
      expect(p.error === null || (typeof p.error === 'string' && p.error.length > 0)).toBe(true);
      if (name === 'failed-json-error') expect(p.error).toBe('CUDA out of memory. Tried to allocate 2.00 GiB (E1001)');
      if (name === 'duplicate-keys') expect(p.status).toBe('succeeded'); // the last key wins
    });
  }

  it('an HTML 404 (here to a cancel) is a typed not_found named by the page title', async () => {
    h.sim.control.loadScenario({ faults: [reply('cancel', 404, fixture('http/404.html'), { 'content-type': 'text/html' })] });
    const err = await h.backend.services.provider.cancelPrediction('whatever').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).code).toBe('not_found');
    expect((err as ProviderError).message).toBe('Not found on Replicate: 404 Not Found.');
  });

  it('a 429 with no title and retry_after in the body: rate limited, waits what the body says', async () => {
    h.sim.control.loadScenario({ faults: [reply('get', 429, fixture('http/429-retry-after-body.json'), undefined, 1)] });
    const err = (await h.backend.services.provider.getPrediction('x').catch((e: unknown) => e)) as ProviderError;
    expect(err.code).toBe('rate_limited');
    expect(err.retryAfterMs).toBe(2000);
    h.backend.services.engine.budget.pause('other', 0); // the gate heard the 429; do not slow the next tests
  });

  const SSE: Record<string, { text: string[]; files: number; errors: string[]; end: 'done' | 'eof'; reason?: string | null }> = {
    'file-urls': { text: [], files: 2, errors: [], end: 'done', reason: null },
    'data-uris': { text: [], files: 2, errors: [], end: 'done', reason: null },
    'hi-keepalive-multiline': { text: ['Hello', 'first line\nsecond line', '!'], files: 0, errors: [], end: 'done', reason: null },
    'error-then-done': { text: ['partial'], files: 0, errors: ['The model crashed (E9243)'], end: 'done', reason: 'error' },
    'no-done': { text: ['cut ', 'off'], files: 0, errors: [], end: 'eof' },
  };
  for (const [name, want] of Object.entries(SSE)) {
    it(`SSE ${name}`, async () => {
      h.sim.control.loadScenario({ faults: [reply('stream', 200, fixture(`sse/${name}.txt`), { 'content-type': 'text/event-stream' })] });
      const got = { text: [] as string[], files: [] as string[], errors: [] as string[], reason: undefined as string | null | undefined };
      const end = await h.backend.services.provider.stream(`${h.sim.origin}/stream/fx`, {
        onOutput: (c) => got.text.push(c),
        onFile: (u) => got.files.push(u),
        onError: (m) => got.errors.push(m),
        onDone: (r) => (got.reason = r),
      });
      expect(end).toBe(want.end);
      expect(got.text).toEqual(want.text);
      expect(got.files).toHaveLength(want.files);
      expect(got.errors).toEqual(want.errors);
      if (want.end === 'done') expect(got.reason).toBe(want.reason);
    });
  }
});

describe('through the engine, to the stored record', () => {
  for (const [name, want] of Object.entries(PREDICTIONS)) {
    it(name, async () => {
      const body = fixture(`predictions/${name}.json`);
      const id = idOf(body);
      h.sim.control.loadScenario({ faults: [reply('create', 201, starting(id)), reply('get', 200, body)] });
      const { engine, history } = h.backend.services;
      const run = engine.submit({ model: 'black-forest-labs/flux-schnell', input: { prompt: name } });
      const done = await until(() => (history.get(run.id)!.status === want.status ? history.get(run.id)! : null), 10_000, `${name} ${want.status}`);
      await engine.whenSaved(run.id);
      expect(done.providerId).toBe(id);
      expect(history.getOutputs(run.id).map((o) => o.kind)).toEqual(want.kinds);
      if (want.text !== undefined) expect(done.text).toBe(want.text);
      if (want.error !== undefined) expect(done.error?.message ?? null).toBe(want.error);
      if (want.errorCode !== undefined) expect(done.error?.code ?? null).toBe(want.errorCode);
      if (want.version !== undefined) expect(done.version).toBe(want.version);
      if (want.logs !== undefined) expect(done.logs).toBe(want.logs);
      if (want.createdAt) expect(done.providerCreatedAt).toBe(Date.parse(want.createdAt));
      expect(done.error?.message ?? '').not.toMatch(/^failed: ?$/);
    });
  }

  it('a Prefer: wait answer saying processing with a 400 KB data URI already present: followed to its end, the file saved', async () => {
    const png = await sharp({
      create: { width: 380, height: 380, channels: 3, background: { r: 0, g: 0, b: 0 }, noise: { type: 'gaussian', mean: 128, sigma: 60 } },
    })
      .png()
      .toBuffer();
    expect(png.length).toBeGreaterThan(300 * 1024);
    const uri = `data:image/png;base64,${png.toString('base64')}`;
    const processing = fixture('predictions/prefer-wait-processing-with-output.json').replace('{{bigPng}}', uri);
    const id = idOf(processing);
    const succeeded = JSON.stringify({ ...JSON.parse(processing), status: 'succeeded', completed_at: '2026-01-05T10:00:09.5Z' });
    h.sim.control.loadScenario({ faults: [reply('create', 201, processing), reply('get', 200, succeeded)] });
    const { engine, history } = h.backend.services;
    const run = engine.submit({ model: 'black-forest-labs/flux-schnell', input: { prompt: 'prefer wait' } });
    const done = await until(() => (history.get(run.id)!.status === 'succeeded' ? history.get(run.id)! : null), 10_000, 'succeeded');
    await engine.whenSaved(run.id);
    expect(done.providerId).toBe(id);
    expect(done.output).toBe(uri);
    expect(done.timeline.map((t) => t.status)).toContain('processing');
    const outs = history.getOutputs(run.id);
    expect(outs.map((o) => [o.kind, o.state])).toEqual([['image', 'saved']]);
    expect(outs[0]!.size).toBeGreaterThanOrEqual(png.length); // the PNG, plus Kiln's metadata chunks
  });

  it('a lost create listed under model replicate-internal/…: reconciled, never sent twice', async () => {
    const id = 'fxinternal001';
    const listed = {
      id,
      model: 'replicate-internal/flux-schnell-h100',
      version: 'dp-8f3a1c2e4b5d6f70',
      input: { prompt: 'listed as internal' },
      status: 'starting',
      created_at: new Date().toISOString(),
      urls: { get: `{{origin}}/v1/predictions/${id}` },
    };
    const creates = () => Object.values(h.sim.control.counters().createsByInputHash).reduce((a, b) => a + b, 0);
    const before = creates();
    h.sim.control.loadScenario({
      faults: [
        { endpoint: 'create', kind: 'drop-response-after-create' },
        reply('list', 200, JSON.stringify({ next: null, previous: null, results: [listed] })),
        reply('get', 200, JSON.stringify({ ...listed, status: 'succeeded', output: 'Plain words.' })),
      ],
    });
    const { engine, history } = h.backend.services;
    const run = engine.submit({ model: 'black-forest-labs/flux-schnell', input: { prompt: 'listed as internal' } });
    const done = await until(() => (history.get(run.id)!.status === 'succeeded' ? history.get(run.id)! : null), 10_000, 'succeeded');
    expect(done.providerId).toBe(id);
    expect(done.submitAttempts).toBe(1);
    expect(creates() - before).toBe(1); // the one whose answer was lost; never a second
  });

  it('a text model streaming file URLs: files, not text on the card', async () => {
    const id = 'fxstreamfile1';
    const streamUrl = `{{origin}}/stream/${id}`;
    const processing = JSON.stringify({
      id,
      model: 'meta/meta-llama-3-8b-instruct',
      version: 'hidden',
      input: { prompt: 'x' },
      status: 'processing',
      output: null,
      logs: '',
      urls: { get: `{{origin}}/v1/predictions/${id}`, stream: streamUrl },
    });
    const file = (n: number) => `{{origin}}/delivery/xezq/fixture/frame-00${n}.webp`;
    const succeeded = JSON.stringify({ ...JSON.parse(processing), status: 'succeeded', output: [file(0), file(1)] });
    h.sim.control.loadScenario({
      faults: [
        reply('create', 201, starting(id, { stream: streamUrl })),
        reply('stream', 200, fixture('sse/file-urls.txt'), { 'content-type': 'text/event-stream' }),
        reply('get', 200, processing, undefined, 3),
        reply('get', 200, succeeded),
      ],
    });
    const { engine, history } = h.backend.services;
    const texts: (string | null)[] = [];
    const off = engine.onRecord((r) => texts.push(r.text));
    const run = engine.submit({ model: 'meta/meta-llama-3-8b-instruct', input: { prompt: 'stream files' } });
    const done = await until(() => (history.get(run.id)!.status === 'succeeded' ? history.get(run.id)! : null), 10_000, 'succeeded');
    off();
    await engine.whenSaved(run.id);
    expect(h.sim.control.counters().byEndpoint['stream']).toBeGreaterThan(0);
    expect(done.text).toBeNull();
    expect(texts.filter((t) => t !== null)).toEqual([]); // never shown as text, even while streaming
    expect(history.getOutputs(run.id).map((o) => o.kind)).toEqual(['image', 'image']);
  });
});
