import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { sim } from './helpers.ts';

describe('models, versions, search, collections, account', () => {
  it('serves models with Cog OpenAPI Input/Output schemas', async () => {
    const s = await sim();
    const m = await (await s.api('/models/black-forest-labs/flux-schnell')).json();
    expect(m).toMatchObject({
      owner: 'black-forest-labs',
      name: 'flux-schnell',
      is_official: true,
      visibility: 'public',
      url: 'https://replicate.com/black-forest-labs/flux-schnell',
    });
    expect(m.run_count).toBeGreaterThan(1_000_000);
    expect(m.description.length).toBeGreaterThan(20);
    const schemas = m.latest_version.openapi_schema.components.schemas;
    expect(schemas.Input.required).toEqual(['prompt']);
    expect(schemas.Input.properties.num_outputs).toMatchObject({ type: 'integer', minimum: 1, maximum: 4, default: 1 });
    expect(schemas.Input.properties.aspect_ratio.allOf[0].$ref).toBe('#/components/schemas/aspect_ratio');
    expect(schemas.aspect_ratio.enum).toContain('16:9');
    expect(schemas.output_format.enum).toEqual(['webp', 'jpg', 'png']);
    expect(Object.values(schemas.Input.properties).map((p: any) => p['x-order'])).toEqual([...Array(10).keys()]);
    expect(schemas.Output).toEqual({ type: 'array', items: { type: 'string', format: 'uri' }, title: 'Output' });
    const cover = await fetch(m.cover_image_url);
    expect(cover.headers.get('content-type')).toBe('image/webp');
    expect((await sharp(Buffer.from(await cover.arrayBuffer())).metadata()).width).toBe(256);

    const llm = await (await s.api('/models/moonshotai/kimi-k2-thinking')).json();
    expect(llm.latest_version.openapi_schema.components.schemas.Output).toMatchObject({ 'x-cog-array-type': 'iterator', 'x-cog-array-display': 'concatenate' });
    const esrgan = await (await s.api('/models/nightmareai/real-esrgan')).json();
    expect(esrgan.is_official).toBe(false);
    expect(esrgan.latest_version.openapi_schema.components.schemas.Input.properties.image).toMatchObject({ type: 'string', format: 'uri' });
    const veo = await (await s.api('/models/google/veo-3')).json();
    expect(veo.latest_version.openapi_schema.components.schemas.duration).toMatchObject({ type: 'integer', enum: [4, 6, 8] });
  });

  it('lists models with pagination, and versions', async () => {
    const s = await sim({ scenario: { pageSize: 3 } });
    const names: string[] = [];
    let url: string | null = `${s.baseUrl}/models`;
    for (let i = 0; url && i < 10; i++) {
      const page: any = await (await s.api(url)).json();
      names.push(...page.results.map((m: any) => `${m.owner}/${m.name}`));
      url = page.next;
    }
    expect(names).toHaveLength(7);
    expect(new Set(names).size).toBe(7);
    const versions = await (await s.api('/models/stability-ai/sdxl/versions')).json();
    expect(versions.results[0].id).toBe('39ed52f2a78e934b3ba6e2a89f5b1c712de7dfea535525255b1aa35c5565e08b');
    const v = await (await s.api(`/models/stability-ai/sdxl/versions/${versions.results[0].id}`)).json();
    expect(v.openapi_schema.components.schemas.Input.properties.width.default).toBe(1024);
    expect((await s.api('/models/stability-ai/sdxl/versions/abc')).status).toBe(404);
  });

  it('searches and serves collections and the account', async () => {
    const s = await sim({ scenario: { account: { username: 'ada', type: 'organization' } } });
    const found = await (await s.api('/search?query=upscale')).json();
    expect(found.query).toBe('upscale');
    expect(found.models[0].model.name).toBe('real-esrgan');
    expect(found.models[0].metadata.tags).toContain('upscale');
    expect(found.collections.map((c: any) => c.slug)).toContain('super-resolution');
    expect(found.pages).toEqual([]);
    const cols = await (await s.api('/collections')).json();
    expect(cols.results.map((c: any) => c.slug)).toContain('text-to-image');
    const t2i = await (await s.api('/collections/text-to-image')).json();
    expect(t2i.models.map((m: any) => m.name)).toEqual(['flux-schnell', 'flux-dev', 'sdxl']);
    expect((await s.api('/collections/nope')).status).toBe(404);
    expect(await (await s.api('/account')).json()).toMatchObject({ username: 'ada', type: 'organization' });
    expect((await (await s.api('/hardware')).json()).map((h: any) => h.sku)).toContain('gpu-a100-large');
    expect((await (await s.api('/webhooks/default/secret')).json()).key).toMatch(/^whsec_/);
  });
});

describe('files', () => {
  it('uploads multipart content and reads it back', async () => {
    const s = await sim();
    const bytes = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#f00' } })
      .png()
      .toBuffer();
    const form = new FormData();
    form.set('content', new Blob([bytes], { type: 'image/png' }), 'red.png');
    form.set('metadata', JSON.stringify({ purpose: 'upscale' }));
    const r = await s.api('/files', { method: 'POST', body: form });
    expect(r.status).toBe(201);
    const f = await r.json();
    expect(f).toMatchObject({ name: 'red.png', content_type: 'image/png', size: bytes.length, metadata: { purpose: 'upscale' } });
    expect(f.urls.get).toBe(`${s.baseUrl}/files/${f.id}`);
    expect(f.checksums.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await (await s.api(f.urls.get)).json()).toEqual(f);
    const dl = await s.api(`/files/${f.id}/download`);
    expect(Buffer.from(await dl.arrayBuffer()).equals(bytes)).toBe(true);
    // a file URL is a valid `format: uri` input for the upscaler
    const up = await s.api('/predictions', {
      method: 'POST',
      json: { version: 'nightmareai/real-esrgan:42fed1c4974146d4d2414e2be2c5277c7fcf05fcc3a73abf41610695738c1d7b', input: { image: f.urls.get, scale: 2 } },
    });
    expect(up.status).toBe(201);
    expect((await s.api('/files', { method: 'POST', body: new FormData() })).status).toBe(422);
    expect((await s.api(`/files/${f.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await s.api(`/files/${f.id}`)).status).toBe(404);
  });
});
