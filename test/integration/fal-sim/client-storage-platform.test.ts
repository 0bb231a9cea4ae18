import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../../electron/backend/providers/fal/client.ts';
import { falClient, falSim } from './helpers.ts';

describe('fal client: storage upload and platform API', () => {
  it('upload: initiate with the key, PUT without it; the file is public at its URL and feeds a model', async () => {
    const s = await falSim({ scenario: { endpoints: { 'fal-ai/esrgan': { startupMs: 0, runMs: 100 } } } });
    const sharp = (await import('sharp')).default;
    const png = await sharp({ create: { width: 32, height: 24, channels: 3, background: '#804020' } })
      .png()
      .toBuffer();
    const c = falClient(s);
    const url = await c.upload(png, { contentType: 'image/png', fileName: 'input.png', expirationSeconds: 3600 });
    expect(url.startsWith(`${s.cdnUrl}/files/`)).toBe(true);
    expect(Buffer.from(await (await fetch(url)).arrayBuffer())).toEqual(png);
    expect(s.control.counters().authOnMedia).toBe(0);
    const j = await c.submit({ endpointId: 'fal-ai/esrgan', input: { image_url: url, scale: 3 } });
    s.control.advance(200);
    expect(await c.result(j)).toMatchObject({ outcome: 'succeeded', output: { image: { width: 96, height: 72 } } });
    s.control.advance(3_600_000);
    expect((await fetch(url)).status).toBe(404);
  });

  it('multipart above the threshold: parts with etags, a dropped part retried, the whole file reassembled', async () => {
    const s = await falSim({ scenario: { faults: [{ endpoint: 'upload', kind: 'reset', after: 1 }] } });
    const c = falClient(s, { multipartThreshold: 1000, partBytes: 400 });
    const bytes = Buffer.from(Array.from({ length: 1100 }, (_, i) => i % 251));
    const url = await c.upload(bytes, { contentType: 'application/octet-stream', fileName: 'big.bin' });
    expect(Buffer.from(await (await fetch(url)).arrayBuffer())).toEqual(bytes);
    const n = s.control.counters().byEndpoint;
    expect([n['storage.initiate-multipart'], n['upload.part'], n['upload.complete'], n['storage.initiate']]).toEqual([1, 4, 1, undefined]);
    expect(s.control.counters().authOnMedia).toBe(0);
    const small = await c.upload(Buffer.from('hello'), { contentType: 'text/plain', fileName: 'a.txt' });
    expect(await (await fetch(small)).text()).toBe('hello');
  });

  it('charges: what fal billed, with an Admin key; null (keep the estimate) without one', async () => {
    const s = await falSim({
      scenario: {
        adminKeys: ['admin-id:admin-secret'],
        endpoints: { 'fal-ai/flux/dev': { startupMs: 0, runMs: 100 }, 'kiln-test/always-fails': { startupMs: 0, runMs: 100 } },
      },
    });
    s.control.freeze();
    const since = s.control.now() - 1;
    const c = falClient(s);
    const ok = await c.submit({ endpointId: 'fal-ai/flux/dev', input: { prompt: 'x', num_images: 3 } });
    const bad = await c.submit({ endpointId: 'kiln-test/always-fails', input: { prompt: 'x' } });
    s.control.advance(200);
    expect(await c.charges([ok.requestId, bad.requestId], { since })).toBeNull();
    const admin = falClient(s, { getKey: async () => 'admin-id:admin-secret' });
    expect(await admin.charges([ok.requestId, bad.requestId], { since })).toEqual([
      { requestId: ok.requestId, endpointId: 'fal-ai/flux/dev', usd: 0.075, units: 3, unitPrice: 0.025 },
    ]);
  });

  it('models: search, one model with its OpenAPI input schema, unknown ids; prices', async () => {
    const s = await falSim();
    const c = falClient(s);
    const found = await c.searchModels('video');
    expect(found.models.map((m) => m.endpointId)).toEqual(['fal-ai/kling-video/v2.1/master/text-to-video']);
    expect(found.models[0]).toMatchObject({ displayName: 'Kling 2.1 Master', category: 'text-to-video', durationEstimateMin: 4 });
    const { model, schema } = await c.getModel('fal:fal-ai/flux/dev');
    expect(model.displayName).toBe('FLUX.1 [dev]');
    expect(schema.input).toMatchObject({ required: ['prompt'], 'x-fal-order-properties': expect.arrayContaining(['prompt', 'image_size']) });
    expect((schema.input as any).properties.num_inference_steps).toMatchObject({ default: 28, minimum: 1, maximum: 50 });
    expect(schema.output).toMatchObject({ required: expect.arrayContaining(['images']) });
    expect(schema.components.ImageSize).toBeDefined();
    const missing = await c.getModel('nobody/nothing').then(
      () => null,
      (e: unknown) => e,
    );
    expect([(missing as ProviderError).code]).toEqual(['not_found']);
    expect(await c.pricing(['fal-ai/flux/schnell', 'nobody/nothing'])).toEqual([
      { endpointId: 'fal-ai/flux/schnell', unitPrice: 0.003, unit: 'image', currency: 'USD' },
    ]);
    expect(await c.pricing(['nobody/nothing'])).toEqual([]);
    // A 404 for a whole batch (fal may refuse it for one unknown id): split, so the known ids keep their prices.
    s.control.loadScenario({
      faults: [
        { endpoint: 'platform', kind: 'reply', reply: { status: 404, body: JSON.stringify({ error: { type: 'not_found', message: 'No pricing found' } }) } },
      ],
    });
    const before = s.control.counters().byEndpoint['platform.pricing'] ?? 0;
    expect((await c.pricing(['fal-ai/flux/schnell', 'nobody/nothing', 'fal-ai/flux/dev'])).map((p) => p.endpointId)).toEqual([
      'fal-ai/flux/schnell',
      'fal-ai/flux/dev',
    ]);
    expect((s.control.counters().byEndpoint['platform.pricing'] ?? 0) - before).toBe(3);
    // Search works without a key; prices do not.
    const anon = falClient(s, { getKey: async () => null });
    expect((await anon.searchModels('flux')).models).toHaveLength(2);
    expect(((await anon.pricing(['fal-ai/flux/dev']).catch((e: unknown) => e)) as ProviderError).code).toBe('auth');
  });
});
