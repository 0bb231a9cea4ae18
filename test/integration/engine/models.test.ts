import { afterEach, describe, expect, it } from 'vitest';
import { call, setup, type Harness } from './harness.ts';
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
});
