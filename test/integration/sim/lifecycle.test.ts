import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { FLUX, sim } from './helpers.ts';

describe('prediction walk', () => {
  it('goes starting → processing (growing tqdm logs) → succeeded with downloadable images', async () => {
    const s = await sim({ scenario: { models: { 'black-forest-labs/flux-schnell': { coldBootMs: 10_000, runMs: 4_000 } } } });
    s.control.freeze();
    const created = await s.api(FLUX, { method: 'POST', json: { input: { prompt: 'a red fox', num_outputs: 2, output_format: 'png', seed: 7 } } });
    expect(created.status).toBe(201);
    const p = await created.json();
    expect(p).toMatchObject({
      status: 'starting',
      model: 'black-forest-labs/flux-schnell',
      output: null,
      error: null,
      data_removed: false,
      started_at: null,
      logs: '',
    });
    expect(p.id).toMatch(/^[a-z0-9]{26}$/);
    expect(p.urls.get).toBe(`${s.baseUrl}/predictions/${p.id}`);
    expect(p.urls.cancel).toBe(`${s.baseUrl}/predictions/${p.id}/cancel`);
    expect(p.urls.stream).toBeUndefined();

    s.control.advance(9_000);
    expect((await (await s.api(`/predictions/${p.id}`)).json()).status).toBe('starting');

    s.control.advance(2_000);
    const mid = await (await s.api(`/predictions/${p.id}`)).json();
    expect(mid.status).toBe('processing');
    expect(mid.started_at).not.toBeNull();
    expect(mid.logs).toContain('Using seed: 7\n');
    expect(mid.logs).toContain('\r 25%|██        | 1/4');

    s.control.advance(2_000);
    const later = await (await s.api(`/predictions/${p.id}`)).json();
    expect(later.logs.length).toBeGreaterThan(mid.logs.length);
    expect(later.logs.startsWith(mid.logs)).toBe(true);

    s.control.advance(1_000);
    const done = await (await s.api(`/predictions/${p.id}`)).json();
    expect(done.status).toBe('succeeded');
    expect(done.logs).toMatch(/100%\|██████████\| 4\/4 .*\n$/);
    expect(done.metrics.predict_time).toBe(4);
    expect(done.metrics.total_time).toBe(14);
    expect(done.output).toHaveLength(2);
    for (const [i, url] of (done.output as string[]).entries()) {
      expect(url).toBe(`${s.origin}/delivery/xezq/${url.split('/')[5]}/out-${i}.png`);
      const img = await fetch(url);
      expect(img.status).toBe(200);
      expect(img.headers.get('content-type')).toBe('image/png');
      const bytes = Buffer.from(await img.arrayBuffer());
      expect(Number(img.headers.get('content-length'))).toBe(bytes.length);
      const meta = await sharp(bytes).metadata();
      expect(meta.format).toBe('png');
      expect(meta.width).toBe(meta.height);
    }
  });

  it('draws the same image for the same prompt and seed, and a different one otherwise', async () => {
    const s = await sim({ scenario: { models: { 'black-forest-labs/flux-schnell': { coldBootMs: 0, runMs: 0 } } } });
    const run = async (prompt: string, seed: number) => {
      const p = await (await s.api(FLUX, { method: 'POST', json: { input: { prompt, seed } } })).json();
      const done = await (await s.api(`/predictions/${p.id}`)).json();
      return Buffer.from(await (await fetch(done.output[0])).arrayBuffer());
    };
    const a = await run('lighthouse at dusk', 42);
    const b = await run('lighthouse at dusk', 42);
    const c = await run('lighthouse at dusk', 43);
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(false);
    expect((await sharp(a).metadata()).format).toBe('webp');
  });

  it('cancels only while not terminal', async () => {
    const s = await sim();
    s.control.freeze();
    const p = await (await s.api(FLUX, { method: 'POST', json: { input: { prompt: 'x' } } })).json();
    const c = await s.api(`/predictions/${p.id}/cancel`, { method: 'POST' });
    expect(c.status).toBe(200);
    expect((await c.json()).status).toBe('canceled');
    s.control.advance(60_000);
    expect((await (await s.api(`/predictions/${p.id}`)).json()).status).toBe('canceled');

    const q = await (await s.api(FLUX, { method: 'POST', json: { input: { prompt: 'y' } } })).json();
    s.control.advance(60_000);
    const after = await (await s.api(`/predictions/${q.id}/cancel`, { method: 'POST' })).json();
    expect(after.status).toBe('succeeded');
    expect((await s.api('/predictions/nope/cancel', { method: 'POST' })).status).toBe(404);
  });

  it('lists newest first, 100 per page, with full-URL cursors', async () => {
    const s = await sim({ scenario: { models: { 'black-forest-labs/flux-schnell': { coldBootMs: 0, runMs: 0 } } } });
    const ids: string[] = [];
    for (let i = 0; i < 205; i++) {
      ids.push((await (await s.api(FLUX, { method: 'POST', json: { input: { prompt: `p${i}` } } })).json()).id);
    }
    const seen: string[] = [];
    let url: string | null = `${s.baseUrl}/predictions`;
    let pages = 0;
    while (url && pages < 10) {
      const page: any = await (await s.api(url)).json();
      pages++;
      seen.push(...page.results.map((r: any) => r.id));
      expect(page.results[0].logs).toBeUndefined();
      if (page.next) expect(page.next.startsWith(`${s.baseUrl}/predictions?cursor=`)).toBe(true);
      if (pages === 2) {
        expect(page.previous).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/predictions\?cursor=/);
        // a prediction created meanwhile does not shift later pages
        await s.api(FLUX, { method: 'POST', json: { input: { prompt: 'late' } } });
      }
      url = page.next;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
  });

  it('filters the list by created_after / created_before', async () => {
    const s = await sim();
    s.control.freeze();
    const a = await (await s.api(FLUX, { method: 'POST', json: { input: { prompt: 'a' } } })).json();
    s.control.advance(10_000);
    const b = await (await s.api(FLUX, { method: 'POST', json: { input: { prompt: 'b' } } })).json();
    const mid = new Date(Date.parse(a.created_at) + 5_000).toISOString();
    const after = await (await s.api(`/predictions?created_after=${mid}`)).json();
    expect(after.results.map((r: any) => r.id)).toEqual([b.id]);
    const before = await (await s.api(`/predictions?created_before=${mid}`)).json();
    expect(before.results.map((r: any) => r.id)).toEqual([a.id]);
  });
});
