// Kiln's fal client against the simulator over real HTTP: submit, status, result (every shape), cancel.
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../../electron/backend/providers/fal/client.ts';
import { falClient, falSim } from './helpers.ts';

const FLUX = 'fal-ai/flux/schnell';
const quick = { startupMs: 0, runMs: 1_000 };

async function caught(p: Promise<unknown>): Promise<ProviderError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  if (!(e instanceof ProviderError)) throw new Error(`expected a ProviderError, got ${String(e)}`);
  return e;
}

describe('fal client: queue', () => {
  it('submit sends the start deadline as x-fal-request-timeout and the media lifetime; status reads every phase', async () => {
    const s = await falSim({ scenario: { concurrency: 1, endpoints: { [FLUX]: { startupMs: 0, runMs: 2_000 } } } });
    s.control.freeze();
    const c = falClient(s);
    const first = await c.submit({ endpointId: FLUX, input: { prompt: 'first' } });
    const sub = await c.submit({
      endpointId: FLUX,
      input: { prompt: 'second', num_inference_steps: 2 },
      startDeadlineAt: Date.now() + 30_000,
      objectLifecycle: { expirationSeconds: 86_400 },
    });
    expect(sub).toMatchObject({ endpointId: FLUX, queuePosition: 0, statusUrl: `${s.queueUrl}/fal-ai/flux/requests/${sub.requestId}/status` });
    const h = s.control.jobs()[1]!.headers;
    expect(Number(h.requestTimeout)).toBeGreaterThan(29);
    expect(Number(h.requestTimeout)).toBeLessThanOrEqual(30);
    expect([h.lifecycle, h.priority]).toEqual(['{"expiration_duration_seconds":86400}', 'normal']);
    expect(s.control.jobs()[0]!.headers.requestTimeout).toBeUndefined();
    expect(await c.status(sub)).toMatchObject({ status: 'IN_QUEUE', queuePosition: 0, logs: null });
    s.control.advance(3_000);
    const running = await c.status(sub, { logs: true });
    expect(running.status).toBe('IN_PROGRESS');
    expect(running.logs!.map((l) => l.message).slice(1)).toEqual(['  0%|          | 0/2', ' 50%|█████     | 1/2']);
    s.control.advance(1_000);
    expect(await c.status(sub)).toMatchObject({ status: 'COMPLETED', inferenceTimeS: 2, error: null });
    expect(await c.result(first)).toMatchObject({ outcome: 'succeeded', requestId: first.requestId, output: { images: [expect.anything()] } });
    // A deadline that has passed sends nothing.
    const late = await caught(c.submit({ endpointId: FLUX, input: { prompt: 'late' }, startDeadlineAt: Date.now() + 500 }));
    expect(late.code).toBe('bad_request');
    expect(s.control.jobs()).toHaveLength(2);
  });

  it('result decides the end: succeeded, failed (runner, 422 with fields, platform timeout), aborted, canceled, expired', async () => {
    const s = await falSim({
      scenario: {
        defaultStartTimeoutMs: 5_000,
        endpoints: { [FLUX]: quick, 'kiln-test/always-fails': quick, 'fal-ai/kling-video/v2.1/master/text-to-video': quick },
      },
    });
    s.control.freeze();
    const c = falClient(s);
    const ok = await c.submit({ endpointId: FLUX, input: { prompt: 'fine' } });
    const broken = await c.submit({ endpointId: 'kiln-test/always-fails', input: { prompt: 'x' } });
    const invalid = await c.submit({ endpointId: 'fal-ai/kling-video/v2.1/master/text-to-video', input: { prompt: 'p'.repeat(2600) } });
    const userTimeout = await c.submit({ endpointId: FLUX, input: { prompt: '[timeout] mine' }, startDeadlineAt: Date.now() + 3_000 });
    const platformTimeout = await c.submit({ endpointId: FLUX, input: { prompt: '[timeout] theirs' } });
    const canceled = await c.submit({ endpointId: FLUX, input: { prompt: '[slow]' } });
    expect(await c.cancel(canceled)).toBe('requested');
    s.control.advance(5_000);
    // The trap: always-fails says COMPLETED, without an error, and is still a failure.
    expect(await c.status(broken)).toMatchObject({ status: 'COMPLETED', error: null });
    expect(await c.result(ok)).toMatchObject({ outcome: 'succeeded' });
    expect(await c.result(broken)).toEqual({
      outcome: 'failed',
      httpStatus: 500,
      errorType: 'runner_server_error',
      invalidInput: false,
      retryable: null,
      message: 'Unhandled exception in the app: RuntimeError: CUDA error: an illegal memory access was encountered',
    });
    expect(await c.result(invalid)).toEqual({
      outcome: 'failed',
      httpStatus: 422,
      errorType: null,
      invalidInput: true,
      retryable: false,
      message: 'prompt: String should have at most 2500 characters',
      fields: { prompt: 'String should have at most 2500 characters' },
    });
    expect(await c.result(userTimeout)).toEqual({ outcome: 'aborted', message: 'Not started before the deadline: Request timed out' });
    expect(await c.result(platformTimeout)).toMatchObject({ outcome: 'failed', httpStatus: 504, errorType: 'startup_timeout' });
    expect(await c.result(canceled)).toMatchObject({ outcome: 'canceled' });
    s.control.advance(3_600_000);
    expect(await c.result(ok)).toMatchObject({ outcome: 'expired' });
  });

  it('trouble that is not about the request is transient, never a failed run: 5xx from the platform, nginx, torn JSON, too early', async () => {
    const s = await falSim({ scenario: { endpoints: { [FLUX]: quick } } });
    s.control.freeze();
    const c = falClient(s);
    const j = await c.submit({ endpointId: FLUX, input: { prompt: 'x' } });
    const early = await caught(c.result(j));
    expect([early.transient, early.status]).toEqual([true, 400]);
    s.control.loadScenario({
      endpoints: { [FLUX]: quick },
      faults: [
        { endpoint: 'result', kind: '503' },
        { endpoint: 'result', kind: 'nginx-504' },
        { endpoint: 'result', kind: 'truncated-json' },
        { endpoint: 'result', kind: 'reset' },
      ],
    });
    s.control.advance(1_000);
    for (const code of ['provider', 'provider', 'provider', 'network']) {
      const e = await caught(c.result(j));
      expect([e.code, e.transient, e.ambiguous]).toEqual([code, true, false]);
    }
    expect(await c.result(j)).toMatchObject({ outcome: 'succeeded' });
  });

  it('cancel outcomes: requested, already-completed, not-found', async () => {
    const s = await falSim({ scenario: { endpoints: { [FLUX]: quick } } });
    s.control.freeze();
    const c = falClient(s);
    const j = await c.submit({ endpointId: FLUX, input: { prompt: 'x' } });
    expect(await c.cancel(j)).toBe('requested');
    expect(await c.cancel(j)).toBe('already-completed');
    expect(await c.cancel({ endpointId: FLUX, requestId: '00000000-0000-4000-8000-000000000000' })).toBe('not-found');
  });

  it('submit failures carry the right flags: 429 is safe to re-send, 5xx/reset/torn answers are ambiguous; keys and accounts', async () => {
    const s = await falSim({
      scenario: {
        faults: [
          { endpoint: 'submit', kind: '429', retryAfterS: 3 },
          { endpoint: 'submit', kind: '503' },
          { endpoint: 'submit', kind: 'truncated-json' },
          { endpoint: 'submit', kind: 'drop-response-after-submit' },
        ],
      },
    });
    const c = falClient(s);
    const submit = () => c.submit({ endpointId: FLUX, input: { prompt: 'x' } });
    const limited = await caught(submit());
    expect([limited.code, limited.transient, limited.ambiguous, limited.retryAfterMs]).toEqual(['rate_limited', true, false, 3000]);
    for (const code of ['provider', 'provider', 'network']) {
      const e = await caught(submit());
      expect([e.code, e.transient, e.ambiguous]).toEqual([code, true, true]);
    }
    // Two of those three did create a job (the torn answer and the dropped one): hence "ambiguous".
    expect(s.control.jobs()).toHaveLength(2);
    expect(c.counters).toMatchObject({ create: 4, status429: 1 });

    const wrong = await caught(falClient(s, { getKey: async () => 'a:b' }).submit({ endpointId: FLUX, input: {} }));
    expect([wrong.code, wrong.status, wrong.transient]).toEqual(['auth', 401, false]);
    const odd = await caught(c.submit({ endpointId: 'fal-ai/../../api/v1/models', input: {} }));
    expect(odd.code).toBe('bad_request');
    const none = falClient(s, { getKey: async () => null });
    expect((await caught(none.submit({ endpointId: FLUX, input: {} }))).code).toBe('auth');
    expect(none.counters.total).toBe(0);
    s.control.loadScenario({ account: 'locked' });
    const locked = await caught(submit());
    expect([locked.code, locked.status, locked.message]).toEqual(['billing', 403, expect.stringMatching(/Exhausted balance/)]);
  });

  it("the key goes only to fal's API bases: a status URL pointing elsewhere is rebuilt, the CDN never sees it", async () => {
    const s = await falSim({ scenario: { endpoints: { [FLUX]: quick } } });
    const c = falClient(s);
    expect([
      c.trustedForKey(`${s.queueUrl}/x`),
      c.trustedForKey(`${s.apiUrl}/models`),
      c.trustedForKey(`${s.cdnUrl}/files/a/b.png`),
      c.trustedForKey('https://queue.fal.run/x'),
      c.trustedForKey(`${s.origin}/queue-evil/x`),
    ]).toEqual([true, true, false, false, false]);
    const j = await c.submit({ endpointId: FLUX, input: { prompt: 'x' } });
    const st = await c.status({ ...j, statusUrl: `${s.cdnUrl}/files/steal/status` });
    expect(st.status).toMatch(/IN_QUEUE|IN_PROGRESS|COMPLETED/);
    expect(s.control.counters().authOnMedia).toBe(0);
    expect(s.control.counters().byEndpoint.cdn).toBeUndefined();
  });
});
