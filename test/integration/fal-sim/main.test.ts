// `npm run sim:fal` (test/fal-sim/main.ts) in its own process, driven over HTTP only.
import { describe, expect, it } from 'vitest';
import { FalSimControlClient } from '../../fal-sim/control-client.ts';
import { spawnFalSimulator } from '../../fal-sim/spawn.ts';

describe('npm run sim:fal', () => {
  it('prints its base URLs and a demo key, and serves a walk driven by the control client', async () => {
    const s = await spawnFalSimulator({ scenario: { endpoints: { 'fal-ai/flux/dev': { startupMs: 60_000, runMs: 1_000 } } } });
    try {
      expect(s.queueUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/queue$/);
      expect([s.apiUrl, s.storageUrl, s.cdnUrl]).toEqual([`${s.origin}/api/v1`, `${s.origin}/rest`, `${s.origin}/cdn`]);
      expect(s.key).toMatch(/^[0-9a-f-]{36}:[0-9a-f]+$/);
      const h = { authorization: `Key ${s.key}`, 'content-type': 'application/json' };
      const control = new FalSimControlClient(s.queueUrl);
      await control.freeze();
      const job: any = await (await fetch(`${s.queueUrl}/fal-ai/flux/dev`, { method: 'POST', headers: h, body: JSON.stringify({ prompt: 'x' }) })).json();
      await control.advance(61_000);
      const st = await fetch(job.status_url, { headers: h });
      expect([st.status, ((await st.json()) as any).status]).toEqual([200, 'COMPLETED']);
      const out: any = await (await fetch(job.response_url, { headers: h })).json();
      expect((await fetch(out.images[0].url)).status).toBe(200);
      expect((await control.jobs()).map((j) => [j.request_id, j.status, j.result_status])).toEqual([[job.request_id, 'COMPLETED', 200]]);
      expect((await control.counters()).byEndpoint).toMatchObject({ 'queue.submit': 1, 'queue.status': 1, 'queue.result': 1, cdn: 1 });
      await control.loadScenario({ account: 'locked' });
      expect((await fetch(`${s.queueUrl}/fal-ai/flux/dev`, { method: 'POST', headers: h, body: '{}' })).status).toBe(403);
      await control.reset();
      expect(await control.jobs()).toEqual([]);
    } finally {
      await s.stop();
    }
  });
});
