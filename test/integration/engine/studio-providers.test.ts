import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../../replicate-sim/index.ts';
import type { Sim } from '../../replicate-sim/types.ts';
import { startFalSimulator, type FalSim } from '../../fal-sim/index.ts';
import { createBackend, type Backend } from '../../../electron/backend/index.ts';
import { createNodeDeps } from '../../../electron/backend/node-deps.ts';
import { buildFormFields } from '../../../shared/schema-form.ts';
import { FAST_ENGINE, call, silentLog, until } from './harness.ts';

// The studio's two providers through the same backend as browser mode (createNodeDeps: the 0600
// key file, FAL_KEY / REPLICATE_API_TOKEN), against both simulators over real HTTP: one key per
// provider, models searched and loaded from both, and the gallery's provider filter.

interface Both {
  rep: Sim;
  fal: FalSim;
  dataDir: string;
  backend: Backend;
}
let open: Both | null = null;

async function setupBoth(env: Record<string, string> = {}, opts: { falDown?: boolean } = {}): Promise<Both> {
  const rep = await startSimulator({});
  const fal = await startFalSimulator({});
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-providers-'));
  const deps = createNodeDeps({
    dataDir,
    mode: 'memory',
    env,
    log: silentLog,
    engineOptions: FAST_ENGINE,
    replicateBaseUrl: rep.baseUrl,
    falBases: opts.falDown
      ? { queueUrl: 'http://127.0.0.1:9/queue', apiUrl: 'http://127.0.0.1:9/api/v1', storageUrl: 'http://127.0.0.1:9/rest' }
      : { queueUrl: fal.queueUrl, apiUrl: fal.apiUrl, storageUrl: fal.storageUrl },
  });
  const backend = await createBackend(deps);
  await backend.start();
  open = { rep, fal, dataDir, backend };
  return open;
}

afterEach(async () => {
  if (!open) return;
  open.backend.services.engine.kill();
  await open.backend.stop().catch(() => {});
  await open.rep.close().catch(() => {});
  await open.fal.close().catch(() => {});
  fs.rmSync(open.dataDir, { recursive: true, force: true });
  open = null;
});

const invoke = (b: Backend, channel: string, payload: unknown) => b.invoke(channel, payload) as Promise<{ ok: boolean; value?: any; error?: any }>;

describe('keys per provider', () => {
  it('saves, validates, rejects and clears the fal key without touching Replicate’s', async () => {
    const { backend: b, fal, rep, dataDir } = await setupBoth();
    expect(await call(b, 'secrets:status', { provider: 'fal' })).toMatchObject({ set: false, state: 'unchecked', protection: 'file' });

    const saved = await call(b, 'secrets:set', { provider: 'fal', key: fal.key });
    expect(saved).toMatchObject({ set: true, last4: fal.key.slice(-4), state: 'valid', protection: 'file' });
    expect(JSON.stringify(saved)).not.toContain(fal.key);
    expect(await call(b, 'secrets:status', { provider: 'replicate' })).toMatchObject({ set: false });
    // Stored in the 0600 file under its own provider; the status never carries it back.
    const file = path.join(dataDir, 'secrets.json');
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ fal: fal.key });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    // The validating call went to fal's platform API with the key (and created no job).
    expect(fal.control.jobs()).toEqual([]);

    await call(b, 'secrets:set', { provider: 'replicate', key: rep.token });
    expect(await call(b, 'secrets:status', { provider: 'replicate' })).toMatchObject({ set: true, state: 'valid', account: expect.any(String) });
    expect(await call(b, 'secrets:status', { provider: 'fal' })).toMatchObject({ set: true, state: 'valid' });

    // A key fal does not know: saved (offline must not lose a key) but shown as rejected.
    const bad = await call(b, 'secrets:set', { provider: 'fal', key: '00000000-0000-0000-0000-000000000000:deadbeef' });
    expect(bad).toMatchObject({ set: true, last4: 'beef', state: 'rejected' });
    const v = await invoke(b, 'secrets:validate', { provider: 'fal' });
    expect(v.ok).toBe(false);
    expect(v.error.code).toBe('auth');
    expect(await call(b, 'secrets:status', { provider: 'replicate' })).toMatchObject({ set: true, state: 'valid' });

    expect(await call(b, 'secrets:clear', { provider: 'fal' })).toMatchObject({ set: false, last4: null, state: 'unchecked' });
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ replicate: rep.token });
    expect((await invoke(b, 'secrets:validate', { provider: 'fal' })).error.code).toBe('auth');
  });

  it('FAL_KEY owns only fal’s key; REPLICATE_API_TOKEN no longer stops a fal key being saved', async () => {
    const first = await setupBoth({ FAL_KEY: 'placeholder:0000' });
    const falKey = first.fal.key;
    // Restart with the simulator's real key in the environment.
    first.backend.services.engine.kill();
    await first.backend.stop();
    const deps = createNodeDeps({
      dataDir: first.dataDir,
      mode: 'memory',
      env: { FAL_KEY: ` ${falKey} ` },
      log: silentLog,
      replicateBaseUrl: first.rep.baseUrl,
      falBases: { queueUrl: first.fal.queueUrl, apiUrl: first.fal.apiUrl, storageUrl: first.fal.storageUrl },
    });
    const b = (first.backend = await createBackend(deps));
    expect(await call(b, 'secrets:status', { provider: 'fal' })).toMatchObject({ set: true, protection: 'env', last4: falKey.slice(-4) });
    expect((await call(b, 'secrets:validate', { provider: 'fal' })).type).toBe('key');
    expect((await invoke(b, 'secrets:set', { provider: 'fal', key: 'another:key12345' })).error).toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining('FAL_KEY'),
    });
    expect(await call(b, 'secrets:set', { provider: 'replicate', key: first.rep.token })).toMatchObject({ set: true, protection: 'file', state: 'valid' });

    await b.stop();
    const withToken = createNodeDeps({
      dataDir: first.dataDir,
      mode: 'memory',
      env: { REPLICATE_API_TOKEN: first.rep.token },
      log: silentLog,
      replicateBaseUrl: first.rep.baseUrl,
      falBases: { queueUrl: first.fal.queueUrl, apiUrl: first.fal.apiUrl, storageUrl: first.fal.storageUrl },
    });
    const b2 = (first.backend = await createBackend(withToken));
    expect(await call(b2, 'secrets:status', { provider: 'replicate' })).toMatchObject({ set: true, protection: 'env' });
    expect(await call(b2, 'secrets:set', { provider: 'fal', key: falKey })).toMatchObject({ set: true, protection: 'file', state: 'valid' });
    expect((await invoke(b2, 'secrets:clear', { provider: 'replicate' })).error.message).toContain('REPLICATE_API_TOKEN');
  });
});

describe('models from both providers', () => {
  it('search and featured merge both; a fal ref loads fal’s OpenAPI input schema, kept for offline', async () => {
    const { backend: b, fal, rep } = await setupBoth();
    await call(b, 'secrets:set', { provider: 'replicate', key: rep.token });
    await call(b, 'secrets:set', { provider: 'fal', key: fal.key });

    const found: { ref: string; provider: string }[] = await call(b, 'models:search', { query: 'flux' });
    expect(found.some((m) => m.provider === 'replicate' && m.ref === 'black-forest-labs/flux-schnell')).toBe(true);
    expect(found.find((m) => m.ref === 'fal:fal-ai/flux/dev')).toMatchObject({ provider: 'fal', name: 'FLUX.1 [dev]', owner: 'fal-ai' });
    // Interleaved: both providers show near the top.
    expect(new Set(found.slice(0, 2).map((m) => m.provider))).toEqual(new Set(['replicate', 'fal']));

    const featured: { ref: string; provider: string }[] = await call(b, 'models:featured', {});
    expect(featured.filter((m) => m.provider === 'fal').map((m) => m.ref)).toEqual([
      'fal:fal-ai/flux/schnell',
      'fal:fal-ai/flux/dev',
      'fal:fal-ai/esrgan',
      'fal:fal-ai/kling-video/v2.1/master/text-to-video',
    ]);
    expect(featured.some((m) => m.provider === 'replicate')).toBe(true);

    const d = await call(b, 'models:get', { ref: 'fal:fal-ai/flux/dev' });
    expect(d).toMatchObject({ ref: 'fal:fal-ai/flux/dev', provider: 'fal', official: true, latestVersionId: null });
    const fields = buildFormFields(d.inputSchema);
    expect(fields.map((f) => f.name).slice(0, 2)).toEqual(['prompt', 'image_size']);
    expect(fields.find((f) => f.name === 'image_size')!.kind).toBe('size'); // fal's presets or a width × height
    expect(await call(b, 'models:versions', { ref: 'fal:fal-ai/flux/dev' })).toEqual([]);

    // The schema snapshot goes with a fal run created after models:get.
    const { ids } = await call(b, 'predictions:create', { model: 'fal:fal-ai/flux/schnell', input: { prompt: 'no snapshot' } });
    expect(b.services.history.get(ids[0])!.inputSchema).toBeNull();
    const { ids: withSchema } = await call(b, 'predictions:create', { model: 'fal:fal-ai/flux/dev', input: { prompt: 'with snapshot' } });
    expect(b.services.history.get(withSchema[0])!).toMatchObject({ provider: 'fal', model: 'fal-ai/flux/dev', inputSchema: d.inputSchema });

    // fal unreachable: search answers with Replicate's results, the fal schema from the kept copy.
    await fal.close();
    const onlyReplicate: { provider: string }[] = await call(b, 'models:search', { query: 'flux' });
    expect(onlyReplicate.length).toBeGreaterThan(0);
    expect(onlyReplicate.every((m) => m.provider === 'replicate')).toBe(true);
    expect(await call(b, 'models:get', { ref: 'fal:fal-ai/flux/dev' })).toMatchObject({ provider: 'fal', offline: true, inputSchema: d.inputSchema });
    // Replicate unreachable too: the error of the first provider, not an empty list.
    await rep.close();
    expect((await invoke(b, 'models:search', { query: 'flux' })).error.code).toBe('network');
  });

  it('Replicate without a key does not hide fal’s results, and the other way round', async () => {
    const { backend: b, fal } = await setupBoth();
    // No key at all: fal's model search needs none; Replicate answers 401.
    const noKeys: { provider: string; ref: string }[] = await call(b, 'models:search', { query: 'flux' });
    expect(noKeys.length).toBeGreaterThan(0);
    expect(noKeys.every((m) => m.provider === 'fal')).toBe(true);
    const featured: { provider: string }[] = await call(b, 'models:featured', {});
    expect(featured.every((m) => m.provider === 'fal')).toBe(true);
    await call(b, 'secrets:set', { provider: 'fal', key: fal.key });
    expect((await call(b, 'models:get', { ref: 'fal:fal-ai/esrgan' })).provider).toBe('fal');
  });

  it('fal unreachable from the start: Replicate’s search and featured list still answer', async () => {
    const { backend: b, rep } = await setupBoth({}, { falDown: true });
    await call(b, 'secrets:set', { provider: 'replicate', key: rep.token });
    const found: { provider: string }[] = await call(b, 'models:search', { query: 'flux' });
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((m) => m.provider === 'replicate')).toBe(true);
    expect((await call(b, 'models:featured', {})).length).toBeGreaterThan(0);
    expect((await invoke(b, 'models:get', { ref: 'fal:fal-ai/flux/dev' })).error.code).toBe('network');
  });
});

describe('gallery provider filter', () => {
  it('predictions:list filters by provider and by a full fal reference', async () => {
    const { backend: b, fal, rep } = await setupBoth();
    await call(b, 'secrets:set', { provider: 'replicate', key: rep.token });
    await call(b, 'secrets:set', { provider: 'fal', key: fal.key });
    const r = (await call(b, 'predictions:create', { model: 'black-forest-labs/flux-schnell', input: { prompt: 'on replicate' } })).ids[0];
    const f = (await call(b, 'predictions:create', { model: 'fal:fal-ai/flux/schnell', input: { prompt: 'on fal' } })).ids[0];
    await until(() => b.services.history.get(f)?.providerId, 10_000, 'fal submitted');
    const ids = async (filter: object) => (await call(b, 'predictions:list', filter)).items.map((p: { id: string }) => p.id);
    expect(new Set(await ids({}))).toEqual(new Set([r, f]));
    expect(await ids({ provider: 'fal' })).toEqual([f]);
    expect(await ids({ provider: 'replicate' })).toEqual([r]);
    expect(await ids({ model: 'fal:fal-ai/flux/schnell' })).toEqual([f]);
    expect(await ids({ model: 'black-forest-labs/flux-schnell' })).toEqual([r]);
    expect((await invoke(b, 'predictions:list', { provider: 'openai' })).error.code).toBe('bad_request');
  });
});
