import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, reply, setup, until, type Harness } from './harness.ts';
import { createReplicateProvider } from '../../../electron/backend/providers/replicate/provider.ts';

// Replicate answers as Replicate really sent them (test/fixtures/replicate/recorded/, each one's
// source in the README there), sent verbatim by the simulator's `reply` fault, through the
// provider and the engine to what the stored record says. The hand-written shapes are in
// shapes.test.ts; these are the real ones that differ from them.

const FIX = path.join(import.meta.dirname, '../../fixtures/replicate');
const fixture = (rel: string) => readFileSync(path.join(FIX, rel), 'utf8');
const recorded = (name: string) => fixture(`recorded/${name}.json`);
const idOf = (body: string) => /"id":\s*"([^"]+)"/.exec(body)![1]!;

/** Replicate's real stream host, as a recorded create names it (it cannot be reached from a test). */
const STREAM_HOST = /^https:\/\/streaming-api\.svc\.[a-z0-9.-]+\.replicate\.net\/v1\/streams\/([^/?#]+)/;

/** What the backend asked of hosts other than the simulator: Replicate's stream and file hosts. */
const foreign: { url: string; authorization: string | null }[] = [];
let h: Harness;

beforeAll(async () => {
  const f: typeof fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const auth = new Headers(init?.headers).get('authorization');
    const stream = STREAM_HOST.exec(url);
    if (stream) {
      foreign.push({ url, authorization: auth });
      // The stream host stands in for the simulator's own stream route (answered by its `reply` fault).
      return globalThis.fetch(`${h.sim.origin}/stream/${stream[1]}`, init);
    }
    if (/^https:\/\/([a-z0-9-]+\.)?replicate\.delivery\//.test(url)) {
      foreign.push({ url, authorization: auth });
      // Recorded output files are long gone; the test is about what the record plans, not the bytes.
      return new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain' } });
    }
    return globalThis.fetch(input, init);
  };
  h = await setup({ fetch: f });
});
afterAll(async () => {
  await h.close();
});

/** A create answer for a recorded prediction: the same id, still starting (the engine then GETs the recording). */
const starting = (id: string) =>
  JSON.stringify({
    id,
    model: 'stability-ai/sdxl',
    version: null,
    input: { prompt: 'a kiln' },
    status: 'starting',
    urls: { get: `{{origin}}/v1/predictions/${id}` },
  });

/** The SSE a stream sends for these tokens: one `output` event each, a multi-line token as several `data:` lines. */
const sseOf = (tokens: string[]) =>
  `${tokens
    .map(
      (t, i) =>
        `event: output\nid: 1728065253:${i}\n${t
          .split('\n')
          .map((l) => `data: ${l}`)
          .join('\n')}\n\n`,
    )
    .join('')}event: done\nid: 1728065253:${tokens.length}\ndata: {}\n\n`;

async function throughEngine(body: string, model: string, status: string) {
  const id = idOf(body);
  h.sim.control.loadScenario({ faults: [reply('create', 201, starting(id)), reply('get', 200, body)] });
  const { engine, history } = h.backend.services;
  const run = engine.submit({ model, input: { prompt: `recorded ${id}` } });
  const done = await until(() => (history.get(run.id)!.status === status ? history.get(run.id)! : null), 10_000, `${id} ${status}`);
  await engine.whenSaved(run.id);
  expect(done.providerId).toBe(id);
  return { done, kinds: history.getOutputs(run.id).map((o) => o.kind) };
}

describe('recorded predictions, to the stored record', () => {
  it('sdxl succeeded, as GET answered it (no `model` key, `webhook_completed`, a 50-step tqdm log): one image, progress done, run time kept', async () => {
    foreign.length = 0;
    const body = recorded('sdxl-get-succeeded');
    const { done, kinds } = await throughEngine(body, 'stability-ai/sdxl', 'succeeded');
    expect(kinds).toEqual(['image']);
    // The file was asked of replicate.delivery, without the key (a file host never gets it).
    const [file] = (JSON.parse(body) as { output: string[] }).output;
    expect(foreign).toContainEqual({ url: file, authorization: null });
    expect(done.text).toBeNull();
    expect(done.error).toBeNull();
    expect(done.version).toBe('39ed52f2a78e934b3ba6e2a89f5b1c712de7dfea535525255b1aa35c5565e08b');
    expect(done.providerCreatedAt).toBe(Date.parse('2023-08-16T18:57:08.394Z'));
    expect(done.progress).toEqual({ percent: 100, current: 50, total: 50 });
    expect(done.metrics).toEqual({ predictTime: 3.804328, totalTime: null });
  });

  it('sdxl canceled, as the cancel answered it (`logs: null`, `predict_time: 3e-06`): canceled, nothing to save, no error, the billed run time kept', async () => {
    const { done, kinds } = await throughEngine(recorded('sdxl-cancel-canceled'), 'stability-ai/sdxl', 'canceled');
    expect(kinds).toEqual([]);
    expect(done.error).toBeNull();
    expect(done.text).toBeNull();
    expect(done.metrics).toEqual({ predictTime: 0.000003, totalTime: 0.135578 });
  });

  it('meta-llama-3-8b-instruct succeeded under `replicate-internal/…` with token counts (and tokens_per_second, time_to_first_token): the text, and the counts that price it', async () => {
    const body = recorded('llama-3-8b-instruct-token-metrics');
    const { done, kinds } = await throughEngine(body, 'meta/meta-llama-3-8b-instruct', 'succeeded');
    expect(kinds).toEqual(['text']);
    expect(done.text).toBe((JSON.parse(body) as { output: string[] }).output.join(''));
    expect(done.text).toMatch(/^The number of parameters in a neural network can impact its speed, but/);
    expect(done.metrics).toEqual({ predictTime: 1.652461, totalTime: 1.657073, inputTokens: 39, outputTokens: 149 });
  });

  it('llama-2-7b-embeddings succeeded: its output, three vectors of 4096 numbers, is kept as one JSON output (not dropped)', async () => {
    const body = recorded('llama-2-7b-embeddings-succeeded');
    const { done, kinds } = await throughEngine(body, 'andreasjansson/llama-2-7b-embeddings', 'succeeded');
    expect(kinds).toEqual(['json']);
    expect(done.text).toBeNull();
    const saved = h.backend.services.history.getOutputs(done.id)[0]!;
    expect(saved.state).toBe('saved');
    const file = JSON.parse(readFileSync(h.backend.services.vault.resolve(saved.path!)!, 'utf8')) as number[][];
    expect(file).toEqual((JSON.parse(body) as { output: number[][] }).output);
  });
});

describe('recorded create answers', () => {
  it('a Prefer: wait answer still `processing`, its tokens present and its stream on streaming-api.svc.rno2.c.replicate.net: the stream is followed, then the full text kept', async () => {
    const created = recorded('llama-3-8b-instruct-wait-processing');
    const p = JSON.parse(created) as { id: string; output: string[]; urls: { stream: string } };
    expect(p.urls.stream).toMatch(STREAM_HOST);
    const succeeded = JSON.stringify({
      ...p,
      status: 'succeeded',
      completed_at: '2024-10-04T18:07:34.1Z',
      metrics: { predict_time: 0.6, input_token_count: 9, output_token_count: 11 },
    });
    h.sim.control.loadScenario({
      faults: [
        reply('create', 201, created),
        reply('stream', 200, sseOf(p.output), { 'content-type': 'text/event-stream' }),
        reply('get', 200, created, undefined, 3),
        reply('get', 200, succeeded),
      ],
    });
    foreign.length = 0;
    const { engine, history } = h.backend.services;
    const texts: (string | null)[] = [];
    const off = engine.onRecord((r) => texts.push(r.text));
    const run = engine.submit({ model: 'meta/meta-llama-3-8b-instruct', input: { prompt: 'Please write a haiku about llamas' } });
    const done = await until(() => (history.get(run.id)!.status === 'succeeded' ? history.get(run.id)! : null), 10_000, 'succeeded');
    off();
    expect(done.providerId).toBe(p.id);
    // Replicate's own stream host was asked (in the test, the simulator answers for it), without
    // the key: a stream URL is a capability, and keys go only to API hosts ...
    expect(foreign).toContainEqual({ url: p.urls.stream, authorization: null });
    expect(texts.filter((t) => t !== null).length).toBeGreaterThan(0); // the card showed the text as it came
    // ... and the card ends on the answer's full text, the trailing empty token included.
    expect(done.text).toBe(p.output.join(''));
    expect(done.text).toBe("\n\nFuzzy, gentle beasts\nSoftly grazing, quiet eyes\nLlama's gentle charm");
    expect(history.getOutputs(run.id).map((o) => o.kind)).toEqual(['text']);
  });

  it('the 2023 stream host and path (`stream: true`, streaming-api.svc.us.c.replicate.net/v1/predictions/{id}) may be followed; look-alikes may not', async () => {
    const created = recorded('llama-2-70b-chat-create-stream-2023');
    h.sim.control.loadScenario({ faults: [reply('create', 201, created)] });
    const p = await h.backend.services.provider.createPrediction({ model: 'meta/llama-2-70b-chat', version: null, target: 'model', input: { prompt: 'x' } });
    expect(p).toMatchObject({ id: '4awn473bsrztjzlx2b6ufoxkkm', status: 'starting', logs: '', error: null });
    const client = h.backend.services.provider;
    expect(client.mayStream(p.urls!.stream!)).toBe(true);
    expect(client.trusted(p.urls!.stream!)).toBe(false); // opened, but never with the key
    for (const url of [
      'http://streaming-api.svc.us.c.replicate.net/v1/predictions/4awn473bsrztjzlx2b6ufoxkkm', // not https
      'https://streaming-api.svc.us.c.replicate.net.evil.example/v1/streams/x',
      'https://evilreplicate.net/v1/streams/x',
      'https://user:pw@streaming-api.svc.us.c.replicate.net/v1/streams/x',
      'https://streaming-api.svc.us.c.replicate.net/v1/account', // a replicate.net host, but not a stream
      'https://replicate.net/v1/predictions', // the list path, not one stream
    ])
      expect(client.mayStream(url), url).toBe(false);
  });

  it('a stream cut short, then `succeeded` with the very output the held create already had: the card ends on that full text', async () => {
    const created = recorded('llama-3-8b-instruct-wait-processing');
    const p = JSON.parse(created) as { id: string; output: string[] };
    h.sim.control.loadScenario({
      faults: [
        reply('create', 201, created),
        reply('stream', 200, fixture('sse/no-done.txt'), { 'content-type': 'text/event-stream' }),
        reply('get', 200, created, undefined, 3),
        reply('get', 200, JSON.stringify({ ...p, status: 'succeeded' })),
      ],
    });
    const { engine, history } = h.backend.services;
    const run = engine.submit({ model: 'meta/meta-llama-3-8b-instruct', input: { prompt: 'cut short' } });
    const done = await until(() => (history.get(run.id)!.status === 'succeeded' ? history.get(run.id)! : null), 10_000, 'succeeded');
    // merge.ts takes the text from the final output even when an earlier answer brought it.
    expect(done.text).toBe(p.output.join(''));
  });
});

describe('recorded refusals', () => {
  it('a create throttled while the credit is under $5: the card says why and what to do, waits what the body says, then runs', async () => {
    h.sim.control.loadScenario({
      models: { 'black-forest-labs/flux-schnell': { coldBootMs: 0, runMs: 100 } },
      faults: [reply('create', 429, recorded('429-low-credit'), undefined, 1)],
    });
    const { engine, history } = h.backend.services;
    const notes: string[] = [];
    const off = engine.onRecord((r) => r.note && notes.push(r.note));
    const run = engine.submit({ model: 'black-forest-labs/flux-schnell', input: { prompt: 'low credit' } });
    await until(() => (history.get(run.id)!.status === 'succeeded' ? true : null), 20_000, 'succeeded after the throttle');
    off();
    expect(notes).toContainEqual(
      expect.stringMatching(
        /^Rate limited by Replicate: Your rate limit for creating predictions is reduced to 6 requests per minute .* less than \$5\.0 in credit — add credit at replicate\.com\/account\/billing — retrying in 5 s$/,
      ),
    );
    h.backend.services.engine.budget.pause('create', 0); // the gate heard the 429; do not slow the next tests
  });
});

describe('recorded model answers', () => {
  it('a model with no version yet (`latest_version: null`, description and cover null): described, with no form to build', async () => {
    h.sim.control.loadScenario({ faults: [reply('models', 200, recorded('model-without-version'))] });
    const d = await call(h.backend, 'models:get', { ref: 'mattt/empty' });
    expect(d).toMatchObject({ ref: 'mattt/empty', owner: 'mattt', name: 'empty', description: null, coverImageUrl: null, runCount: 0 });
    expect(d.latestVersionId).toBeNull();
    expect(d.inputSchema).toBeNull();
    expect(d.outputSchema).toBeNull();
  });
});

describe('recorded bodies with wrong-typed fields: typed at the provider, so no view fails its contract', () => {
  it('a prediction whose `urls` hold numbers, arrays and objects: it runs, and predictions:list and :get still answer (webUrl null)', async () => {
    const real = JSON.parse(recorded('sdxl-get-succeeded')) as Record<string, unknown>;
    const body = JSON.stringify({ ...real, urls: { get: 42, cancel: ['x'], stream: {}, web: 123 } });
    const { done } = await throughEngine(body, 'stability-ai/sdxl', 'succeeded');
    const list = await call(h.backend, 'predictions:list', { limit: 100 });
    const item = list.items.find((i: { id: string }) => i.id === done.id);
    expect(item.webUrl).toBeNull();
    expect((await call(h.backend, 'predictions:get', { id: done.id })).webUrl).toBeNull();
  });

  it('a run an older Kiln stored with a wrong-typed `urls.web` still lists', async () => {
    const { done } = await throughEngine(recorded('sdxl-get-succeeded'), 'stability-ai/sdxl', 'succeeded');
    h.backend.services.history.update(done.id, { urls: { web: 123 as unknown as string } });
    expect((await call(h.backend, 'predictions:get', { id: done.id })).webUrl).toBeNull();
    expect((await call(h.backend, 'predictions:list', { limit: 100 })).items.length).toBeGreaterThan(0);
  });

  // model-without-version.json with its fields given the wrong types a buggy or hostile server might send.
  const model = JSON.parse(recorded('model-without-version')) as Record<string, unknown>;
  const wrong = { ...model, description: 42, cover_image_url: { url: 'x' }, run_count: '12', is_official: 'yes' };

  it('models:get: description, cover and run count of the wrong type read as unknown; owner and name as asked', async () => {
    const version = { id: 'v1', created_at: 5, openapi_schema: { components: { schemas: { Input: 'prompt', Output: 7 } } } };
    h.sim.control.loadScenario({ faults: [reply('models', 200, JSON.stringify({ ...wrong, owner: 7, name: null, latest_version: version }))] });
    const d = await call(h.backend, 'models:get', { ref: 'mattt/empty' });
    expect(d).toMatchObject({ ref: 'mattt/empty', owner: 'mattt', name: 'empty', description: null, coverImageUrl: null, runCount: null, official: false });
    // A schema that is not an object gives no form rather than one built from a string's characters.
    expect(d).toMatchObject({ latestVersionId: 'v1', inputSchema: null, outputSchema: null });
  });

  it('models:search and the featured collection: a wrong-typed model is typed, one without owner/name is left out', async () => {
    const models = [wrong, { ...model, owner: 5 }, null, 'x', { ...model, name: 'other', run_count: Infinity }];
    h.sim.control.loadScenario({ faults: [reply('models', 200, JSON.stringify({ models: [...models.map((m) => ({ model: m })), null, 3] }))] });
    const found = await call(h.backend, 'models:search', { query: 'empty' });
    const ours = found.filter((m: { provider: string }) => m.provider === 'replicate');
    expect(ours).toEqual([
      { ref: 'mattt/empty', provider: 'replicate', owner: 'mattt', name: 'empty', description: null, coverImageUrl: null, runCount: null },
      { ref: 'mattt/other', provider: 'replicate', owner: 'mattt', name: 'other', description: null, coverImageUrl: null, runCount: null },
    ]);
    h.sim.control.loadScenario({ faults: [reply('models', 200, JSON.stringify({ name: 7, models }))] });
    const featured = await call(h.backend, 'models:featured', {});
    expect(featured.filter((m: { provider: string }) => m.provider === 'replicate').map((m: { ref: string }) => m.ref)).toEqual(['mattt/empty', 'mattt/other']);
  });

  it('secrets:validate: an account answer with wrong-typed fields still says the key works, without a name', async () => {
    h.sim.control.loadScenario({ faults: [reply('account', 200, JSON.stringify({ type: 'user', username: 42, name: ['x'] }))] });
    expect(await call(h.backend, 'secrets:validate', { provider: 'replicate' })).toEqual({ type: 'user', username: '', name: null });
  });

  it('an upload answered with a URL that is not a string is an upload without a URL, never a run input', async () => {
    h.sim.control.loadScenario({ faults: [reply('files', 201, JSON.stringify({ id: 'f1', urls: { get: 5 } }))] });
    const replicate = createReplicateProvider(h.backend.services.provider);
    await expect(replicate.upload(new Uint8Array([1, 2, 3]), 'a.bin', 'application/octet-stream')).rejects.toThrow(/without a URL/);
  });

  it('models:versions: a version without a string id is left out, a wrong-typed created_at reads as unknown', async () => {
    const results = [{ id: 5 }, { id: 'abc', created_at: 12 }, { id: 'def', created_at: '2024-01-01T00:00:00Z' }];
    h.sim.control.loadScenario({ faults: [reply('models', 200, JSON.stringify({ next: null, results }))] });
    expect(await call(h.backend, 'models:versions', { ref: 'mattt/empty' })).toEqual([
      { id: 'abc', createdAt: null },
      { id: 'def', createdAt: '2024-01-01T00:00:00Z' },
    ]);
  });
});
