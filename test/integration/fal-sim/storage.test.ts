import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { falSim } from './helpers.ts';

describe('fal simulator: storage and CDN', () => {
  it('initiate (key) → PUT (no key, signed URL) → file served at file_url without auth; lifecycle expiry', async () => {
    const s = await falSim();
    s.control.freeze();
    const init = await s.api(`${s.storageUrl}/storage/upload/initiate?storage_type=fal-cdn-v3`, {
      method: 'POST',
      json: { content_type: 'image/png', file_name: 'in.png' },
      headers: { 'x-fal-object-lifecycle': '{"expiration_duration_seconds":60}' },
    });
    expect(init.status).toBe(200);
    const { upload_url, file_url } = await init.json();
    expect(file_url).toMatch(new RegExp(`^${s.cdnUrl}/files/\\w+/[\\w-]+\\.png$`));
    const png = await sharp({ create: { width: 20, height: 10, channels: 3, background: '#123456' } })
      .png()
      .toBuffer();
    const unsigned = upload_url.replace(/\?.*$/, '');
    expect((await fetch(unsigned, { method: 'PUT', body: png })).status).toBe(403);
    expect((await fetch(upload_url, { method: 'PUT', body: png, headers: { 'content-type': 'image/png' } })).status).toBe(200);
    const got = await fetch(file_url);
    expect([got.status, got.headers.get('content-type')]).toEqual([200, 'image/png']);
    expect(Buffer.from(await got.arrayBuffer())).toEqual(png);
    const part = await fetch(file_url, { headers: { range: 'bytes=0-3' } });
    expect([part.status, part.headers.get('content-range')]).toEqual([206, `bytes 0-3/${png.length}`]);
    expect(s.control.counters().authOnMedia).toBe(0);
    await fetch(file_url, { headers: { authorization: `Key ${s.key}` } });
    expect(s.control.counters().authOnMedia).toBe(1);
    s.control.advance(60_000);
    expect((await fetch(file_url)).status).toBe(404);
    expect((await fetch(`${s.storageUrl}/storage/upload/initiate`, { method: 'POST' })).status).toBe(401);
  });

  it('multipart: numbered parts answer {partNumber, etag}, /complete assembles them; single PUT over the limit is 413', async () => {
    const s = await falSim({ scenario: { maxUploadBytes: 1000 } });
    const { upload_url, file_url } = await (
      await s.api(`${s.storageUrl}/storage/upload/initiate-multipart?storage_type=fal-cdn-v3`, {
        method: 'POST',
        json: { content_type: 'application/octet-stream', file_name: 'big.bin' },
      })
    ).json();
    const u = new URL(upload_url);
    const partUrl = (n: number | string) => `${u.origin}${u.pathname}/${n}${u.search}`;
    const chunks = [Buffer.alloc(700, 1), Buffer.alloc(700, 2), Buffer.alloc(100, 3)];
    const parts = [];
    for (let i = 0; i < chunks.length; i++) {
      const r = await fetch(partUrl(i + 1), { method: 'PUT', body: chunks[i] });
      const b = await r.json();
      expect(b).toEqual({ partNumber: i + 1, etag: expect.stringMatching(/^"[0-9a-f]{32}"$/) });
      parts.push(b);
    }
    const wrong = await fetch(partUrl('complete'), { method: 'POST', body: JSON.stringify({ parts: [parts[1], parts[0], parts[2]] }) });
    expect(wrong.status).toBe(400);
    expect((await fetch(partUrl('complete'), { method: 'POST', body: JSON.stringify({ parts }) })).status).toBe(200);
    expect(Buffer.from(await (await fetch(file_url)).arrayBuffer())).toEqual(Buffer.concat(chunks));

    const single = await (
      await s.api(`${s.storageUrl}/storage/upload/initiate`, { method: 'POST', json: { content_type: 'application/octet-stream', file_name: 'x.bin' } })
    ).json();
    expect((await fetch(single.upload_url, { method: 'PUT', body: Buffer.alloc(1500) })).status).toBe(413);
  });

  it('outputs live on the CDN only after success, for the requested lifetime; the upscaler reads an upload', async () => {
    const s = await falSim({
      scenario: { endpoints: { 'fal-ai/flux/schnell': { startupMs: 0, runMs: 1_000 }, 'fal-ai/esrgan': { startupMs: 0, runMs: 1_000 } } },
    });
    s.control.freeze();
    const j = await s.submit(
      'fal-ai/flux/schnell',
      { prompt: 'x', output_format: 'png' },
      { 'x-fal-object-lifecycle-preference': '{"expiration_duration_seconds":3600}' },
    );
    s.control.advance(1_000);
    const out = await (await s.api(j.response_url)).json();
    const img = await fetch(out.images[0].url);
    expect(img.status).toBe(200);
    const meta = await sharp(Buffer.from(await img.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', out.images[0].width, out.images[0].height]);
    s.control.advance(3_600_000);
    expect((await fetch(out.images[0].url)).status).toBe(404);

    const up = await s.submit('fal-ai/esrgan', { image_url: `${s.cdnUrl}/files/rabbit/missing.png` });
    s.control.advance(1_000);
    const miss = await s.api(up.response_url);
    expect([miss.status, (await miss.json()).detail[0].type]).toEqual([422, 'file_download_error']);
    const data = `data:image/png;base64,${(
      await sharp({ create: { width: 30, height: 20, channels: 3, background: '#fff' } })
        .png()
        .toBuffer()
    ).toString('base64')}`;
    const ok = await s.submit('fal-ai/esrgan', { image_url: data, scale: 4 });
    s.control.advance(1_000);
    expect((await (await s.api(ok.response_url)).json()).image).toMatchObject({ width: 120, height: 80 });
  });
});
