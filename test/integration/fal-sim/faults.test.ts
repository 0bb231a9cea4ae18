import { describe, expect, it } from 'vitest';
import { falSim, getOrReset } from './helpers.ts';

const FLUX = 'fal-ai/flux/schnell';

describe('fal simulator: faults, auth, limits', () => {
  it('429 with and without Retry-After, 5xx from fal (request id) and from nginx (HTML, no id), then normal', async () => {
    const s = await falSim({
      scenario: {
        faults: [
          { endpoint: 'status', kind: '429', retryAfterS: 3 },
          { endpoint: 'status', kind: '429-no-retry-after' },
          { endpoint: 'status', kind: '503' },
          { endpoint: 'status', kind: 'nginx-502' },
        ],
      },
    });
    const j = await s.submit(FLUX, { prompt: 'x' });
    const r1 = await s.api(j.status_url);
    expect([r1.status, r1.headers.get('retry-after')]).toEqual([429, '3']);
    const r2 = await s.api(j.status_url);
    expect([r2.status, r2.headers.get('retry-after')]).toEqual([429, null]);
    const r3 = await s.api(j.status_url);
    expect([r3.status, !!r3.headers.get('x-fal-request-id')]).toEqual([503, true]);
    const r4 = await s.api(j.status_url);
    expect([r4.status, r4.headers.get('x-fal-request-id'), r4.headers.get('content-type')]).toEqual([502, null, 'text/html']);
    expect(await r4.text()).toContain('<center>nginx</center>');
    expect((await s.api(j.status_url)).status).toBe(202);
    const c = s.control.counters();
    expect([c.throttled, c.byEndpoint['queue.status'], c.byStatus['503']]).toEqual([2, 5, 1]);
  });

  it('resets, truncated and malformed JSON; "after" and "endpointId" scope a fault', async () => {
    const s = await falSim({
      scenario: {
        faults: [
          { endpoint: 'result', kind: 'reset' },
          { endpoint: 'result', kind: 'truncated-json' },
          { endpoint: 'result', kind: 'malformed-json' },
          { endpoint: 'submit', kind: '500', endpointId: 'fal-ai/flux/dev', after: 1 },
        ],
      },
    });
    s.control.freeze();
    const j = await s.submit(FLUX, { prompt: 'x' });
    s.control.advance(10_000);
    expect(await getOrReset(j.response_url, s.key)).toBe('reset');
    const t = await getOrReset(j.response_url, s.key);
    expect(t !== 'reset' && t.status).toBe(200);
    expect(() => JSON.parse((t as { text: string }).text)).toThrow();
    const m = await getOrReset(j.response_url, s.key);
    expect(() => JSON.parse((m as { text: string }).text)).toThrow();
    expect(JSON.parse(((await getOrReset(j.response_url, s.key)) as { text: string }).text).images).toHaveLength(1);
    expect((await s.api(`${s.queueUrl}/fal-ai/flux/dev`, { method: 'POST', json: { prompt: 'a' } })).status).toBe(200);
    expect((await s.api(`${s.queueUrl}/${FLUX}`, { method: 'POST', json: { prompt: 'b' } })).status).toBe(200);
    expect((await s.api(`${s.queueUrl}/fal-ai/flux/dev`, { method: 'POST', json: { prompt: 'c' } })).status).toBe(500);
    expect(s.control.counters().byStatus.reset).toBe(1);
  });

  it('a dropped submit answer still creates the job (the duplicate-submit hazard)', async () => {
    const s = await falSim({ scenario: { faults: [{ endpoint: 'submit', kind: 'drop-response-after-submit' }] } });
    const lost = await s.api(`${s.queueUrl}/${FLUX}`, { method: 'POST', json: { prompt: 'once' } }).then(
      () => 'answered',
      () => 'reset',
    );
    expect(lost).toBe('reset');
    expect(s.control.jobs().map((j) => j.endpoint_id)).toEqual([FLUX]);
    expect(s.control.counters().byStatus.reset).toBe(1);
  });

  it("submit faults script the job's end: runner error, start timeout, invalid input", async () => {
    const s = await falSim({
      scenario: {
        endpoints: { [FLUX]: { startupMs: 0, runMs: 100 } },
        defaultStartTimeoutMs: 5_000,
        faults: [
          { endpoint: 'submit', kind: 'runner-error' },
          { endpoint: 'submit', kind: 'start-timeout' },
          { endpoint: 'submit', kind: 'invalid-input' },
        ],
      },
    });
    s.control.freeze();
    const jobs = [
      await s.submit(FLUX, { prompt: 'a' }),
      await s.submit(FLUX, { prompt: 'b' }),
      await s.submit(FLUX, { prompt: 'c' }),
      await s.submit(FLUX, { prompt: 'd' }),
    ];
    s.control.advance(5_000);
    expect(await Promise.all(jobs.map(async (j) => (await s.api(j.response_url)).status))).toEqual([500, 504, 422, 200]);
  });

  it('slow answers stall in real time', async () => {
    const s = await falSim({ scenario: { faults: [{ endpoint: 'platform', kind: 'slow', delayMs: 300 }] } });
    const t0 = Date.now();
    expect((await s.api(`${s.apiUrl}/models`)).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
  });

  it('auth: missing or malformed or unknown key → 401; a locked account → 403 on submit and upload, status still answers', async () => {
    const s = await falSim();
    const j = await s.submit(FLUX, { prompt: 'x' });
    const none = await fetch(`${s.queueUrl}/${FLUX}`, { method: 'POST', body: '{}' });
    expect(none.status).toBe(401);
    const bearer = await s.api(j.status_url, { headers: { authorization: `Bearer ${s.key}` } });
    expect([bearer.status, (await bearer.json()).detail]).toEqual([401, "Invalid Key Authorization header format. Expected '<key_id>:<key_secret>'."]);
    const wrong = await s.api(j.status_url, { headers: { authorization: 'Key a:b' } });
    expect([wrong.status, (await wrong.json()).detail]).toEqual([401, 'No user found for Key ID and Secret']);
    // A key revoked while runs are followed: 401 from then on; another key of the account carries on.
    s.control.loadScenario({ revokedKeys: [s.key], extraKeys: ['new-id:new-secret'] });
    expect((await s.api(j.status_url)).status).toBe(401);
    expect((await s.api(j.status_url, { headers: { authorization: 'Key new-id:new-secret' } })).status).toBe(202);
    s.control.loadScenario({ account: 'locked' });
    const locked = await s.api(`${s.queueUrl}/${FLUX}`, { method: 'POST', json: { prompt: 'y' } });
    expect([locked.status, (await locked.json()).detail]).toEqual([403, expect.stringMatching(/^User is locked\. Reason: Exhausted balance/)]);
    expect((await s.api(`${s.storageUrl}/storage/upload/initiate`, { method: 'POST', json: { content_type: 'image/png', file_name: 'a.png' } })).status).toBe(
      403,
    );
    expect((await s.api(j.status_url)).status).toBe(202);
  });

  it('rate limits per key and fal_max_queue_length answer 429', async () => {
    const s = await falSim({ scenario: { concurrency: 1, rateLimits: { queuePerMin: 3 }, endpoints: { [FLUX]: { startupMs: 0, runMs: 60_000 } } } });
    s.control.freeze();
    await s.submit(FLUX, { prompt: 'runs' });
    await s.submit(FLUX, { prompt: 'waits' });
    const full = await s.api(`${s.queueUrl}/${FLUX}?fal_max_queue_length=1`, { method: 'POST', json: { prompt: 'over' } });
    expect([full.status, (await full.json()).detail]).toEqual([429, expect.stringMatching(/^Queue is full/)]);
    const limited = await s.api(`${s.queueUrl}/${FLUX}`, { method: 'POST', json: { prompt: 'over the rate' } });
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '60']);
    s.control.advance(60_000);
    expect((await s.api(`${s.queueUrl}/${FLUX}`, { method: 'POST', json: { prompt: 'ok again' } })).status).toBe(200);
    expect(s.control.counters().throttled).toBe(2);
  });
});
