import { afterAll, afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import sharp from 'sharp';
import path from 'node:path';
import { call, setup, until, type Harness } from '../engine/harness.ts';
import { tempDir, removeTempDirs } from '../../unit/history-helpers.ts';

afterAll(removeTempDirs);

// The history and media channels end to end: the engine runs predictions on the simulator over
// real HTTP, the vault saves the outputs, and everything is read back through the contract.

const MODEL = 'black-forest-labs/flux-schnell';
const quick = { [MODEL]: { coldBootMs: 200, runMs: 300 } };

const harnesses: Harness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});
async function start(extra: Parameters<typeof setup>[0] = {}) {
  const h = await setup({ scenario: { models: quick }, ...extra });
  harnesses.push(h);
  return h;
}

async function runSaved(h: Harness, prompts: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const prompt of prompts) ids.push(...(await call(h.backend, 'predictions:create', { model: MODEL, input: { prompt, num_outputs: 1 } })).ids);
  const history = h.backend.services.history;
  await until(() => ids.every((id) => history.get(id)?.saveState === 'saved'), 30_000, `saved (${ids.map((id) => history.get(id)?.saveState).join(',')})`);
  return ids;
}

const err = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('expected a failure');
};

describe('history channels against the simulator', () => {
  it('list, get, counts, search, favourite, delete with undo', async () => {
    const h = await start();
    const [a, b, c] = await runSaved(h, ['a red fox in snow', 'a lighthouse at dusk', 'a bowl of ramen']);
    const list = await call(h.backend, 'predictions:list', { limit: 2 });
    expect(list.items.map((i: { id: string }) => i.id)).toEqual([c, b]);
    const rest = await call(h.backend, 'predictions:list', { limit: 2, cursor: list.nextCursor });
    expect(rest.items.map((i: { id: string }) => i.id)).toEqual([a]);
    expect(rest.nextCursor).toBeNull();
    expect((await call(h.backend, 'predictions:list', { query: 'lighthouse' })).items.map((i: { id: string }) => i.id)).toEqual([b]);
    const v = await call(h.backend, 'predictions:get', { id: a });
    expect(v).toMatchObject({ prompt: 'a red fox in snow', status: 'succeeded', saveState: 'saved', expiresAt: null });
    expect(v.outputs[0]).toMatchObject({ kind: 'image', state: 'saved' });
    expect(fs.existsSync(h.backend.services.vault.resolve(v.outputs[0].path)!)).toBe(true);
    expect(await call(h.backend, 'predictions:counts', {})).toEqual({ total: 3, byStatus: { succeeded: 3 }, favourites: 0 });

    await call(h.backend, 'predictions:favourite', { id: b, favourite: true });
    const del = await call(h.backend, 'predictions:delete', { ids: [a, b, c] });
    expect(del).toMatchObject({ deleted: 2, skippedFavourites: 1 });
    expect(h.events.some((e) => e.event === 'predictions:removed')).toBe(true);
    expect((await call(h.backend, 'predictions:counts', {})).total).toBe(1);
    expect((await err(call(h.backend, 'predictions:get', { id: a }))).code).toBe('not_found');
    expect(fs.existsSync(h.backend.services.vault.resolve(v.outputs[0].path)!)).toBe(false);
    expect(await call(h.backend, 'predictions:undoDelete', { undoToken: del.undoToken })).toEqual({ restored: 2 });
    expect((await call(h.backend, 'predictions:get', { id: a })).outputs[0].state).toBe('saved');
    expect(fs.existsSync(h.backend.services.vault.resolve(v.outputs[0].path)!)).toBe(true);
    expect((await err(call(h.backend, 'predictions:favourite', { id: 'nope', favourite: true }))).code).toBe('not_found');
  });

  it('export with no destination on a fresh data dir makes its folder; an unwritable one is a clear error, not a crash', async () => {
    const h = await start();
    await runSaved(h, ['a paper lantern']);
    const out = await call(h.backend, 'predictions:export', {});
    expect(out.path.startsWith(path.join(h.dataDir, 'exports'))).toBe(true);
    expect(fs.statSync(out.path).size).toBeGreaterThan(0);
    const blocker = path.join(h.dataDir, 'not-a-dir');
    fs.writeFileSync(blocker, 'x');
    const e = await err(call(h.backend, 'predictions:export', { dest: path.join(blocker, 'x.zip') }));
    expect(e.code).toBe('bad_request');
    expect(e.message).toMatch(/Export failed/);
    expect((await call(h.backend, 'predictions:counts', {})).total).toBe(1); // still answering
  });

  it('deleting a running prediction cancels it at the provider and stops following it', async () => {
    const h = await start({ scenario: { models: { [MODEL]: { coldBootMs: 600_000, runMs: 300 } } } });
    const { ids } = await call(h.backend, 'predictions:create', { model: MODEL, input: { prompt: 'a slow cold boot' } });
    const id = ids[0]!;
    const providerId = await until(() => h.backend.services.history.get(id)?.providerId, 10_000, 'created');
    await call(h.backend, 'predictions:delete', { ids: [id] });
    const remote = () => h.sim.control.predictions().find((p: { id: string }) => p.id === providerId) as { status: string } | undefined;
    await until(() => remote()?.status === 'canceled', 10_000, `canceled remotely (${remote()?.status})`);
    expect(h.backend.services.engine.inFlight()).toBe(0);
  });

  it('a file deleted outside the app shows as missing and is re-downloaded; after retention it is expired', async () => {
    const h = await start();
    const [id] = await runSaved(h, ['a tiny cabin']);
    const rel = (await call(h.backend, 'predictions:get', { id })).outputs[0].path;
    const abs = h.backend.services.vault.resolve(rel)!;
    fs.rmSync(abs);
    expect((await call(h.backend, 'predictions:list', {})).items[0].outputs[0].state).toBe('missing'); // noticed on the first page
    expect((await call(h.backend, 'predictions:get', { id })).outputs[0].state).toBe('missing');
    await call(h.backend, 'predictions:redownload', { id });
    await until(() => h.backend.services.history.getOutputs(id!)[0]!.state === 'saved', 10_000, 'redownloaded');
    expect(fs.existsSync(abs)).toBe(true);

    h.sim.control.advance(2 * 60 * 60 * 1000); // past Replicate's one-hour retention
    fs.rmSync(abs);
    expect((await call(h.backend, 'predictions:get', { id })).outputs[0].state).toBe('missing');
    await call(h.backend, 'predictions:redownload', { id });
    await until(() => h.backend.services.history.get(id!)!.saveState === 'expired', 10_000, 'expired');
    expect(h.backend.services.history.getOutputs(id!)[0]!.state).toBe('expired');
  });

  it('export to a zip and a folder, import into another data dir, re-import adds no duplicates', async () => {
    const h = await start();
    const ids = await runSaved(h, ['export me one', 'export me two']);
    const out = tempDir('kiln-export-');
    const zip = path.join(out, 'all.zip');
    expect(await call(h.backend, 'predictions:export', { dest: zip })).toEqual({ path: zip, count: 2 });
    const folder = path.join(out, 'one');
    expect((await call(h.backend, 'predictions:export', { ids: [ids[0]], dest: folder })).count).toBe(1);
    expect(JSON.parse(fs.readFileSync(path.join(folder, 'manifest.json'), 'utf8')).predictions).toHaveLength(1);
    expect((await err(call(h.backend, 'predictions:export', { dest: zip }))).code).toBe('bad_request'); // never overwrites

    const h2 = await start({ sim: h.sim });
    expect(await call(h2.backend, 'predictions:import', { path: folder })).toEqual({ imported: 1, skipped: 0 });
    expect(await call(h2.backend, 'predictions:import', { path: zip })).toEqual({ imported: 1, skipped: 1 });
    expect(await call(h2.backend, 'predictions:import', { path: zip })).toEqual({ imported: 0, skipped: 2 });
    for (const id of ids) {
      const v = await call(h2.backend, 'predictions:get', { id });
      expect(v.outputs[0].state).toBe('saved');
      expect(fs.existsSync(h2.backend.services.vault.resolve(v.outputs[0].path)!)).toBe(true);
    }
    expect((await call(h2.backend, 'predictions:list', { query: 'export' })).items).toHaveLength(2);
    const missing = await err(call(h2.backend, 'predictions:import', { path: path.join(out, 'missing.zip') }));
    expect(missing.code).toBe('bad_request');
    // Plain words and the user's own path, never a raw ENOENT or an internal temp path.
    expect(missing.message).toContain(path.join(out, 'missing.zip'));
    expect(missing.message).not.toMatch(/ENOENT|realpath|\.vault-tmp/);
    const empty = fs.mkdtempSync(path.join(out, 'not-an-export-'));
    const notExport = await err(call(h2.backend, 'predictions:import', { path: empty }));
    expect(notExport.message).toMatch(/manifest\.json/);
    expect(notExport.message).not.toMatch(/ENOENT|lstat|\.vault-tmp/);
  });
});

describe('media channels', () => {
  it('stages a file, refuses paths outside the vault, says clearly when there is no platform adapter', async () => {
    const h = await start();
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==', 'base64');
    const staged = await call(h.backend, 'files:stage', { name: 'dot.png', mime: 'image/png', dataBase64: png.toString('base64') });
    expect(staged.ref).toMatch(/^kiln-file:/);
    expect(staged.size).toBe(png.length);
    expect(h.backend.services.vault.resolveStaged(staged.ref)?.mime).toBe('image/png');
    expect((await err(call(h.backend, 'media:reveal', { path: '../history.db' }))).code).toBe('forbidden');
    expect((await err(call(h.backend, 'media:openDefault', { path: staged.path }))).message).toMatch(/only available in the desktop app/);
    const usage = await call(h.backend, 'storage:usage', {});
    expect(usage.byKind.input).toEqual({ files: 1, bytes: png.length });
    expect(usage.database).toBeGreaterThan(0);
    expect(await call(h.backend, 'storage:clear', { what: 'thumbnails' })).toEqual({ freedBytes: 0 });
  });

  it('routes media actions through the platform adapter with the absolute vault path', async () => {
    const h = await start();
    const seen: string[] = [];
    h.backend.services.platform = {
      reveal: async (p) => void seen.push(`reveal ${p}`),
      saveAs: async (p) => (seen.push(`saveAs ${p}`), '/tmp/chosen.png'),
      copyImage: async (p) => void seen.push(`copy ${p}`),
      openPath: async (p) => void seen.push(`open ${p}`),
      openExternal: async () => {},
      notify: () => {},
      isFocused: () => true,
    };
    const staged = await call(h.backend, 'files:stage', { name: 'a.txt', mime: 'text/plain', dataBase64: Buffer.from('hi').toString('base64') });
    const abs = fs.realpathSync(path.join(h.backend.services.vault.root, staged.path));
    await call(h.backend, 'media:reveal', { path: staged.path });
    expect(await call(h.backend, 'media:saveAs', { path: staged.path })).toEqual({ saved: true, path: '/tmp/chosen.png' });
    await call(h.backend, 'media:copyImage', { path: staged.path });
    await call(h.backend, 'media:openDefault', { path: staged.path });
    expect(seen).toEqual([`reveal ${abs}`, `saveAs ${abs}`, `copy ${abs}`, `open ${abs}`]);
    expect((await err(call(h.backend, 'media:reveal', { path: 'inputs/nothing.png' }))).code).toBe('not_found');

    // A picture past what a preview may decode is not decoded for the clipboard either.
    const huge = await sharp({ create: { width: 6000, height: 6000, channels: 3, background: '#c81e1e' }, limitInputPixels: false })
      .gif()
      .toBuffer();
    const bomb = await call(h.backend, 'files:stage', { name: 'huge.gif', mime: 'image/gif', dataBase64: huge.toString('base64') });
    const refused = await err(call(h.backend, 'media:copyImage', { path: bomb.path }));
    expect(refused).toMatchObject({ code: 'too_large' });
    expect(refused.message).toMatch(/6000×6000\) is too large to copy.*Save as/);
    expect(seen).toHaveLength(4);
  });
});
