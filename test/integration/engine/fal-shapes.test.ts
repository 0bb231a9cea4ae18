import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from './harness.ts';
import { setupFal, type FalHarness } from './fal-harness.ts';
import { createFalProvider } from '../../../electron/backend/providers/fal/provider.ts';
import { ProviderError } from '../../../electron/backend/providers/errors.ts';
import type { RemoteRun } from '../../../electron/backend/providers/types.ts';
import type { Fault } from '../../fal-sim/types.ts';

// fal's answers in their real-world shapes (test/fixtures/fal/README.md says where each came
// from), sent verbatim by the fal simulator's `reply` fault: through the provider (what Kiln
// parses) and through the engine (what the stored record says: status, output kinds, text, error).

const FIX = path.join(import.meta.dirname, '../../fixtures/fal');
const fixture = (rel: string) => readFileSync(path.join(FIX, rel), 'utf8');
const MODEL = 'fal-ai/flux/dev';
const JSON_TYPE = { 'content-type': 'application/json' };
const SSE_TYPE = { 'content-type': 'text/event-stream' };

let h: FalHarness;
beforeAll(async () => {
  h = await setupFal({});
});
afterAll(async () => {
  await h.close();
});
const provider = () => createFalProvider(h.backend.services.fal);
const filled = (body: string) => body.replaceAll('{{queueUrl}}', h.sim.queueUrl).replaceAll('{{origin}}', h.sim.origin);

const reply = (endpoint: Fault['endpoint'], status: number, body: string, headers: Record<string, string> = JSON_TYPE): Fault => ({
  endpoint,
  kind: 'reply',
  count: 100,
  reply: { status, body, headers },
});

/** A COMPLETED status (its logs, metrics) and then this result: what `get` reads at a run's end. */
const completed = (status: number, body: string, headers?: Record<string, string>, statusFile = 'queue/status-completed.json') => [
  reply('status', 200, fixture(statusFile)),
  reply('result', status, body, headers),
];
const errorOf = (e: unknown) => (e instanceof ProviderError ? { code: e.code, transient: e.transient, message: e.message } : { thrown: String(e) });

interface Want {
  status: string;
  kinds: string[];
  text?: string | null;
  error?: string;
  dataRemoved?: boolean;
}

/** Result bodies of many model kinds (test/fixtures/fal/results/), each after a plain COMPLETED status. */
const RESULTS: Record<string, Want> = {
  'flux-images': { status: 'succeeded', kinds: ['json', 'image', 'image'], text: null },
  'seedream-url-only': { status: 'succeeded', kinds: ['json', 'image'] },
  'nano-banana-description': { status: 'succeeded', kinds: ['json', 'image'], text: null },
  'sync-mode-data-uri': { status: 'succeeded', kinds: ['json', 'image'] },
  'single-image': { status: 'succeeded', kinds: ['json', 'image'] },
  // No extension, and no bytes to sniff (the CDN has no such file): the `content_type` beside the URL says image.
  'image-no-extension': { status: 'succeeded', kinds: ['json', 'image'] },
  'nsfw-flagged': { status: 'succeeded', kinds: ['json', 'image'] },
  'kling-video': { status: 'succeeded', kinds: ['json', 'video'] },
  'veo-video-rich': { status: 'succeeded', kinds: ['json', 'video'] },
  'minimax-speech-audio': { status: 'succeeded', kinds: ['json', 'audio'] },
  // content_type application/octet-stream beside a .wav URL: the extension tells.
  'stable-audio-audio-file': { status: 'succeeded', kinds: ['json', 'audio'] },
  'tts-audio-url-string': { status: 'succeeded', kinds: ['json', 'audio'] },
  'speech-audio-url-object': { status: 'succeeded', kinds: ['json', 'audio'] },
  'trellis-model-mesh': { status: 'succeeded', kinds: ['json', 'file'] },
  'trellis-llms-example': { status: 'succeeded', kinds: ['json'] },
  'nested-unknown': { status: 'succeeded', kinds: ['json', 'image', 'image'] },
  // Language models and transcribers answer text inside an object: the text is the card's, the object is kept beside it.
  'whisper-chunks': { status: 'succeeded', kinds: ['text', 'json'], text: ' Deep in the desert stands a tower. Nobody remembers who built it.' },
  'any-llm-output': { status: 'succeeded', kinds: ['text', 'json'], text: '1. PASS - the label is legible.\n2. FAIL - the logo is cropped.' },
  'openrouter-usage': { status: 'succeeded', kinds: ['text', 'json'], text: 'Perspective.\n' },
  // The text is kept (a partial answer is an answer); why it stopped is kept beside it.
  'llm-partial-error': {
    status: 'succeeded',
    kinds: ['text', 'json'],
    text: 'Find meaning in',
    error: 'The answer stopped before its end: Stream interrupted by the upstream provider',
  },
  'any-llm-error': { status: 'failed', kinds: [], error: 'Upstream provider returned 529: overloaded' },
};

/** Error answers at the result fetch that end the run (status code, body, headers, the status before it). */
const FAILURES: Record<string, { status: number; file: string; headers?: Record<string, string>; statusFile?: string; want: Want }> = {
  '422 string_too_long': {
    status: 422,
    file: 'errors/422-string-too-long.json',
    want: { status: 'failed', kinds: [], error: 'prompt: String should have at most 2500 characters' },
  },
  '422 content policy on two fields': {
    status: 422,
    file: 'errors/422-content-policy.json',
    want: {
      status: 'failed',
      kinds: [],
      error:
        'prompt: The content could not be processed because it contained material flagged by a content checker.; image_url: The content could not be processed because it contained material flagged by a content checker.',
    },
  },
  '422 with a string detail': {
    status: 422,
    file: 'errors/422-string-detail.json',
    want: { status: 'failed', kinds: [], error: 'Error validating the input: image_url could not be downloaded (HTTP 403).' },
  },
  '422 item with a type and no msg': {
    status: 422,
    file: 'errors/422-no-msg.json',
    want: { status: 'failed', kinds: [], error: 'image_size: image_too_large' },
  },
  '422 FieldException': {
    status: 422,
    file: 'errors/422-field-exception.json',
    want: { status: 'failed', kinds: [], error: 'image_url: Could not download the image from the given URL.' },
  },
  '500 Internal Server Error, the traceback in the logs': {
    status: 500,
    file: 'errors/500-internal.json',
    headers: { ...JSON_TYPE, 'x-fal-request-id': '{{id}}' },
    statusFile: 'queue/status-completed-traceback.json',
    want: { status: 'failed', kinds: [], error: 'Internal Server Error: ValueError: image_url could not be decoded as an image (HTTP 500)' },
  },
  '503 CUDA out of memory': {
    status: 503,
    file: 'errors/503-cuda-oom.json',
    headers: { ...JSON_TYPE, 'x-fal-request-id': '{{id}}' },
    want: { status: 'failed', kinds: [], error: 'CUDA error: out of memory (HTTP 503)' },
  },
  '504 request_timeout (typed, no request id)': {
    status: 504,
    file: 'errors/504-request-timeout.json',
    headers: { ...JSON_TYPE, 'x-fal-error-type': 'request_timeout' },
    want: { status: 'failed', kinds: [], error: 'Request timed out (HTTP 504)' },
  },
  '499 cancelled by the client': {
    status: 499,
    file: 'errors/499-cancelled.json',
    headers: { ...JSON_TYPE, 'x-fal-request-id': '{{id}}' },
    want: { status: 'canceled', kinds: [] },
  },
  '404 from the app (a path it does not serve): failed, the result is not gone': {
    status: 404,
    file: 'errors/404-path.json',
    want: { status: 'failed', kinds: [], error: 'Path /flux/nonexistent not found', dataRemoved: false },
  },
  '404 request not found: the result expired': {
    status: 404,
    file: 'errors/404-request-not-found.json',
    want: { status: 'failed', kinds: [], error: 'fal no longer has this result: Request not found', dataRemoved: true },
  },
};

it('every result fixture has an expectation', () => {
  const files = readdirSync(path.join(FIX, 'results')).map((f) => f.replace(/\.json$/, ''));
  expect(files.sort()).toEqual(Object.keys(RESULTS).sort());
});

describe('through the provider', () => {
  it.each([
    ['submit-full', '7c0d2c5e-5a41-4f7e-9a43-0b6f1b2f9c11', 0, 'fal-ai/flux'],
    ['submit-minimal', '80e732af-660e-45cd-bd63-580e4f2a94cc', null, 'fal-ai/fast-sdxl'],
    ['submit-gateway', 'c97bcce5-3fb9-4ce8-9759-c1f20dbed6e3', 12, 'fal-ai/flux/dev'],
  ])('submit answer %s: the request id, its queue position, and the status URL fal gave', async (name, id, position, app) => {
    h.sim.control.loadScenario({ faults: [reply('submit', 200, fixture(`queue/${name}.json`))] });
    const s = await h.backend.services.fal.submit({ endpointId: MODEL, input: { prompt: name } });
    expect(s).toMatchObject({ requestId: id, queuePosition: position, statusUrl: `${h.sim.queueUrl}/${app}/requests/${id}/status` });
  });

  // The reference (§3) asks a client to require only `request_id` of a submit answer: a field of the
  // wrong type is as good as absent (the URLs are built, the position unknown), never a lost submit.
  const SUBMIT_ID = '7c0d2c5e-5a41-4f7e-9a43-0b6f1b2f9c11';
  const builtStatusUrl = () => `${h.sim.queueUrl}/fal-ai/flux/requests/${SUBMIT_ID}/status`;
  it.each([
    ['queue_position "0"', { queue_position: '0' }],
    ['queue_position 1.0000001', { queue_position: 1.0000001 }],
    ['queue_position -1', { queue_position: -1 }],
    ['status_url an object, cancel_url a number', { status_url: { href: 'x' }, cancel_url: 7 }],
    ['status 5, response_url []', { status: 5, response_url: [] }],
  ])('submit answer with %s: read, the wrong field left out', async (_name, wrong) => {
    const body = { ...JSON.parse(filled(fixture('queue/submit-full.json'))), ...wrong };
    h.sim.control.loadScenario({ faults: [reply('submit', 200, JSON.stringify(body))] });
    const s = await h.backend.services.fal.submit({ endpointId: MODEL, input: { prompt: 'typed' } });
    expect(s).toMatchObject({ requestId: SUBMIT_ID, queuePosition: 'queue_position' in wrong ? null : 0, statusUrl: builtStatusUrl() });
  });

  it('submit answer whose URLs are not well-formed request URLs on fal’s queue: built instead', async () => {
    for (const status_url of [
      `${h.sim.apiUrl}/fal-ai/flux/requests/${SUBMIT_ID}/status`,
      `${h.sim.queueUrl}/fal-ai/flux/requests/${SUBMIT_ID}/status?logs=1`,
      `${h.sim.queueUrl}/fal-ai/../flux/requests/${SUBMIT_ID}/status`,
      `${h.sim.queueUrl}/fal-ai/flux/requests/another-id/status`,
      `${h.sim.queueUrl}/fal-ai/flux/requests/${SUBMIT_ID}/cancel`,
    ]) {
      const body = { ...JSON.parse(filled(fixture('queue/submit-full.json'))), status_url };
      h.sim.control.loadScenario({ faults: [reply('submit', 200, JSON.stringify(body))] });
      const s = await h.backend.services.fal.submit({ endpointId: MODEL, input: { prompt: 'urls' } });
      expect(s.statusUrl, status_url).toBe(builtStatusUrl());
    }
  });

  it('submit answer whose request_id is not a string: unreadable (ambiguous: reconcile before sending again)', async () => {
    const body = { ...JSON.parse(filled(fixture('queue/submit-full.json'))), request_id: 12345 };
    h.sim.control.loadScenario({ faults: [reply('submit', 200, JSON.stringify(body))] });
    const err = await h.backend.services.fal.submit({ endpointId: MODEL, input: { prompt: 'typed' } }).catch((e: unknown) => e);
    expect([(err as ProviderError).transient, (err as ProviderError).ambiguous]).toEqual([true, true]);
  });

  // Of a status answer only `status` is required: any other field of the wrong type is left out.
  const ONE_WRONG: [string, Record<string, unknown>, Partial<RemoteRun>][] = [
    ['queue_position "3"', { status: 'IN_QUEUE', queue_position: '3' }, { status: 'starting', queuePosition: null }],
    ['queue_position 2.5', { status: 'IN_QUEUE', queue_position: 2.5 }, { status: 'starting', queuePosition: null }],
    ['logs {}', { status: 'IN_PROGRESS', logs: {} }, { status: 'processing', logs: undefined }],
    ['request_id 5', { status: 'IN_PROGRESS', request_id: 5, logs: [] }, { status: 'processing', logs: '' }],
    ['status_url {}, response_url 7', { status: 'IN_PROGRESS', status_url: {}, response_url: 7 }, { status: 'processing' }],
    [
      'a log entry with a numeric timestamp and level',
      { status: 'IN_PROGRESS', logs: [{ message: 'step one', level: 3, timestamp: 123456, source: null }] },
      { status: 'processing', logs: 'step one' },
    ],
    ['metrics []', { status: 'COMPLETED', metrics: [], logs: [] }, { status: 'succeeded', metrics: undefined }],
    ['metrics.inference_time "2.4"', { status: 'COMPLETED', metrics: { inference_time: '2.4' } }, { status: 'succeeded', metrics: undefined }],
    [
      'error_type 5',
      { status: 'COMPLETED', error_type: 5, metrics: { inference_time: 1.5 } },
      { status: 'succeeded', metrics: { predictTime: 1.5, totalTime: null } },
    ],
    ['request_id 5 on COMPLETED', { status: 'COMPLETED', request_id: 5 }, { status: 'succeeded' }],
  ];
  it.each(ONE_WRONG)('status with %s: read, the wrong field left out', async (_name, body, want) => {
    h.sim.control.loadScenario({
      faults: [reply('status', body.status === 'COMPLETED' ? 200 : 202, JSON.stringify(body)), reply('result', 200, fixture('results/single-image.json'))],
    });
    const run = await provider().get({ id: 'fx-typed', model: MODEL });
    const { logs, metrics, ...rest } = want;
    expect(run).toMatchObject(rest);
    if ('logs' in want) expect(run.logs).toBe(logs);
    if ('metrics' in want) expect(run.metrics).toEqual(metrics);
  });

  it('status without a status word: unreadable (transient)', async () => {
    h.sim.control.loadScenario({ faults: [reply('status', 202, JSON.stringify({ status: 5, queue_position: 0 }))] });
    const err = await provider()
      .get({ id: 'fx-typed', model: MODEL })
      .catch((e: unknown) => e);
    expect(errorOf(err)).toMatchObject({ code: 'provider', transient: true });
  });

  const STATUSES: Record<string, Partial<RemoteRun> & { logs?: string }> = {
    'status-in-queue': { status: 'starting', rawStatus: 'IN_QUEUE', queuePosition: 3 },
    'status-in-progress-logs-null': { status: 'processing', logs: undefined },
    'status-in-progress-logs-empty': { status: 'processing', logs: '' },
    // A legacy entry (no level, no source) is kept, an entry without a message is dropped.
    'status-in-progress-logs': {
      status: 'processing',
      logs: `Loading weights\n 50%|█████     | 14/28 [00:01<00:01, 11.02it/s]\nlegacy entry without level or source\n${JSON.parse(fixture('queue/status-in-progress-logs.json')).logs[4].message}`,
    },
  };
  for (const [name, want] of Object.entries(STATUSES)) {
    it(`status ${name}`, async () => {
      h.sim.control.loadScenario({ faults: [reply('status', 202, fixture(`queue/${name}.json`))] });
      const run = await provider().get({ id: 'fx-status', model: MODEL });
      const { logs, ...rest } = want;
      expect(run).toMatchObject(rest);
      expect(run.logs).toBe(logs);
    });
  }

  it.each([
    ['status-completed.json', { predictTime: 2.41, totalTime: null }],
    // error/error_type on the status: the result fetch is the authority, and it answered 200.
    ['status-completed-error.json', undefined],
    ['status-completed-legacy.json', undefined],
  ])('%s then a 200 result: succeeded', async (statusFile, metrics) => {
    h.sim.control.loadScenario({ faults: completed(200, fixture('results/seedream-url-only.json'), JSON_TYPE, `queue/${statusFile}`) });
    const run = await provider().get({ id: 'fx-completed', model: MODEL });
    expect(run.status).toBe('succeeded');
    expect(run.metrics).toEqual(metrics);
  });

  for (const [name, want] of Object.entries(RESULTS)) {
    it(`result ${name}: ${want.status}`, async () => {
      h.sim.control.loadScenario({ faults: completed(200, fixture(`results/${name}.json`)) });
      const run = await provider().get({ id: `fx-${name}`, model: MODEL });
      expect(run.status).toBe(want.status);
      if (want.error) expect(run.error).toBe(want.error);
      else expect(run.output).toEqual(JSON.parse(filled(fixture(`results/${name}.json`))));
    });
  }

  it('a crash traceback in Python’s own order (chained): the last exception raised names the failure', async () => {
    const tb = [
      'Traceback (most recent call last):',
      '  File "/app/main.py", line 12, in load',
      "KeyError: 'weights'",
      '',
      'During handling of the above exception, another exception occurred:',
      '',
      'Traceback (most recent call last):',
      '  File "/app/main.py", line 88, in generate',
      'RuntimeError: the pipeline was never loaded',
    ].join('\n');
    const status = JSON.parse(fixture('queue/status-completed-traceback.json'));
    status.logs[1] = { timestamp: '2024-12-20T15:37:17.120314', message: JSON.stringify({ traceback: tb }), labels: {} };
    h.sim.control.loadScenario({
      faults: [
        reply('status', 200, JSON.stringify(status)),
        reply('result', 500, fixture('errors/500-internal.json'), { ...JSON_TYPE, 'x-fal-request-id': '{{id}}' }),
      ],
    });
    expect((await provider().get({ id: 'fx-chained', model: MODEL })).error).toBe(
      'Internal Server Error: RuntimeError: the pipeline was never loaded (HTTP 500)',
    );
  });

  it("openrouter's usage becomes the run's token counts", async () => {
    h.sim.control.loadScenario({ faults: completed(200, fixture('results/openrouter-usage.json')) });
    expect((await provider().get({ id: 'fx-usage', model: MODEL })).metrics).toMatchObject({ inputTokens: 21, outputTokens: 3 });
  });

  it.each([
    ['502 nginx page', 502, 'errors/502-nginx.html', { 'content-type': 'text/html' }, { code: 'provider', transient: true }],
    ['400 still in progress', 400, 'errors/400-still-in-progress.json', JSON_TYPE, { code: 'provider', transient: true }],
    ['500 with neither its request id nor a type (the platform)', 500, 'errors/500-internal.json', JSON_TYPE, { code: 'provider', transient: true }],
    [
      '401 No user found',
      401,
      'errors/401-no-user.json',
      JSON_TYPE,
      { code: 'auth', message: 'fal rejected the API key: No user found for Key ID and Secret. Check it in Settings (or FAL_KEY).' },
    ],
    ['403 TOP_UP', 403, 'errors/403-top-up.json', JSON_TYPE, { code: 'billing', message: 'fal refused the request: User is locked. Reason: TOP_UP.' }],
  ])('a result answer that is not about the run (%s): thrown, the run is followed on', async (_name, status, file, headers, want) => {
    h.sim.control.loadScenario({ faults: completed(status, fixture(file), headers) });
    expect(
      errorOf(
        await provider()
          .get({ id: 'fx-thrown', model: MODEL })
          .catch((e: unknown) => e),
      ),
    ).toMatchObject(want);
  });

  it.each([
    ['errors/404-application.json', 404, 'not_found', 'Not found on fal: Application "schnell" not found.'],
    [
      'errors/401-invalid-format.json',
      401,
      'auth',
      "fal rejected the API key: Invalid Key Authorization header format. Expected '<key_id>:<key_secret>'. Check it in Settings (or FAL_KEY).",
    ],
    [
      'errors/403-exhausted-balance.json',
      403,
      'billing',
      'fal refused the request: User is locked. Reason: Exhausted balance. Top up your balance at fal.ai/dashboard/billing.',
    ],
    ['errors/403-admin-lock.json', 403, 'billing', 'fal refused the request: User is locked. Reason: Admin lock. Please contact support@fal.ai.'],
  ])('submit refused with %s: %s %s', async (file, status, code, message) => {
    h.sim.control.loadScenario({ faults: [reply('submit', status, fixture(file))] });
    const err = await provider()
      .submit({ model: MODEL, version: null, target: 'model', input: { prompt: 'refused' } })
      .catch((e: unknown) => e);
    expect(errorOf(err)).toEqual({ code, transient: false, message });
  });

  it('submit refused with a 422 on two fields: both fields named for the composer', async () => {
    h.sim.control.loadScenario({ faults: [reply('submit', 422, fixture('errors/422-content-policy.json'))] });
    const err = (await provider()
      .submit({ model: MODEL, version: null, target: 'model', input: { prompt: 'x' } })
      .catch((e: unknown) => e)) as ProviderError;
    expect(err.code).toBe('invalid_input');
    expect(Object.keys(err.fields ?? {})).toEqual(['prompt', 'image_url']);
  });

  it.each([
    ['cancel-requested', 202, { status: 'canceled' }],
    ['cancel-already-completed', 400, { code: 'bad_request', message: 'fal says the request has already completed.' }],
    ['cancel-not-found', 404, { code: 'not_found' }],
    // The documented values with codes nobody has seen, and the older `{success}` body.
    ['cancel-not-found', 200, { code: 'not_found' }],
    ['cancel-already-completed', 200, { code: 'bad_request', message: 'fal says the request has already completed.' }],
    ['cancel-legacy-ok', 200, { status: 'canceled' }],
    ['cancel-legacy-refused', 200, { code: 'bad_request', message: 'fal did not cancel the request.' }],
  ])('cancel answer %s with HTTP %i', async (name, status, want) => {
    h.sim.control.loadScenario({ faults: [reply('cancel', status, fixture(`queue/${name}.json`))] });
    const got = await provider()
      .cancel({ id: 'fx-cancel', model: MODEL })
      .catch((e: unknown) => errorOf(e));
    expect(got).toMatchObject(want);
  });

  const STREAMS: Record<string, { statuses: string[]; logs?: string; end: 'done' | 'transient' }> = {
    'typed-with-pings': { statuses: ['starting', 'processing', 'processing'], logs: 'Loading weights\n100%|██████████| 28/28', end: 'done' },
    // Opened mid-run: its incremental logs are not the whole log, so they are not passed on.
    'legacy-transcript': { statuses: ['processing', 'processing'], end: 'done' },
    'crlf-completed': { statuses: ['processing'], end: 'done' },
    'ends-before-completed': { statuses: ['starting', 'processing'], end: 'transient' },
  };
  for (const [name, want] of Object.entries(STREAMS)) {
    it(`status stream ${name}`, async () => {
      h.sim.control.loadScenario({ faults: [reply('stream', 200, fixture(`sse/${name}.txt`), SSE_TYPE)] });
      const runs: RemoteRun[] = [];
      let done = false;
      const url = `${h.sim.queueUrl}/fal-ai/flux/requests/fx-stream/status/stream`;
      const end = await provider().stream!(url, { onOutput: () => {}, onStatus: (r) => runs.push(r), onDone: () => (done = true) }).catch((e: unknown) => e);
      expect(runs.map((r) => r.status)).toEqual(want.statuses);
      expect(runs.at(-1)!.logs).toBe(want.logs);
      expect(done).toBe(want.end === 'done');
      if (want.end === 'transient') expect(errorOf(end)).toMatchObject({ code: 'provider', transient: true });
    });
  }

  it('platform: a model with its OpenAPI expanded gives its input schema in fal’s order', async () => {
    h.sim.control.loadScenario({ faults: [reply('platform', 200, fixture('platform/models-openapi.json'))] });
    const { model, schema } = await h.backend.services.fal.getModel('fal-ai/bytedance/seedream/v4/text-to-image');
    expect(model).toMatchObject({ displayName: 'Bytedance Seedream v4', category: 'text-to-image', durationEstimateMin: 0.3 });
    expect(Object.keys((schema.input as { properties: object }).properties)).toEqual(['prompt', 'image_size', 'num_images', 'seed', 'sync_mode']);
    expect(schema.output).toMatchObject({ title: 'SeedDream4T2IOutput' });
  });

  it('platform: an OpenAPI expansion that failed is said, not parsed', async () => {
    h.sim.control.loadScenario({ faults: [reply('platform', 200, fixture('platform/models-expansion-failed.json'))] });
    const err = await h.backend.services.fal.getModel(MODEL).catch((e: unknown) => e);
    expect(errorOf(err)).toMatchObject({ code: 'provider', message: expect.stringContaining('Failed to fetch the OpenAPI schema') });
  });

  it('platform: search keeps models without metadata, drops an item without an endpoint id', async () => {
    h.sim.control.loadScenario({ faults: [reply('platform', 200, fixture('platform/models-search.json'))] });
    const { models, nextCursor } = await h.backend.services.fal.searchModels('flux');
    expect(models.map((m) => [m.endpointId, m.displayName, m.status])).toEqual([
      ['fal-ai/flux/dev', 'FLUX.1 [dev]', 'active'],
      ['fal-ai/flux/schnell', 'FLUX.1 [schnell]', 'deprecated'],
      ['someone/unregistered-app', 'someone/unregistered-app', null],
    ]);
    expect(nextCursor).toBe('Mg==');
  });

  it('platform: prices (a malformed one dropped), request history (inputs only where fal kept an object)', async () => {
    h.sim.control.loadScenario({ faults: [reply('platform', 200, fixture('platform/pricing.json'))] });
    expect((await h.backend.services.fal.pricing([MODEL])).map((p) => `${p.endpointId} ${p.unitPrice}/${p.unit}`)).toEqual([
      'fal-ai/flux/dev 0.025/image',
      'fal-ai/flux-1/dev 0.025/megapixels',
      'fal-ai/kling-video/v2.1/master/text-to-video 0.28/second',
    ]);
    h.sim.control.loadScenario({ faults: [reply('platform', 200, fixture('platform/history.json'))] });
    const items = await provider().findSubmitted!({ model: MODEL, input: {}, since: 0 });
    expect(items.map((r) => [r.id, r.input ?? null, r.rawStatus])).toEqual([
      ['2a7d4e3f-5b6c-4d8e-0f1a-2b3c4d5e6f70', null, 'IN_HISTORY'],
      ['1f6c3d2e-4a5b-4c7d-9e0f-1a2b3c4d5e6f', null, 'IN_HISTORY'],
      ['0e5b2c1d-3f4a-4b6c-8d9e-0f1a2b3c4d5e', { prompt: 'a red fox in fresh snow', seed: 42 }, 'IN_HISTORY_ENDED'],
    ]);
    h.sim.control.loadScenario({ faults: [reply('platform', 401, fixture('errors/platform-401.json'))] });
    expect(errorOf(await h.backend.services.fal.pricing([MODEL]).catch((e: unknown) => e))).toMatchObject({
      code: 'auth',
      message: expect.stringContaining('Invalid API key'),
    });
  });
});

describe('through the engine, to the stored record', () => {
  /** Submit answered, the status stream says COMPLETED, then `faults` (status and result). */
  async function runTo(name: string, faults: Fault[], want: Want) {
    const id = `fx-${name.replace(/\W+/g, '-')}`;
    const submitted = fixture('queue/submit-full.json').replaceAll('7c0d2c5e-5a41-4f7e-9a43-0b6f1b2f9c11', id);
    h.sim.control.loadScenario({ faults: [reply('submit', 200, submitted), reply('stream', 200, fixture('sse/typed-with-pings.txt'), SSE_TYPE), ...faults] });
    const { engine, history } = h.backend.services;
    const run = engine.submit({ provider: 'fal', model: MODEL, input: { prompt: name } });
    const done = await until(() => (history.get(run.id)!.status === want.status ? history.get(run.id)! : null), 10_000, `${name} ${want.status}`);
    await engine.whenSaved(run.id);
    expect(done.providerId).toBe(id);
    expect(history.getOutputs(run.id).map((o) => o.kind)).toEqual(want.kinds);
    if (want.text !== undefined) expect(done.text).toBe(want.text);
    if (want.error !== undefined) expect(done.error?.message).toBe(want.error);
    if (want.dataRemoved !== undefined) expect(done.dataRemoved).toBe(want.dataRemoved);
    return { done, outputs: history.getOutputs(run.id) };
  }

  for (const [name, want] of Object.entries(RESULTS)) {
    it(`result ${name}`, async () => {
      await runTo(name, completed(200, fixture(`results/${name}.json`)), want);
    });
  }

  for (const [name, c] of Object.entries(FAILURES)) {
    it(`result ${name}`, async () => {
      await runTo(name, completed(c.status, fixture(c.file), c.headers, c.statusFile), c.want);
    });
  }

  it('a sync_mode data URI is saved as the image itself; a text answer is saved as text', async () => {
    const image = await runTo('sync-saved', completed(200, fixture('results/sync-mode-data-uri.json')), RESULTS['sync-mode-data-uri']!);
    expect(image.outputs.map((o) => [o.kind, o.state, o.width])).toEqual([
      ['json', 'saved', null],
      ['image', 'saved', 8],
    ]);
    const llm = await runTo('llm-saved', completed(200, fixture('results/any-llm-output.json')), RESULTS['any-llm-output']!);
    expect(llm.outputs.map((o) => [o.kind, o.state, o.mime])).toEqual([
      ['text', 'saved', 'text/plain'],
      ['json', 'saved', 'application/json'],
    ]);
  });

  it('an answer that is itself a link stays text (never downloaded as a file)', async () => {
    const body = JSON.stringify({ output: 'https://fal.ai/models', partial: false, error: null });
    const { outputs } = await runTo('llm-link', completed(200, body), { status: 'succeeded', kinds: ['text', 'json'], text: 'https://fal.ai/models' });
    expect(outputs.every((o) => o.remoteUrl === null)).toBe(true);
  });
});
