// Every shape the result fetch can take. A fal job never says FAILED: each of these ends COMPLETED,
// and only GET {response_url} tells success from failure.
import { describe, expect, it } from 'vitest';
import { falSim, type TestSim } from './helpers.ts';

const quick = { startupMs: 0, runMs: 1_000 };

async function finished(s: TestSim, endpointId: string, input: unknown, headers?: Record<string, string>, ms = 2_000) {
  const job = await s.submit(endpointId, input, headers);
  s.control.advance(ms);
  const st = await s.api(`${job.status_url}?logs=1`);
  const res = await s.api(job.response_url);
  return { job, status: await st.json(), statusCode: st.status, res, body: await res.json() };
}

describe('fal simulator: result fetch', () => {
  it('success: 200 with the output JSON itself and x-fal-request-id; before COMPLETED a 400', async () => {
    const s = await falSim({ scenario: { endpoints: { 'fal-ai/flux/dev': quick } } });
    s.control.freeze();
    const job = await s.submit('fal-ai/flux/dev', { prompt: 'a fox', seed: 42, image_size: 'landscape_16_9' });
    const early = await s.api(job.response_url);
    expect([early.status, await early.json()]).toEqual([400, { detail: 'Request is still in progress' }]);
    s.control.advance(1_000);
    const r = await s.api(job.response_url);
    expect(r.status).toBe(200);
    expect(r.headers.get('x-fal-request-id')).toBe(job.request_id);
    const out = await r.json();
    expect(out).toEqual({
      images: [{ url: expect.stringMatching(new RegExp(`^${s.cdnUrl}/files/\\w+/[\\w-]+\\.jpeg$`)), width: 512, height: 288, content_type: 'image/jpeg' }],
      timings: { inference: 1 },
      seed: 42,
      has_nsfw_concepts: [false],
      prompt: 'a fox',
    });
  });

  it('invalid input: COMPLETED (no error on the status), then 422 with a pydantic detail list', async () => {
    const s = await falSim({ scenario: { endpoints: { 'fal-ai/kling-video/v2.1/master/text-to-video': quick } } });
    s.control.freeze();
    const r = await finished(s, 'fal-ai/kling-video/v2.1/master/text-to-video', { prompt: 'p'.repeat(3000), duration: '7' });
    expect(r.status.status).toBe('COMPLETED');
    expect(r.status.error).toBeUndefined();
    expect(r.res.status).toBe(422);
    expect(r.body.detail).toEqual([
      {
        loc: ['body', 'prompt'],
        msg: 'String should have at most 2500 characters',
        type: 'string_too_long',
        url: 'https://docs.fal.ai/errors#string_too_long',
        ctx: { max_length: 2500 },
        input: 'p'.repeat(3000),
      },
      {
        loc: ['body', 'duration'],
        msg: "Input should be '5' or '10'",
        type: 'literal_error',
        url: 'https://docs.fal.ai/errors#literal_error',
        ctx: { expected: "'5' or '10'" },
        input: '7',
      },
    ]);
    const missing = await finished(s, 'fal-ai/flux/dev', {});
    expect(missing.body.detail[0]).toMatchObject({ loc: ['body', 'prompt'], msg: 'Field required', type: 'missing' });
  });

  it('runner error: COMPLETED with error/error_type, result 500 + X-Fal-Error-Type; always-fails says so only at the result', async () => {
    const s = await falSim({ scenario: { endpoints: { 'fal-ai/flux/schnell': quick, 'kiln-test/always-fails': quick } } });
    s.control.freeze();
    const r = await finished(s, 'fal-ai/flux/schnell', { prompt: 'x [fail]' });
    expect(r.statusCode).toBe(200);
    expect(r.status).toMatchObject({ status: 'COMPLETED', error: 'CUDA out of memory. Tried to allocate 2.00 GiB', error_type: 'runner_server_error' });
    expect(JSON.parse(r.status.logs.at(-1).message).traceback).toMatch(/CUDA out of memory/);
    expect(r.res.status).toBe(500);
    expect(r.res.headers.get('x-fal-error-type')).toBe('runner_server_error');
    expect(r.body).toEqual({ detail: 'CUDA out of memory. Tried to allocate 2.00 GiB', error_type: 'runner_server_error' });
    const a = await finished(s, 'kiln-test/always-fails', { prompt: 'x' });
    expect(a.status.status).toBe('COMPLETED');
    expect('error' in a.status).toBe(false);
    expect(a.res.status).toBe(500);
    expect(a.body.detail).toMatch(/CUDA error: an illegal memory access/);
    // Scripted per endpoint: another error type maps to its status.
    s.control.loadScenario({
      hideStatusErrors: true,
      endpoints: { 'fal-ai/flux/schnell': { ...quick, outcome: 'runner-error', errorType: 'runner_incomplete_response', error: 'cut short' } },
    });
    const b = await finished(s, 'fal-ai/flux/schnell', { prompt: 'y' });
    expect(['error' in b.status, b.res.status, b.body.error_type]).toEqual([false, 502, 'runner_incomplete_response']);
  });

  it('content policy: 422 content_policy_violation', async () => {
    const s = await falSim({ scenario: { endpoints: { 'fal-ai/flux/dev': quick } } });
    s.control.freeze();
    const r = await finished(s, 'fal-ai/flux/dev', { prompt: 'x [nsfw]' });
    expect(r.res.status).toBe(422);
    expect(r.body.detail[0]).toMatchObject({ type: 'content_policy_violation', loc: ['body', 'prompt'] });
  });

  it("start timeout: with x-fal-request-timeout → 504 + X-Fal-Request-Timeout-Type: user, never started; without → the platform's own timeout", async () => {
    const s = await falSim({
      scenario: { concurrency: 1, defaultStartTimeoutMs: 60_000, endpoints: { 'fal-ai/flux/schnell': { startupMs: 0, runMs: 600_000 } } },
    });
    s.control.freeze();
    await s.submit('fal-ai/flux/schnell', { prompt: 'holds the runner' });
    const job = await s.submit('fal-ai/flux/schnell', { prompt: 'waits' }, { 'x-fal-request-timeout': '5' });
    s.control.advance(4_900);
    expect((await (await s.api(job.status_url)).json()).status).toBe('IN_QUEUE');
    s.control.advance(200);
    const st = await (await s.api(`${job.status_url}?logs=1`)).json();
    expect(st).toMatchObject({ status: 'COMPLETED', logs: [], metrics: {}, error: 'Request timed out', error_type: 'request_timeout' });
    const r = await s.api(job.response_url);
    expect(r.status).toBe(504);
    expect(r.headers.get('x-fal-request-timeout-type')).toBe('user');
    expect(r.headers.get('x-fal-error-type')).toBe('request_timeout');
    expect(await r.json()).toEqual({ detail: 'Request timed out', error_type: 'request_timeout' });
    const plain = await s.submit('fal-ai/flux/schnell', { prompt: '[timeout]' });
    s.control.advance(60_000);
    const p = await s.api(plain.response_url);
    expect([p.status, p.headers.get('x-fal-request-timeout-type'), (await p.json()).error_type]).toEqual([504, null, 'startup_timeout']);
  });

  it('results expire: 1 h after completion, 6 min when the output is ≥ 10 KB (sync_mode data URIs)', async () => {
    const s = await falSim({ scenario: { endpoints: { 'fal-ai/flux/schnell': quick } } });
    s.control.freeze();
    const small = await s.submit('fal-ai/flux/schnell', { prompt: 'small' });
    const big = await s.submit('fal-ai/flux/schnell', { prompt: 'big', sync_mode: true, output_format: 'png' });
    s.control.advance(1_000);
    const inline = await (await s.api(big.response_url)).json();
    expect(inline.images[0].url).toMatch(/^data:image\/png;base64,iVBOR/);
    expect(JSON.stringify(inline).length).toBeGreaterThan(10 * 1024);
    s.control.advance(6 * 60_000);
    expect((await s.api(big.response_url)).status).toBe(404);
    expect((await s.api(small.response_url)).status).toBe(200);
    s.control.advance(54 * 60_000);
    expect((await s.api(small.response_url)).status).toBe(404);
    // The status stays answerable.
    expect((await s.api(small.status_url)).status).toBe(200);
  });
});
