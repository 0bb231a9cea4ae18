// `npm run sim` (test/replicate-sim/main.ts) in its own process, driven over HTTP only.
import { describe, expect, it } from 'vitest';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimControlClient } from '../../replicate-sim/control-client.ts';
import { spawnSimulator } from '../../replicate-sim/spawn.ts';

describe('npm run sim', () => {
  it('prints a base URL and a demo token, and serves a full walk driven by the control client', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-main-'));
    const scenarioFile = join(dir, 'scenario.json');
    writeFileSync(scenarioFile, JSON.stringify({ models: { 'black-forest-labs/flux-schnell': { coldBootMs: 60_000, runMs: 1_000 } } }));
    const s = await spawnSimulator({ args: ['--scenario', scenarioFile] });
    try {
      expect(s.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      expect(s.token).toBe('r8_kiln_sim_demo_token');
      const h = { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' };
      const control = new SimControlClient(s.baseUrl);
      await control.freeze();
      const p: any = await (
        await fetch(`${s.baseUrl}/models/black-forest-labs/flux-schnell/predictions`, {
          method: 'POST',
          headers: h,
          body: JSON.stringify({ input: { prompt: 'x' } }),
        })
      ).json();
      expect(p.status).toBe('starting');
      await control.advance(61_000);
      const done: any = await (await fetch(p.urls.get, { headers: h })).json();
      expect(done.status).toBe('succeeded');
      expect((await fetch(done.output[0])).status).toBe(200);
      expect((await control.prediction(p.id)).status).toBe('succeeded');
      expect((await control.predictions()).map((x) => x.id)).toEqual([p.id]);
      const c = await control.counters();
      expect(c.byEndpoint['models.predictions.create']).toBe(1);
      expect(c.byEndpoint['predictions.get']).toBe(1);
      await control.loadScenario({ credit: false });
      expect(
        (
          await fetch(`${s.baseUrl}/models/black-forest-labs/flux-schnell/predictions`, {
            method: 'POST',
            headers: h,
            body: JSON.stringify({ input: { prompt: 'x' } }),
          })
        ).status,
      ).toBe(402);
      await control.reset();
      expect(await control.predictions()).toEqual([]);
      const before = await control.now();
      await control.unfreeze();
      expect(Math.abs((await control.now()) - before)).toBeLessThan(5_000);
    } finally {
      await s.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
