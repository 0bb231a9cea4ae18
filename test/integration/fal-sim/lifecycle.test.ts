import { describe, expect, it } from 'vitest';
import { falSim } from './helpers.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('fal simulator: queue lifecycle', () => {
  it('submit answers 200 IN_QUEUE with the request id, owner/app URLs and the request id header', async () => {
    const s = await falSim();
    s.control.freeze();
    const r = await s.api(`${s.queueUrl}/fal-ai/flux/dev`, { method: 'POST', json: { prompt: 'a kiln' } });
    expect(r.status).toBe(200);
    const b = await r.json();
    expect(b.request_id).toMatch(UUID);
    expect(r.headers.get('x-fal-request-id')).toBe(b.request_id);
    expect(b).toEqual({
      status: 'IN_QUEUE',
      request_id: b.request_id,
      queue_position: 0,
      response_url: `${s.queueUrl}/fal-ai/flux/requests/${b.request_id}`,
      status_url: `${s.queueUrl}/fal-ai/flux/requests/${b.request_id}/status`,
      cancel_url: `${s.queueUrl}/fal-ai/flux/requests/${b.request_id}/cancel`,
    });
  });

  it('202 while IN_QUEUE/IN_PROGRESS, 200 when COMPLETED; never another status', async () => {
    const s = await falSim({ scenario: { endpoints: { 'fal-ai/flux/dev': { startupMs: 1_000, runMs: 4_000 } } } });
    s.control.freeze();
    const job = await s.submit('fal-ai/flux/dev', { prompt: 'x', num_inference_steps: 4, seed: 7 });
    const poll = async () => {
      const r = await s.api(`${job.status_url}?logs=1`);
      return { code: r.status, body: await r.json() };
    };
    let p = await poll();
    expect([p.code, p.body.status, p.body.queue_position, 'logs' in p.body]).toEqual([202, 'IN_QUEUE', 0, false]);
    s.control.advance(1_000);
    p = await poll();
    expect([p.code, p.body.status]).toEqual([202, 'IN_PROGRESS']);
    expect(p.body.logs.map((l: any) => l.message)).toEqual(['Loading FLUX.1 [dev] pipeline (seed 7)', '  0%|          | 0/4']);
    expect(p.body.logs[1]).toMatchObject({ level: 'STDERR', source: 'USER' });
    s.control.advance(2_000);
    p = await poll();
    // Polled logs are cumulative.
    expect(p.body.logs.map((l: any) => l.message).slice(1)).toEqual(['  0%|          | 0/4', ' 25%|██        | 1/4', ' 50%|█████     | 2/4']);
    s.control.advance(2_000);
    p = await poll();
    expect([p.code, p.body.status, p.body.metrics]).toEqual([200, 'COMPLETED', { inference_time: 4 }]);
    expect(p.body.logs.at(-1).message).toBe('100%|██████████| 4/4');
    expect('error' in p.body).toBe(false);
    // logs=0: the key is there, without the entries.
    expect((await (await s.api(`${job.status_url}?logs=0`)).json()).logs).toBeNull();
  });

  it('queue_position counts the jobs ahead while the runners are busy', async () => {
    const s = await falSim({ scenario: { concurrency: 2, endpoints: { 'fal-ai/flux/schnell': { startupMs: 0, runMs: 10_000 } } } });
    s.control.freeze();
    const jobs: any[] = [];
    for (let i = 0; i < 5; i++) jobs.push(await s.submit('fal-ai/flux/schnell', { prompt: `job ${i}` }));
    expect(jobs.map((j) => j.queue_position)).toEqual([0, 0, 0, 1, 2]);
    const positions = async () =>
      Promise.all(
        jobs.map(async (j) => {
          const b = await (await s.api(j.status_url)).json();
          return b.status === 'IN_QUEUE' ? b.queue_position : b.status;
        }),
      );
    expect(await positions()).toEqual(['IN_PROGRESS', 'IN_PROGRESS', 0, 1, 2]);
    s.control.advance(10_000);
    expect(await positions()).toEqual(['COMPLETED', 'COMPLETED', 'IN_PROGRESS', 'IN_PROGRESS', 0]);
    s.control.advance(20_000);
    expect(await positions()).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED']);
  });

  it('accepts the full-id form, trailing slashes; another key of the account sees the job, another account does not', async () => {
    const s = await falSim({ scenario: { extraKeys: ['same-id:same-secret'], otherAccountKeys: ['other-id:other-secret'] } });
    const job = await s.submit('fal-ai/flux/dev', { prompt: 'x' });
    const id = job.request_id;
    for (const path of [`/fal-ai/flux/requests/${id}/status`, `/fal-ai/flux/dev/requests/${id}/status`, `/fal-ai/flux/requests/${id}/status/`]) {
      expect((await s.api(`${s.queueUrl}${path}`)).status).toBe(202);
    }
    expect((await s.api(`${s.queueUrl}/fal-ai/other/requests/${id}/status`)).status).toBe(404);
    const stranger = await s.api(job.status_url, { headers: { authorization: 'Key other-id:other-secret' } });
    expect(stranger.status).toBe(404);
    expect((await s.api(job.status_url, { headers: { authorization: 'Key same-id:same-secret' } })).status).toBe(202);
    expect(await (await s.api(`${s.queueUrl}/fal-ai/flux/requests/00000000-0000-4000-8000-000000000000/status`)).json()).toEqual({
      detail: 'Request 00000000-0000-4000-8000-000000000000 not found',
    });
  });

  it('unknown apps are 404 "Application … not found"; submit does not validate the input', async () => {
    const s = await falSim();
    const r = await s.api(`${s.queueUrl}/fal-ai/schnell`, { method: 'POST', json: { prompt: 'x' } });
    expect(r.status).toBe(404);
    expect(await r.json()).toEqual({ detail: 'Application "schnell" not found' });
    // Nonsense input is queued all the same: the runner will reject it later.
    expect((await s.api(`${s.queueUrl}/fal-ai/flux/dev`, { method: 'POST', json: { num_images: 'many' } })).status).toBe(200);
  });

  it('an undocumented status is reported in place of IN_QUEUE when scripted', async () => {
    const s = await falSim({ scenario: { endpoints: { 'fal-ai/flux/schnell': { startupMs: 1_000, runMs: 1_000, unknownStatus: 'IN_WARMUP' } } } });
    s.control.freeze();
    const job = await s.submit('fal-ai/flux/schnell', { prompt: 'x' });
    const r = await s.api(job.status_url);
    expect([r.status, (await r.json()).status]).toEqual([202, 'IN_WARMUP']);
    s.control.advance(1_000);
    expect((await (await s.api(job.status_url)).json()).status).toBe('IN_PROGRESS');
  });

  it('minimalSubmit answers only the four id/URL fields; the legacy log format has labels and no zone', async () => {
    const s = await falSim({ scenario: { minimalSubmit: true, logFormat: 'labels', endpoints: { 'fal-ai/flux/schnell': { startupMs: 0, runMs: 100 } } } });
    s.control.freeze();
    const job = await s.submit('fal-ai/flux/schnell', { prompt: 'x' });
    expect(Object.keys(job).sort()).toEqual(['cancel_url', 'request_id', 'response_url', 'status_url']);
    s.control.advance(100);
    const b = await (await s.api(`${job.status_url}?logs=1`)).json();
    expect(b.logs[0]).toEqual({ timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/), message: expect.any(String), labels: {} });
  });

  it('records the headers that matter and the webhook, and counts each request per endpoint', async () => {
    const s = await falSim();
    await s.api(`${s.queueUrl}/fal-ai/flux/dev?fal_webhook=${encodeURIComponent('https://example.invalid/hook')}`, {
      method: 'POST',
      json: { prompt: 'x' },
      headers: {
        'x-fal-request-timeout': '12.5',
        'x-fal-object-lifecycle-preference': '{"expiration_duration_seconds":3600}',
        'x-fal-queue-priority': 'low',
        'x-fal-store-io': '0',
      },
    });
    const [j] = s.control.jobs();
    expect(j!.headers).toEqual({ requestTimeout: '12.5', lifecycle: '{"expiration_duration_seconds":3600}', priority: 'low', storeIo: '0' });
    expect(j!.webhook).toBe('https://example.invalid/hook');
    expect((await s.api(`${s.queueUrl}/fal-ai/flux/dev`, { method: 'POST', json: { prompt: 'x' }, headers: { 'x-fal-request-timeout': 'soon' } })).status).toBe(
      400,
    );
    expect(s.control.counters().byEndpoint['queue.submit']).toBe(2);
    expect(Object.values(s.control.counters().submitsByInputHash)).toEqual([1]);
  });
});
