import { describe, expect, it } from 'vitest';
import { falSim } from './helpers.ts';

describe('fal simulator: platform API', () => {
  it('models: search by text and category, cursor pages, OpenAPI on expand; the key is optional', async () => {
    const s = await falSim();
    const anon = await fetch(`${s.apiUrl}/models?q=flux`);
    const found: any = await anon.json();
    expect(found.models.map((m: any) => m.endpoint_id)).toEqual(['fal-ai/flux/dev', 'fal-ai/flux/schnell']);
    expect(found.models[0].metadata).toMatchObject({ display_name: 'FLUX.1 [dev]', category: 'text-to-image', status: 'active' });
    expect('openapi' in found.models[0]).toBe(false);
    const video = await (await s.api(`${s.apiUrl}/models?category=text-to-video`)).json();
    expect(video.models.map((m: any) => m.endpoint_id)).toEqual(['fal-ai/kling-video/v2.1/master/text-to-video']);
    const p1 = await (await s.api(`${s.apiUrl}/models?limit=2`)).json();
    expect([p1.models.length, p1.has_more]).toEqual([2, true]);
    const p2 = await (await s.api(`${s.apiUrl}/models?limit=2&cursor=${encodeURIComponent(p1.next_cursor)}`)).json();
    expect(p2.models[0].endpoint_id).not.toBe(p1.models[0].endpoint_id);

    const one = await (await s.api(`${s.apiUrl}/models?endpoint_id=fal-ai/esrgan&expand=openapi-3.0`)).json();
    const doc = one.models[0].openapi;
    expect(doc.openapi).toBe('3.0.4');
    expect(doc.paths['/fal-ai/esrgan'].post.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/FalAiEsrganInput');
    const input = doc.components.schemas.FalAiEsrganInput;
    expect(input.required).toEqual(['image_url']);
    expect(input['x-fal-order-properties']).toEqual(['image_url', 'scale', 'model', 'face']);
    expect(doc.servers).toEqual([{ url: s.queueUrl }]);
    const flux = (await (await s.api(`${s.apiUrl}/models?endpoint_id=fal-ai/flux/dev&expand=openapi-3.0`)).json()).models[0].openapi;
    expect(flux.components.schemas.FalAiFluxDevInput.properties.image_size.anyOf[0]).toEqual({ $ref: '#/components/schemas/ImageSize' });
    const bad = await s.api(`${s.apiUrl}/models`, { headers: { authorization: 'Key nope:nope' } });
    expect([bad.status, await bad.json()]).toEqual([401, { error: { type: 'authorization_error', message: 'No user found for Key ID and Secret' } }]);
  });

  it('pricing and estimates need the key', async () => {
    const s = await falSim();
    expect((await fetch(`${s.apiUrl}/models/pricing?endpoint_id=fal-ai/flux/dev`)).status).toBe(401);
    const p = await (
      await s.api(`${s.apiUrl}/models/pricing?endpoint_id=fal-ai/flux/dev,fal-ai/kling-video/v2.1/master/text-to-video&endpoint_id=nobody/nothing`)
    ).json();
    expect(p.prices).toEqual([
      { endpoint_id: 'fal-ai/flux/dev', unit_price: 0.025, unit: 'image', currency: 'USD' },
      { endpoint_id: 'fal-ai/kling-video/v2.1/master/text-to-video', unit_price: 0.28, unit: 'second', currency: 'USD' },
    ]);
    expect((await s.api(`${s.apiUrl}/models/pricing?endpoint_id=nobody/nothing`)).status).toBe(404);
    const e = await (
      await s.api(`${s.apiUrl}/models/pricing/estimate`, {
        method: 'POST',
        json: { estimate_type: 'unit_price', endpoints: { 'fal-ai/flux/dev': { unit_quantity: 4 } } },
      })
    ).json();
    expect(e).toEqual({ estimate_type: 'unit_price', total_cost: 0.1, currency: 'USD' });
  });

  it("request history: this key's requests to one endpoint, newest first, with payloads on expand", async () => {
    const s = await falSim({ scenario: { otherAccountKeys: ['b:b'], endpoints: { 'fal-ai/flux/schnell': { startupMs: 0, runMs: 1_000 } } } });
    s.control.freeze();
    const t0 = new Date(s.control.now()).toISOString();
    const a = await s.submit('fal-ai/flux/schnell', { prompt: 'first', seed: 1 });
    s.control.advance(1_500);
    const b = await s.submit('fal-ai/flux/schnell', { prompt: 'second' });
    await s.submit('fal-ai/flux/schnell', { prompt: 'not stored' }, { 'x-fal-store-io': '0' });
    await s.api(`${s.queueUrl}/fal-ai/flux/schnell`, { method: 'POST', json: { prompt: 'other key' }, headers: { authorization: 'Key b:b' } });
    await s.submit('fal-ai/flux/dev', { prompt: 'other endpoint' });
    const h = await (await s.api(`${s.apiUrl}/models/requests/by-endpoint?endpoint_id=fal-ai/flux/schnell&expand=payloads&start=${t0}`)).json();
    expect(h.items.map((i: any) => i.json_input?.prompt ?? null)).toEqual([null, 'second', 'first']);
    expect(h.items[1]).toMatchObject({ request_id: b.request_id, started_at: expect.any(String), ended_at: null, status_code: null, duration: null });
    expect(h.items[2]).toMatchObject({ request_id: a.request_id, status_code: 200, duration: 1, json_input: { prompt: 'first', seed: 1 } });
    expect(h.items[2].json_output.images).toHaveLength(1);
    const plain = await (await s.api(`${s.apiUrl}/models/requests/by-endpoint?endpoint_id=fal-ai/flux/schnell&status=success`)).json();
    expect(plain.items.map((i: any) => [i.request_id, 'json_input' in i])).toEqual([[a.request_id, false]]);
    s.control.loadScenario({ historyIncludesPending: false, historyDelayMs: 10_000 });
    const later = await (await s.api(`${s.apiUrl}/models/requests/by-endpoint?endpoint_id=fal-ai/flux/schnell`)).json();
    expect(later.items).toEqual([]);
    expect((await s.api(`${s.apiUrl}/models/requests/by-endpoint`)).status).toBe(400);
  });
});
