import { describe, expect, it } from 'vitest';
import { FLUX, sim } from './helpers.ts';

describe('output delivery and retention', () => {
  it('serves files with Content-Type, Content-Length and Range', async () => {
    const s = await sim({ scenario: { models: { 'black-forest-labs/flux-schnell': { coldBootMs: 0, runMs: 0 } } } });
    const p = await (await s.api(FLUX, { method: 'POST', json: { input: { prompt: 'x', output_format: 'jpg' } } })).json();
    const url = (await (await s.api(`/predictions/${p.id}`)).json()).output[0] as string;
    expect(url.endsWith('/out-0.jpg')).toBe(true);
    const full = Buffer.from(await (await fetch(url)).arrayBuffer());
    expect(full.subarray(0, 3).toString('hex')).toBe('ffd8ff');
    const part = await fetch(url, { headers: { range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 10-19/${full.length}`);
    expect(part.headers.get('content-length')).toBe('10');
    expect(Buffer.from(await part.arrayBuffer()).equals(full.subarray(10, 20))).toBe(true);
    const tail = await fetch(url, { headers: { range: 'bytes=-5' } });
    expect(Buffer.from(await tail.arrayBuffer()).equals(full.subarray(-5))).toBe(true);
    expect((await fetch(url, { headers: { range: `bytes=${full.length}-` } })).status).toBe(416);
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe(String(full.length));
    expect(head.headers.get('accept-ranges')).toBe('bytes');
  });

  it('does not serve outputs before the prediction succeeds', async () => {
    const s = await sim({ scenario: { models: { 'black-forest-labs/flux-schnell': { coldBootMs: 0, runMs: 10_000 } } } });
    s.control.freeze();
    const p = await (await s.api(FLUX, { method: 'POST', json: { input: { prompt: 'x' } } })).json();
    s.control.advance(10_000);
    const url = (await (await s.api(`/predictions/${p.id}`)).json()).output[0];
    const q = await (await s.api(FLUX, { method: 'POST', json: { input: { prompt: 'x' } } })).json();
    const guess = url.replace(/xezq\/[0-9a-f]+\//, `xezq/${'0'.repeat(40)}/`);
    expect((await fetch(guess)).status).toBe(404);
    expect(q.output).toBeNull();
  });

  it('removes outputs after the retention period: data_removed, output null, delivery 404', async () => {
    const s = await sim({ retentionMs: 60_000, scenario: { models: { 'black-forest-labs/flux-schnell': { coldBootMs: 1_000, runMs: 1_000 } } } });
    s.control.freeze();
    const p = await (await s.api(FLUX, { method: 'POST', json: { input: { prompt: 'x' } } })).json();
    s.control.advance(2_000);
    const done = await (await s.api(`/predictions/${p.id}`)).json();
    expect(done.data_removed).toBe(false);
    expect((await fetch(done.output[0])).status).toBe(200);
    s.control.advance(59_000);
    expect((await fetch(done.output[0])).status).toBe(200);
    s.control.advance(1_000);
    const gone = await (await s.api(`/predictions/${p.id}`)).json();
    expect(gone).toMatchObject({ status: 'succeeded', data_removed: true, output: null });
    expect('output' in gone).toBe(true);
    expect((await fetch(done.output[0])).status).toBe(404);
    const listed = await (await s.api('/predictions')).json();
    expect(listed.results[0]).toMatchObject({ data_removed: true, output: null });
  });

  it('can require auth on downloads and answer 410 after expiry (both UNVERIFIED upstream)', async () => {
    const s = await sim({
      retentionMs: 10_000,
      scenario: { deliveryAuth: true, expiredDeliveryStatus: 410, models: { 'black-forest-labs/flux-schnell': { coldBootMs: 0, runMs: 0 } } },
    });
    s.control.freeze();
    const p = await (await s.api(FLUX, { method: 'POST', json: { input: { prompt: 'x' } } })).json();
    const url = (await (await s.api(`/predictions/${p.id}`)).json()).output[0];
    expect((await fetch(url)).status).toBe(401);
    expect((await s.api(url)).status).toBe(200);
    s.control.advance(10_000);
    expect((await s.api(url)).status).toBe(410);
  });

  it('delivers a real MP4 for the video model', async () => {
    const s = await sim({ scenario: { models: { 'google/veo-3': { coldBootMs: 0, runMs: 0 } } } });
    const p = await (await s.api('/models/google/veo-3/predictions', { method: 'POST', json: { input: { prompt: 'waves', duration: 4 } } })).json();
    const done = await (await s.api(`/predictions/${p.id}`)).json();
    expect(typeof done.output).toBe('string');
    const r = await fetch(done.output);
    expect(r.headers.get('content-type')).toBe('video/mp4');
    const bytes = Buffer.from(await r.arrayBuffer());
    expect(bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');
    expect((await s.api('/models/google/veo-3/predictions', { method: 'POST', json: { input: { prompt: 'w', duration: 5 } } })).status).toBe(422);
  });
});
