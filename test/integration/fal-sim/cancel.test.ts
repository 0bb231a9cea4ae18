import { describe, expect, it } from 'vitest';
import { falSim } from './helpers.ts';

describe('fal simulator: cancel', () => {
  it('queued: 202 CANCELLATION_REQUESTED, the job leaves the queue, ends COMPLETED with client_cancelled; again → 400 ALREADY_COMPLETED', async () => {
    const s = await falSim({ scenario: { concurrency: 1, endpoints: { 'fal-ai/flux/schnell': { startupMs: 0, runMs: 10_000 } } } });
    s.control.freeze();
    const a = await s.submit('fal-ai/flux/schnell', { prompt: 'a' });
    const b = await s.submit('fal-ai/flux/schnell', { prompt: 'b' });
    const c = await s.submit('fal-ai/flux/schnell', { prompt: 'c' });
    expect((await (await s.api(c.status_url)).json()).queue_position).toBe(1);
    const r = await s.api(b.cancel_url, { method: 'PUT' });
    expect([r.status, await r.json(), r.headers.get('x-fal-request-id')]).toEqual([202, { status: 'CANCELLATION_REQUESTED' }, b.request_id]);
    expect((await (await s.api(c.status_url)).json()).queue_position).toBe(0);
    const st = await (await s.api(b.status_url)).json();
    expect(st).toMatchObject({ status: 'COMPLETED', error_type: 'client_cancelled' });
    const res = await s.api(b.response_url);
    expect([res.status, (await res.json()).error_type]).toEqual([499, 'client_cancelled']);
    const again = await s.api(b.cancel_url, { method: 'PUT' });
    expect([again.status, await again.json()]).toEqual([400, { status: 'ALREADY_COMPLETED' }]);
    // c takes the runner when a finishes, not after b.
    s.control.advance(10_000);
    expect((await (await s.api(c.status_url)).json()).status).toBe('IN_PROGRESS');
    expect((await (await s.api(a.response_url)).json()).images).toHaveLength(1);
  });

  it('running: the job stops (or, scripted, ignores the signal and completes)', async () => {
    const s = await falSim({ scenario: { endpoints: { 'fal-ai/flux/schnell': { startupMs: 0, runMs: 10_000 } } } });
    s.control.freeze();
    const j = await s.submit('fal-ai/flux/schnell', { prompt: 'x' });
    s.control.advance(3_000);
    expect((await s.api(j.cancel_url, { method: 'PUT' })).status).toBe(202);
    expect((await (await s.api(j.status_url)).json()).status).toBe('COMPLETED');
    expect((await s.api(j.response_url)).status).toBe(499);
    s.control.loadScenario({ cancelRunning: 'ignored', endpoints: { 'fal-ai/flux/schnell': { startupMs: 0, runMs: 10_000 } } });
    const k = await s.submit('fal-ai/flux/schnell', { prompt: 'y' });
    s.control.advance(3_000);
    expect((await s.api(k.cancel_url, { method: 'PUT' })).status).toBe(202);
    expect((await (await s.api(k.status_url)).json()).status).toBe('IN_PROGRESS');
    s.control.advance(7_000);
    expect((await s.api(k.response_url)).status).toBe(200);
  });

  it('unknown request → 404 NOT_FOUND; afterCancel "not-found" makes a canceled job vanish', async () => {
    const s = await falSim({ scenario: { afterCancel: 'not-found', endpoints: { 'fal-ai/flux/schnell': { startupMs: 60_000, runMs: 1_000 } } } });
    s.control.freeze();
    const nope = await s.api(`${s.queueUrl}/fal-ai/flux/requests/00000000-0000-4000-8000-000000000000/cancel`, { method: 'PUT' });
    expect([nope.status, await nope.json()]).toEqual([404, { status: 'NOT_FOUND' }]);
    const j = await s.submit('fal-ai/flux/schnell', { prompt: 'x' });
    expect((await s.api(j.cancel_url, { method: 'PUT' })).status).toBe(202);
    expect((await s.api(j.status_url)).status).toBe(404);
    expect((await s.api(j.response_url)).status).toBe(404);
    expect(s.control.jobs()[0]!.status).toBe('CANCELED_GONE');
  });
});
