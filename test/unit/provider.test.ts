import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createReplicateClient, parseModelRef } from '../../electron/backend/providers/replicate/client.ts';
import { ProviderError } from '../../electron/backend/providers/replicate/errors.ts';
import type { Logger } from '../../electron/backend/types.ts';
import { LIMITS } from '../../shared/limits.ts';

const log: Logger = { debug() {}, info() {}, warn() {}, error() {} };

type Call = { url: string; method: string; headers: Headers; body: unknown };
function fakeFetch(respond: (c: Call) => Response | Promise<Response>) {
  const calls: Call[] = [];
  const f = (async (url: string | URL | Request, init?: RequestInit) => {
    const c: Call = {
      url: String(url),
      method: init?.method ?? 'GET',
      headers: new Headers(init?.headers),
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : init?.body,
    };
    calls.push(c);
    return respond(c);
  }) as typeof fetch;
  return { f, calls };
}
const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const pred = { id: 'p1', status: 'starting', model: 'a/b', input: {}, urls: {} };

function client(respond: (c: Call) => Response | Promise<Response>, token: string | null = 'r8_test') {
  const ff = fakeFetch(respond);
  return { c: createReplicateClient({ baseUrl: 'http://sim/v1/', fetch: ff.f, getToken: async () => token, userAgent: 'Kiln/9.9.9', log }), calls: ff.calls };
}

describe('parseModelRef', () => {
  it('understands owner/name, owner/name:version and a bare version', () => {
    const v = 'a'.repeat(64);
    expect(parseModelRef('black-forest-labs/flux-schnell')).toEqual({ model: 'black-forest-labs/flux-schnell', version: null });
    expect(parseModelRef(`o/n:${v}`)).toEqual({ model: 'o/n', version: v });
    expect(parseModelRef(v)).toEqual({ model: null, version: v });
    expect(() => parseModelRef('nonsense')).toThrow(ProviderError);
  });
});

describe('Replicate client', () => {
  it('creates through the official-model endpoint with auth, UA and Cancel-After', async () => {
    const { c, calls } = client(() => json(201, pred));
    await c.createPrediction({ model: 'a/b', version: null, target: 'model', input: { prompt: 'x' }, cancelAfter: '10m' });
    expect(calls[0]!.url).toBe('http://sim/v1/models/a/b/predictions');
    expect(calls[0]!.method).toBe('POST');
    expect(calls[0]!.headers.get('authorization')).toBe('Bearer r8_test');
    expect(calls[0]!.headers.get('user-agent')).toBe('Kiln/9.9.9');
    expect(calls[0]!.headers.get('cancel-after')).toBe('10m');
    expect(calls[0]!.headers.get('prefer')).toBeNull();
    expect(calls[0]!.body).toEqual({ input: { prompt: 'x' } });
  });

  it('creates a pinned version through /predictions, and deployments through their endpoint', async () => {
    const { c, calls } = client(() => json(201, pred));
    await c.createPrediction({ model: 'a/b', version: 'v1', target: 'version', input: {}, waitSeconds: 5 });
    await c.createPrediction({ model: 'o/dep', version: null, target: 'deployment', input: {} });
    expect(calls[0]!.url).toBe('http://sim/v1/predictions');
    expect(calls[0]!.body).toEqual({ version: 'v1', input: {} });
    expect(calls[0]!.headers.get('prefer')).toBe('wait=5');
    expect(calls[1]!.url).toBe('http://sim/v1/deployments/o/dep/predictions');
  });

  it('follows list `next` URLs on the base origin as given', async () => {
    const { c, calls } = client((call) =>
      call.url.includes('cursor')
        ? json(200, { next: null, results: [{ ...pred, id: 'p2' }] })
        : json(200, { next: 'http://sim/v1/predictions?cursor=abc', results: [pred] }),
    );
    const p1 = await c.listPredictions();
    const p2 = await c.listPredictions(p1.next);
    expect(calls[1]!.url).toBe('http://sim/v1/predictions?cursor=abc');
    expect(p2.results[0]!.id).toBe('p2');
    expect(p2.next).toBeNull();
  });

  it('maps errors to typed, readable ones', async () => {
    const cases: [number, unknown, string, boolean][] = [
      [401, { title: 'Unauthenticated', detail: 'You did not pass a valid authentication token', status: 401 }, 'auth', false],
      [402, { title: 'Insufficient credit', detail: 'You have insufficient credit' }, 'billing', false],
      [404, { detail: 'Not found.' }, 'not_found', false],
      [413, { detail: 'Files must be less than 100MB in size' }, 'too_large', false],
      [429, { detail: 'Request was throttled. Expected available in 2 seconds.' }, 'rate_limited', true],
      [503, 'upstream', 'provider', true],
    ];
    for (const [status, body, code, transient] of cases) {
      const { c } = client(() => json(status, body));
      const err = await c.createPrediction({ model: 'a/b', version: null, target: 'model', input: {} }).catch((e) => e);
      expect(err).toBeInstanceOf(ProviderError);
      expect(err.code).toBe(code);
      expect(err.transient).toBe(transient);
    }
    const { c } = client(() => json(402, {}));
    expect((await c.account().catch((e) => e)).message).toMatch(/replicate\.com\/account\/billing/);
    // Replicate's detail names the billing page itself (opencodeschool/opencode.school#211, quoted in the reference): said once.
    const billing = 'You have insufficient credit to run this model. Go to https://replicate.com/account/billing#billing to purchase credit.';
    const { c: c402 } = client(() => json(402, { title: 'Insufficient credit', detail: billing, status: 402 }));
    const msg = (await c402.account().catch((e) => e)).message as string;
    expect(msg).toBe(`Replicate needs billing for this: ${billing}`);
  });

  it('gives per-field messages for 422 invalid_fields', async () => {
    const { c } = client(() =>
      json(422, {
        title: 'Input validation failed',
        status: 422,
        invalid_fields: [
          { type: 'number_lte', field: 'input.steps', description: 'Must be less than or equal to 4' },
          { type: 'required', field: 'prompt', description: 'prompt is required' },
        ],
      }),
    );
    const err = await c.createPrediction({ model: 'a/b', version: null, target: 'model', input: {} }).catch((e) => e);
    expect(err.code).toBe('invalid_input');
    expect(err.fields).toEqual({ steps: 'Must be less than or equal to 4', prompt: 'prompt is required' });
  });

  it("bounds what a server's error body puts on a card: the message, and the number and size of field errors", async () => {
    const huge = 'x'.repeat(LIMITS.errorTextChars * 4);
    const { c } = client(() => json(404, { detail: huge }));
    const err = await c.getPrediction('p1').catch((e) => e);
    expect(err.message.length).toBeLessThanOrEqual(LIMITS.errorTextChars + 1);
    const fields = Array.from({ length: 500 }, (_, i) => ({ type: 'bad', field: `input.f${i}`, description: 'y'.repeat(5_000) }));
    const { c: c2 } = client(() => json(422, { title: 'Input validation failed', invalid_fields: fields }));
    const bad = await c2.createPrediction({ model: 'a/b', version: null, target: 'model', input: {} }).catch((e) => e);
    expect(bad.code).toBe('invalid_input');
    expect(Object.keys(bad.fields).length).toBeLessThanOrEqual(50);
    expect(Math.max(...Object.values(bad.fields as Record<string, string>).map((m) => m.length))).toBeLessThanOrEqual(1_001);
    expect(bad.message.length).toBeLessThanOrEqual(LIMITS.errorTextChars + 1);
  });

  it('reads a FastAPI/cog 422 (`detail: [{loc, msg, type}]`) into per-field errors named by the input field', async () => {
    const { c } = client(() =>
      json(422, {
        detail: [
          { loc: ['body', 'input', 'width'], msg: 'ensure this value is less than or equal to 1440', type: 'value_error.number.not_le' },
          { loc: ['body', 'input', 'prompt'], msg: 'field required', type: 'value_error.missing' },
          { loc: ['body', 'input', 'seed'], type: 'type_error.integer' }, // no msg: its type still says what is wrong
          { loc: ['body', 'input', 'size', 0, 'w'], msg: 'too wide' }, // a part of a field: shown on the field the form has
        ],
      }),
    );
    const err = await c.createPrediction({ model: 'a/b', version: null, target: 'model', input: {} }).catch((e) => e);
    expect(err.code).toBe('invalid_input');
    expect(err.fields).toEqual({
      width: 'ensure this value is less than or equal to 1440',
      prompt: 'field required',
      seed: 'type_error.integer',
      size: 'too wide',
    });
    expect(err.message).toBe(
      'Invalid input: width: ensure this value is less than or equal to 1440; prompt: field required; seed: type_error.integer; size: too wide',
    );
  });

  it('a 408 is transient (the server gave up waiting for the request); on a create it is ambiguous, so the engine reconciles', async () => {
    const { c } = client(() => json(408, { detail: 'Request Timeout' }));
    const create = await c.createPrediction({ model: 'a/b', version: null, target: 'model', input: {} }).catch((e) => e);
    expect(create).toBeInstanceOf(ProviderError);
    expect(create.status).toBe(408);
    expect(create.code).not.toBe('bad_request');
    expect(create.transient).toBe(true);
    expect(create.ambiguous).toBe(true);
    const get = await c.getPrediction('p1').catch((e) => e);
    expect(get.transient).toBe(true);
    expect(get.ambiguous).toBe(false);
  });

  it("401 and 403 keep Replicate's own detail, bounded, after Kiln's guidance", async () => {
    for (const status of [401, 403]) {
      const { c } = client(() => json(status, { title: 'Unauthenticated', detail: 'You did not pass a valid authentication token', status }));
      const err = await c.getPrediction('p1').catch((e) => e);
      expect(err.code).toBe('auth');
      expect(err.message).toMatch(/^Replicate rejected the API key\. Check it in Settings \(or REPLICATE_API_TOKEN\)\./);
      expect(err.message).toContain('You did not pass a valid authentication token');
    }
    const { c } = client(() => json(401, { detail: 'z'.repeat(5_000) }));
    const long = await c.getPrediction('p1').catch((e) => e);
    expect(long.message).toMatch(/^Replicate rejected the API key\./);
    expect(long.message.length).toBeLessThan(500);
  });

  it('honours Retry-After and tells the gate about a 429', async () => {
    const { c } = client(() => json(429, { detail: 'throttled' }, { 'retry-after': '7' }));
    const seen: (number | null)[] = [];
    c.setGate({ acquire: async () => {}, throttled: (_k, ms) => seen.push(ms) });
    const err = await c.getPrediction('p1').catch((e) => e);
    expect(err.retryAfterMs).toBe(7000);
    expect(seen).toEqual([7000]);
    expect(c.counters.status429).toBe(1);
  });

  it('treats truncated JSON and network failures as transient; a lost create as ambiguous', async () => {
    const { c } = client(() => new Response('{"id":"p1","sta', { status: 201 }));
    const err = await c.createPrediction({ model: 'a/b', version: null, target: 'model', input: {} }).catch((e) => e);
    expect(err.transient).toBe(true);
    expect(err.ambiguous).toBe(true);
    const { c: c2 } = client(() => {
      throw new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } });
    });
    const err2 = await c2.createPrediction({ model: 'a/b', version: null, target: 'model', input: {} }).catch((e) => e);
    expect(err2.code).toBe('network');
    expect(err2.ambiguous).toBe(true);
    const { c: c3 } = client(() => {
      throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    });
    expect((await c3.createPrediction({ model: 'a/b', version: null, target: 'model', input: {} }).catch((e) => e)).ambiguous).toBe(false);
  });

  it('refuses to send anything without a key', async () => {
    const { c, calls } = client(() => json(200, pred), null);
    expect((await c.getPrediction('p1').catch((e) => e)).code).toBe('auth');
    expect(calls).toHaveLength(0);
  });

  it('streams SSE output chunks in order until done', async () => {
    const sse =
      'event: output\nid: 1\ndata: Hel\n\nevent: output\nid: 2\ndata: lo\n\n: keep-alive\n\nevent: output\nid: 3\ndata:  world\n\nevent: done\nid: 4\ndata: {}\n\n';
    const { c, calls } = client(() => new Response(sse, { headers: { 'content-type': 'text/event-stream' } }));
    const chunks: string[] = [];
    const end = await c.stream('http://sim/stream/p1', { onOutput: (t) => chunks.push(t) });
    expect(end).toBe('done');
    expect(chunks.join('')).toBe('Hello world');
    expect(calls[0]!.headers.get('accept')).toBe('text/event-stream');
  });
});

describe('a cancel taken without a prediction in the answer', () => {
  // The reference promises 200 and the prediction; a server that answers 204, or `{}`, has still
  // taken the cancel: it is not an unreadable answer to send again until polling sees the end.
  for (const [name, res] of [
    ['204, no body', () => new Response(null, { status: 204 })],
    ['200 {}', () => json(200, {})],
  ] as const)
    it(`${name}: accepted, the run's state comes from the next look`, async () => {
      const { c, calls } = client(res);
      expect(await c.cancelPrediction('p1')).toBeNull();
      expect(calls).toHaveLength(1);
    });

  it('a body that is not JSON is still unreadable (a proxy page says nothing of the cancel)', async () => {
    const { c } = client(() => new Response('<html>gateway</html>', { status: 200 }));
    const err = await c.cancelPrediction('p1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).transient).toBe(true);
  });
});

describe('the API key goes only to trusted hosts', () => {
  const sse = () => new Response('event: output\ndata: hi\n\nevent: done\ndata: {}\n\n', { status: 200, headers: { 'content-type': 'text/event-stream' } });

  it('follows a list `next` on the base origin as given; one on Replicate’s own host is asked of the configured base', async () => {
    const { c, calls } = client(() => json(200, { next: null, results: [] }));
    await c.listPredictions('http://sim/v1/predictions?cursor=abc');
    expect(calls[0]!.url).toBe('http://sim/v1/predictions?cursor=abc');
    expect(calls[0]!.headers.get('authorization')).toBe('Bearer r8_test');
    // A recorded body served by another server (a proxy, a test double): its pages come from that server.
    await c.listPredictions('https://api.replicate.com/v1/predictions?cursor=def');
    expect(calls[1]!.url).toBe('http://sim/v1/predictions?cursor=def');
  });

  it('a `next` pointing elsewhere is rebuilt on the base URL from its query, never fetched with the key', async () => {
    for (const next of [
      'https://evil.example/v1/predictions?cursor=abc&created_after=2026-01-01T00%3A00%3A00.000Z',
      'http://api.replicate.com/v1/predictions?cursor=abc&created_after=2026-01-01T00%3A00%3A00.000Z',
      'https://replicate.com.evil.example/v1/predictions?cursor=abc&created_after=2026-01-01T00%3A00%3A00.000Z',
    ]) {
      const { c, calls } = client(() => json(200, { next: null, results: [] }));
      await c.listPredictions(next);
      expect(calls).toHaveLength(1);
      expect(calls[0]!.url).toBe('http://sim/v1/predictions?cursor=abc&created_after=2026-01-01T00%3A00%3A00.000Z');
    }
  });

  it('streams only from trusted hosts; an untrusted stream URL is refused before any request', async () => {
    const ok = client(() => sse());
    const chunks: string[] = [];
    await ok.c.stream('https://stream.replicate.com/v1/files/abc', { onOutput: (s) => chunks.push(s) });
    expect(chunks).toEqual(['hi']);
    expect(ok.calls[0]!.headers.get('authorization')).toBe('Bearer r8_test');
    for (const url of [
      'https://evil.example/stream',
      'http://stream.replicate.com/x',
      'https://user:pw@stream.replicate.com/x',
      'https://replicate.delivery.evil.example/x',
    ]) {
      const bad = client(() => sse());
      await expect(bad.c.stream(url, { onOutput() {} })).rejects.toThrow(/not Replicate/);
      expect(bad.calls).toHaveLength(0);
      expect(bad.c.trusted(url)).toBe(false);
    }
    const { c } = client(() => sse());
    expect(c.trusted('https://replicate.delivery/pbxt/x.png')).toBe(false); // a file host: never the key
    expect(c.trusted('https://api.replicate.com/v1/predictions')).toBe(true);
    expect(c.trusted('http://sim/v1/predictions/x/stream')).toBe(true);
  });
});

describe('redirects from the API are never followed (ARCHITECTURE.md, "Security")', () => {
  // Two real servers on loopback: the "API" answers every request with a redirect to the other,
  // which counts what reaches it. Only a real fetch shows whether a redirect is followed.
  const servers: http.Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });
  async function listen(handler: http.RequestListener): Promise<string> {
    const server = http.createServer(handler);
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  async function redirecting(status: number) {
    const hits: string[] = [];
    const elsewhere = await listen((req, res) => {
      hits.push(`${req.method} ${req.url}`);
      req.resume();
      const stream = req.url?.includes('stream');
      res.writeHead(200, { 'content-type': stream ? 'text/event-stream' : 'application/json' });
      res.end(stream ? 'event: output\ndata: not Replicate\n\nevent: done\ndata: {}\n\n' : JSON.stringify({ ...pred, status: 'succeeded' }));
    });
    const api = await listen((req, res) => {
      req.resume();
      res.writeHead(status, { location: `${elsewhere}${req.url}` });
      res.end();
    });
    const c = createReplicateClient({ baseUrl: `${api}/v1`, fetch: globalThis.fetch, getToken: async () => 'r8_test', userAgent: 'Kiln/9.9.9', log });
    return { c, api, hits };
  }

  for (const status of [302, 307]) {
    it(`HTTP ${status}: a GET, a create and a stream stop at the API host, as a transient error (ambiguous for the create)`, async () => {
      const { c, api, hits } = await redirecting(status);
      const get = await c.getPrediction('p1').catch((e) => e);
      expect(get).toBeInstanceOf(ProviderError);
      expect(get.status).toBe(status);
      expect(get.transient).toBe(true);
      expect(get.ambiguous).toBe(false);
      expect(get.message).toMatch(/redirect/);

      const create = await c.createPrediction({ model: 'a/b', version: null, target: 'model', input: { prompt: 'private' } }).catch((e) => e);
      expect(create).toBeInstanceOf(ProviderError);
      expect(create.transient).toBe(true);
      expect(create.ambiguous).toBe(true);

      const chunks: string[] = [];
      const stream = await c.stream(`${api}/v1/stream/p1`, { onOutput: (t) => chunks.push(t) }).catch((e) => e);
      expect(stream).toBeInstanceOf(ProviderError);
      expect(stream.transient).toBe(true);
      expect(chunks).toEqual([]);

      expect(hits).toEqual([]);
    });
  }
});
