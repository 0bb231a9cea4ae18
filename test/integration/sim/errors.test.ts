import { describe, expect, it } from 'vitest';
import { FLUX, sim } from './helpers.ts';

describe('errors as problem details', () => {
  it('401 without a token and with a bad one; the legacy "Token" scheme works', async () => {
    const s = await sim();
    const none = await fetch(`${s.baseUrl}/account`);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ title: 'Unauthenticated', detail: 'You did not pass an authentication token', status: 401 });
    const bad = await s.api('/account', { headers: { authorization: 'Bearer r8_wrong' } });
    expect(bad.status).toBe(401);
    expect((await bad.json()).detail).toBe('You did not pass a valid authentication token');
    expect(bad.headers.get('content-type')).toBe('application/problem+json');
    const legacy = await s.api('/account', { headers: { authorization: `Token ${s.token}` } });
    expect(legacy.status).toBe(200);
    expect((await legacy.json()).username).toBe('kiln-tester');
  });

  it('402 on create when the account has no credit', async () => {
    const s = await sim({ scenario: { credit: false } });
    const r = await s.api(FLUX, { method: 'POST', json: { input: { prompt: 'x' } } });
    expect(r.status).toBe(402);
    expect(await r.json()).toMatchObject({ title: 'Insufficient credit', status: 402 });
    expect(s.control.predictions()).toHaveLength(0);
  });

  it('404 for unknown models, predictions and routes', async () => {
    const s = await sim();
    for (const [path, init] of [
      ['/models/nobody/nothing', {}],
      ['/models/nobody/nothing/predictions', { method: 'POST', json: { input: {} } }],
      ['/predictions/doesnotexist', {}],
      ['/no/such/route', {}],
      ['/predictions/%E0%A4%A', {}],
    ] as const) {
      const r = await s.api(path, init as any);
      expect(r.status, path).toBe(404);
      expect((await r.json()).title).toBe('Not found');
    }
  });

  it('422 invalid_fields for required, enum, min/max and type', async () => {
    const s = await sim();
    const r = await s.api(FLUX, { method: 'POST', json: { input: { aspect_ratio: '7:5', num_outputs: 9, num_inference_steps: 0, seed: 'abc' } } });
    expect(r.status).toBe(422);
    const body = await r.json();
    expect(body.title).toBe('Input validation failed');
    const byField = Object.fromEntries(body.invalid_fields.map((f: any) => [f.field, f]));
    expect(byField.input).toEqual({ type: 'required', field: 'input', description: 'prompt is required' });
    expect(byField['input.aspect_ratio'].type).toBe('enum');
    expect(byField['input.aspect_ratio'].description).toContain('"16:9"');
    expect(byField['input.num_outputs']).toEqual({ type: 'number_lte', field: 'input.num_outputs', description: 'Must be less than or equal to 4' });
    expect(byField['input.num_inference_steps'].type).toBe('number_gte');
    expect(byField['input.seed']).toEqual({ type: 'invalid_type', field: 'input.seed', description: 'Invalid type. Expected: integer, given: string' });
    expect(body.detail).toContain('- input.num_outputs: Must be less than or equal to 4\n');
    expect(s.control.counters().createsByInputHash).toEqual({});
  });

  it('422 additional_property_not_allowed when version is sent to the models endpoint', async () => {
    const s = await sim();
    const r = await s.api(FLUX, { method: 'POST', json: { version: 'abc', input: { prompt: 'x' } } });
    expect(r.status).toBe(422);
    expect((await r.json()).invalid_fields).toEqual([
      { type: 'additional_property_not_allowed', field: '(root)', description: 'Additional property version is not allowed' },
    ]);
  });

  it('resolves version as owner/name (official only), owner/name:hash and bare hash', async () => {
    const s = await sim();
    const sdxl = await (await s.api('/models/stability-ai/sdxl')).json();
    const hash = sdxl.latest_version.id;
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const create = (version: string) => s.api('/predictions', { method: 'POST', json: { version, input: { prompt: 'x' } } });
    const notOfficial = await create('stability-ai/sdxl');
    expect(notOfficial.status).toBe(422);
    expect((await notOfficial.json()).title).toBe('Invalid version or not permitted');
    const full = await create(`stability-ai/sdxl:${hash}`);
    expect(full.status).toBe(201);
    expect((await full.json()).version).toBe(hash);
    const bare = await create(hash);
    expect((await bare.json()).model).toBe('stability-ai/sdxl');
    expect((await create(`stability-ai/sdxl:${'0'.repeat(64)}`)).status).toBe(422);
    const official = await create('black-forest-labs/flux-schnell');
    expect(official.status).toBe(201);
    expect((await official.json()).version).toBe('hidden');
    expect((await s.api('/models/stability-ai/sdxl/predictions', { method: 'POST', json: { input: {} } })).status).toBe(404);
  });

  it('creates through a deployment', async () => {
    const s = await sim({ scenario: { deployments: { 'acme/fast-images': 'black-forest-labs/flux-schnell' } } });
    const r = await s.api('/deployments/acme/fast-images/predictions', { method: 'POST', json: { input: { prompt: 'x' } } });
    expect(r.status).toBe(201);
    expect(await r.json()).toMatchObject({ model: 'black-forest-labs/flux-schnell', deployment: 'acme/fast-images' });
    expect((await s.api('/deployments/acme/nope/predictions', { method: 'POST', json: { input: {} } })).status).toBe(404);
  });

  it('413 for uploads over the size limit', async () => {
    const s = await sim({ scenario: { maxFileBytes: 1000 } });
    const form = new FormData();
    form.set('content', new Blob([new Uint8Array(5000)], { type: 'image/png' }), 'big.png');
    const r = await s.api('/files', { method: 'POST', body: form });
    expect(r.status).toBe(413);
    expect((await r.json()).detail).toBe('Files must be less than 100MB in size');
  });
});
