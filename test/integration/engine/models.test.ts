import { afterEach, describe, expect, it } from 'vitest';
import { call, setup, until, type Harness } from './harness.ts';
import { buildFormFields } from '../../../shared/schema-form.ts';

// models:* handlers through the contract against the simulator: what the composer's model picker
// and input form need.

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

describe('models handlers', () => {
  it('featured, search, get (with the input schema) and versions', async () => {
    h = await setup();
    const featured = await call(h.backend, 'models:featured', {});
    expect(featured.map((m: { ref: string }) => m.ref)).toContain('black-forest-labs/flux-schnell');
    const found = await call(h.backend, 'models:search', { query: 'flux' });
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((m: { ref: string }) => /^[^/]+\/[^/]+$/.test(m.ref))).toBe(true);
    const detail = await call(h.backend, 'models:get', { ref: 'black-forest-labs/flux-schnell' });
    expect(detail.inputSchema?.properties).toHaveProperty('prompt');
    expect(detail.official).toBe(true);
    // Enums are $refs into components.schemas: they must still become choices in the form.
    const aspect = buildFormFields(detail.inputSchema).find((f) => f.name === 'aspect_ratio');
    expect(aspect?.kind).toBe('enum');
    expect(aspect?.options).toContain('16:9');
    const versions = await call(h.backend, 'models:versions', { ref: 'stability-ai/sdxl' });
    expect(versions.length).toBeGreaterThan(0);
    const pinned = await call(h.backend, 'models:get', { ref: 'stability-ai/sdxl', version: versions[0].id });
    expect(pinned.inputSchema).not.toBeNull();
    expect(pinned.official).toBe(false);
    const missing = await call(h.backend, 'models:get', { ref: 'nobody/nothing' }).catch((e) => e);
    expect(missing.code).toBe('not_found');
  });

  it('create after models:get keeps the input schema snapshot with the prediction; a retry keeps it too', async () => {
    h = await setup({
      scenario: { models: { 'black-forest-labs/flux-schnell': { coldBootMs: 100, runMs: 200 }, 'stability-ai/sdxl': { coldBootMs: 100, runMs: 200 } } },
    });
    const history = h.backend.services.history;
    // Not looked at through models:get: nothing to snapshot.
    const before = await call(h.backend, 'predictions:create', { model: 'black-forest-labs/flux-schnell', input: { prompt: 'no schema yet' } });
    expect(history.get(before.ids[0])!.inputSchema).toBeNull();

    const detail = await call(h.backend, 'models:get', { ref: 'black-forest-labs/flux-schnell' });
    const { ids } = await call(h.backend, 'predictions:create', { model: 'black-forest-labs/flux-schnell', input: { prompt: 'with schema' } });
    expect(history.get(ids[0])!.inputSchema).toEqual(detail.inputSchema);
    await until(() => history.get(ids[0])!.status === 'succeeded', 10_000, 'succeeded');
    const retry = await call(h.backend, 'predictions:retry', { id: ids[0] });
    expect(history.get(retry.id)!.inputSchema).toEqual(detail.inputSchema);

    // A pinned version: the snapshot of that version, found by model + version id.
    const versions = await call(h.backend, 'models:versions', { ref: 'stability-ai/sdxl' });
    const pinned = await call(h.backend, 'models:get', { ref: 'stability-ai/sdxl', version: versions[0].id });
    const p = await call(h.backend, 'predictions:create', { model: `stability-ai/sdxl:${versions[0].id}`, input: { prompt: 'pinned' } });
    expect(history.get(p.ids[0])!.inputSchema).toEqual(pinned.inputSchema);
  });
});
