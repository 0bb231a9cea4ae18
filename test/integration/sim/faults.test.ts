import { describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { FLUX, sim } from './helpers.ts';

/** Raw GET that reports a destroyed connection instead of throwing. */
function rawGet(url: string, token: string): Promise<{ status: number; body: string } | 'reset'> {
  return new Promise((resolve) => {
    const req = request(url, { headers: { authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
      res.on('error', () => resolve('reset'));
    });
    req.on('error', () => resolve('reset'));
    req.end();
  });
}

describe('injected faults', () => {
  it('429 with Replicate body and Retry-After, then 5xx bursts, then normal', async () => {
    const s = await sim({
      scenario: {
        faults: [
          { endpoint: 'get', kind: '429', retryAfterS: 3, count: 1 },
          { endpoint: 'get', kind: '429-no-retry-after', count: 1 },
          { endpoint: 'get', kind: '503', count: 2 },
        ],
      },
    });
    const p = await (await s.api(FLUX, { method: 'POST', json: { input: { prompt: 'x' } } })).json();
    const r1 = await s.api(`/predictions/${p.id}`);
    expect(r1.status).toBe(429);
    expect(r1.headers.get('retry-after')).toBe('3');
    expect(await r1.json()).toEqual({ detail: 'Request was throttled. Expected available in 3 seconds.' });
    const r2 = await s.api(`/predictions/${p.id}`);
    expect(r2.status).toBe(429);
    expect(r2.headers.get('retry-after')).toBeNull();
    expect((await r2.json()).detail).toBe('Request was throttled. Expected available in 1 second.');
    expect((await s.api(`/predictions/${p.id}`)).status).toBe(503);
    expect((await s.api(`/predictions/${p.id}`)).status).toBe(503);
    expect((await s.api(`/predictions/${p.id}`)).status).toBe(200);
    const c = s.control.counters();
    expect(c.throttled).toBe(2);
    expect(c.byStatus['503']).toBe(2);
    expect(c.byEndpoint['predictions.get']).toBe(5);
  });

  it('"after" skips requests, "model" scopes a fault, "*" hits any endpoint', async () => {
    const s = await sim({
      scenario: {
        faults: [
          { endpoint: 'create', kind: '500', model: 'black-forest-labs/flux-dev', count: 1 },
          { endpoint: '*', kind: '502', after: 2, count: 1 },
        ],
      },
    });
    expect((await s.api(FLUX, { method: 'POST', json: { input: { prompt: 'x' } } })).status).toBe(201);
    expect((await s.api('/models/black-forest-labs/flux-dev/predictions', { method: 'POST', json: { input: { prompt: 'x' } } })).status).toBe(500);
    // the 500 above was consumed by the first fault; '*' has now seen 1 request (the first create)
    expect((await s.api('/account')).status).toBe(200);
    expect((await s.api('/account')).status).toBe(502);
    expect((await s.api('/account')).status).toBe(200);
  });

  it('resets connections, truncates and corrupts JSON', async () => {
    const s = await sim({
      scenario: {
        faults: [
          { endpoint: 'get', kind: 'reset' },
          { endpoint: 'get', kind: 'truncated-json' },
          { endpoint: 'get', kind: 'malformed-json' },
        ],
      },
    });
    const p = await (await s.api(FLUX, { method: 'POST', json: { input: { prompt: 'x' } } })).json();
    expect(await rawGet(p.urls.get, s.token)).toBe('reset');
    const t = await rawGet(p.urls.get, s.token);
    if (t === 'reset') throw new Error('unexpected reset');
    expect(t.status).toBe(200);
    expect(() => JSON.parse(t.body)).toThrow();
    expect(t.body.startsWith(`{"id":"${p.id}"`)).toBe(true);
    const m = await rawGet(p.urls.get, s.token);
    if (m === 'reset') throw new Error('unexpected reset');
    expect(() => JSON.parse(m.body)).toThrow();
    const ok = await rawGet(p.urls.get, s.token);
    expect(ok !== 'reset' && JSON.parse(ok.body).id).toBe(p.id);
    expect(s.control.counters().byStatus.reset).toBe(1);
  });

  it('slow responses stall in real time, then answer normally', async () => {
    const s = await sim({ scenario: { faults: [{ endpoint: 'account', kind: 'slow', delayMs: 300 }] } });
    const t0 = Date.now();
    const r = await s.api('/account');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
    expect(r.status).toBe(200);
  });

  it('drop-response-after-create: the prediction exists but the client never hears of it', async () => {
    const s = await sim({ scenario: { faults: [{ endpoint: 'create', kind: 'drop-response-after-create' }] } });
    await expect(s.api(FLUX, { method: 'POST', json: { input: { prompt: 'once' } } })).rejects.toThrow();
    const listed = await (await s.api('/predictions')).json();
    expect(listed.results).toHaveLength(1);
    expect(listed.results[0].input).toEqual({ prompt: 'once' });
    // a blind retry pays twice, and the counters show it
    await s.api(FLUX, { method: 'POST', json: { input: { prompt: 'once' } } });
    expect(Object.values(s.control.counters().createsByInputHash)).toEqual([2]);
  });

  it('delivery faults hit output downloads', async () => {
    const s = await sim({
      scenario: { models: { 'black-forest-labs/flux-schnell': { coldBootMs: 0, runMs: 0 } }, faults: [{ endpoint: 'delivery', kind: '504' }] },
    });
    const p = await (await s.api(FLUX, { method: 'POST', json: { input: { prompt: 'x' } } })).json();
    const done = await (await s.api(`/predictions/${p.id}`)).json();
    expect((await fetch(done.output[0])).status).toBe(504);
    expect((await fetch(done.output[0])).status).toBe(200);
  });
});

describe('rate limits', () => {
  it('throttles creates per token per minute of simulated time, with Retry-After', async () => {
    const s = await sim({ scenario: { rateLimits: { createPerMin: 3 }, extraTokens: ['r8_second'] } });
    s.control.freeze();
    for (let i = 0; i < 3; i++) expect((await s.api(FLUX, { method: 'POST', json: { input: { prompt: `${i}` } } })).status).toBe(201);
    s.control.advance(20_000);
    const r = await s.api(FLUX, { method: 'POST', json: { input: { prompt: 'x' } } });
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('40');
    expect((await r.json()).detail).toBe('Request was throttled. Expected available in 40 seconds.');
    // another token has its own budget; other endpoints are a separate bucket
    expect((await s.api(FLUX, { method: 'POST', headers: { authorization: 'Bearer r8_second' }, json: { input: { prompt: 'y' } } })).status).toBe(201);
    expect((await s.api('/account')).status).toBe(200);
    s.control.advance(40_000);
    expect((await s.api(FLUX, { method: 'POST', json: { input: { prompt: 'z' } } })).status).toBe(201);
    const c = s.control.counters();
    expect(c.throttled).toBe(1);
    expect(c.maxPerMinute.create).toBe(5);
  });

  it('throttles other requests and can leave Retry-After out', async () => {
    const s = await sim({ scenario: { rateLimits: { otherPerMin: 2, retryAfterHeader: false } } });
    s.control.freeze();
    expect((await s.api('/account')).status).toBe(200);
    expect((await s.api('/models')).status).toBe(200);
    const r = await s.api('/account');
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBeNull();
  });

  it('defaults to 600 creates and 3000 other requests per minute', async () => {
    const s = await sim({ scenario: { models: { 'black-forest-labs/flux-schnell': { coldBootMs: 0, runMs: 0 } } } });
    s.control.freeze();
    const statuses: number[] = [];
    for (let i = 0; i < 601; i++) statuses.push((await s.api(FLUX, { method: 'POST', json: { input: { prompt: `${i}` } } })).status);
    expect(statuses.filter((x) => x === 201)).toHaveLength(600);
    expect(statuses.at(-1)).toBe(429);
    let other = 0;
    for (let i = 0; i < 3001; i++) if ((await s.api('/account')).status === 200) other++;
    expect(other).toBe(3000);
  });
});
