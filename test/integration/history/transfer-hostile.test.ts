import { afterAll, afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { Zip, ZipDeflate, strToU8, unzipSync, zipSync } from 'fflate';
import sharp from 'sharp';
import { openHistory } from '../../../electron/backend/history/store.ts';
import type { HistoryStoreFull } from '../../../electron/backend/history/types.ts';
import { exportHistory, importHistory } from '../../../electron/backend/transfer/transfer.ts';
import { LIMITS } from '../../../shared/limits.ts';
import { boundLogs } from '../../../electron/backend/providers/bounds.ts';
import { boundText, NO_ERROR_MESSAGE } from '../../../electron/backend/engine/record-rules.ts';
import { call, setup, sleep, type Harness } from '../engine/harness.ts';
import { manualClock, recordingLog, tempDir, removeTempDirs } from '../../unit/history-helpers.ts';

afterAll(removeTempDirs);

// Import then export with hostile archives (issue 10, item 2): an import must not smuggle a path
// to secrets.json or outside the data folder into the history, must not follow a link, must not
// fetch anything on its own, and is bounded; an export must never write outside its destination
// or include anything that is not a regular file of the vault.

const SECRET = 'r8_THIS_IS_THE_API_KEY_0123456789';
const opened: HistoryStoreFull[] = [];
const harnesses: Harness[] = [];
afterEach(async () => {
  for (const h of opened.splice(0)) h.close();
  for (const h of harnesses.splice(0)) await h.close();
});

/** A data folder as the app lays it out: history, media vault, and secrets.json beside them. */
function world() {
  const dir = path.join(tempDir('kiln-hostile-'), 'data');
  fs.mkdirSync(dir);
  const h = openHistory({ dataDir: dir, log: recordingLog(), clock: manualClock() });
  opened.push(h);
  const root = path.join(dir, 'media');
  fs.mkdirSync(root, { recursive: true });
  fs.writeFileSync(path.join(dir, 'secrets.json'), JSON.stringify({ replicate: SECRET }));
  return { dir, h, root, tmp: path.join(dir, 'tmp') };
}

const manifestOf = (predictions: unknown[], inputFiles: unknown[] = []) => ({ format: 'kiln-history', version: 1, exportedAt: 1, inputFiles, predictions });
const run = (id: string, extra: Record<string, unknown> = {}, outputs: unknown[] = []) => ({
  record: { id, provider: 'replicate', model: 'x/y', createdAt: 1, input: { prompt: id }, status: 'succeeded', ...extra },
  outputs,
});
function zipOf(dir: string, files: Record<string, Uint8Array>): string {
  const file = path.join(dir, `a-${Math.random().toString(36).slice(2)}.zip`);
  fs.writeFileSync(file, zipSync(files));
  return file;
}
/** Every file under a folder (relative), to prove nothing landed where it should not. */
function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => !e.isDirectory())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

describe('import then export cannot leak', () => {
  it('input-file paths naming secrets.json or outside the data folder never reach the history or an export', async () => {
    const w = world();
    const outside = path.join(path.dirname(w.dir), 'outside.txt');
    fs.writeFileSync(outside, 'a file outside the data folder');
    const manifest = manifestOf(
      [
        run('p1', { input: { prompt: 'x', image: 'kiln-file:aa', mask: 'kiln-file:bb', ref: 'kiln-file:cc' } }, [
          { index: 0, kind: 'image', state: 'saved', path: '../secrets.json', thumbPath: null },
        ]),
      ],
      [
        { id: 'aa', path: '../secrets.json', mime: 'application/json', size: 10 },
        { id: 'bb', path: '../../outside.txt', mime: 'text/plain', size: 10 },
        { id: 'cc', path: outside, mime: 'text/plain', size: 10 },
      ],
    );
    const zip = zipOf(tempDir(), { 'manifest.json': strToU8(JSON.stringify(manifest)) });
    await importHistory({ history: w.h, vaultRoot: w.root, source: zip, tmpParent: w.tmp });
    for (const id of ['aa', 'bb', 'cc']) expect(w.h.getInputFile(id)).toBeNull();

    // "Export all", as a zip: only manifest.json and media/<clean vault path> entries, and no secret.
    const out = path.join(tempDir(), 'all.zip');
    await exportHistory({ history: w.h, vaultRoot: w.root, dest: out, now: 2 });
    const entries = unzipSync(fs.readFileSync(out));
    for (const [name, bytes] of Object.entries(entries)) {
      expect(name === 'manifest.json' || /^media\/(?!.*\.\.)/.test(name)).toBe(true);
      expect(Buffer.from(bytes).toString('utf8')).not.toContain(SECRET);
    }
    // As a folder: nothing written beside the destination.
    const parent = tempDir();
    const dest = path.join(parent, 'export');
    await exportHistory({ history: w.h, vaultRoot: w.root, dest, now: 3 });
    expect(fs.readdirSync(parent)).toEqual(['export']);
    expect(filesUnder(dest).every((f) => !f.includes('secrets'))).toBe(true);
  });

  it('an export written from a history an older import poisoned still contains only vault files', async () => {
    const w = world();
    // Rows as today's import left them: raw paths pointing out of the vault, and a link in the vault.
    w.h.addInputFile({ id: 'dd', path: '../secrets.json', name: null, mime: 'application/json', size: 1, sha256: null, createdAt: 1 });
    w.h.insertIntent({ id: 'p2', provider: 'replicate', model: 'x/y', version: null, target: 'model', input: { image: 'kiln-file:dd' } });
    fs.mkdirSync(path.join(w.root, '2026/01/p2'), { recursive: true });
    fs.symlinkSync(path.join(w.dir, 'secrets.json'), path.join(w.root, '2026/01/p2/out-0.png'));
    w.h.setOutputs('p2', [
      {
        index: 0,
        kind: 'image',
        state: 'saved',
        remoteUrl: null,
        path: '2026/01/p2/out-0.png',
        thumbPath: '../../../up.webp',
        mime: 'image/png',
        size: 1,
        width: 1,
        height: 1,
        sha256: null,
        error: null,
      },
    ]);
    const out = path.join(tempDir(), 'poisoned.zip');
    await exportHistory({ history: w.h, vaultRoot: w.root, dest: out, now: 2 });
    expect(Object.keys(unzipSync(fs.readFileSync(out)))).toEqual(['manifest.json']);
    const parent = tempDir();
    await exportHistory({ history: w.h, vaultRoot: w.root, dest: path.join(parent, 'e'), now: 3 });
    expect(filesUnder(parent)).toEqual([path.join('e', 'manifest.json')]);
  });

  it('a folder import never follows a symlink (file or folder) to a file outside the archive', async () => {
    const w = world();
    const secretElsewhere = path.join(tempDir(), 'id_rsa');
    fs.writeFileSync(secretElsewhere, 'PRIVATE KEY');
    const src = tempDir('kiln-hostile-src-');
    fs.mkdirSync(path.join(src, 'media', 'inputs'), { recursive: true });
    fs.symlinkSync(secretElsewhere, path.join(src, 'media', 'inputs', 'aa.png'));
    fs.symlinkSync(path.dirname(secretElsewhere), path.join(src, 'media', '2026'));
    const manifest = manifestOf(
      [run('p3', { input: { image: 'kiln-file:aa' } }, [{ index: 0, kind: 'file', state: 'saved', path: '2026/id_rsa', thumbPath: null }])],
      [{ id: 'aa', path: 'inputs/aa.png', mime: 'image/png', size: 11 }],
    );
    fs.writeFileSync(path.join(src, 'manifest.json'), JSON.stringify(manifest));
    const r = await importHistory({ history: w.h, vaultRoot: w.root, source: src, tmpParent: w.tmp });
    expect(r.imported).toBe(1);
    expect(w.h.getInputFile('aa')).toBeNull(); // a Retry has nothing to upload
    expect(filesUnder(w.root)).toEqual([]);
    expect(w.h.getOutputs('p3')[0]).toMatchObject({ state: 'missing' });
  });

  it('a manifest.json that is a symlink is refused', async () => {
    const w = world();
    const src = tempDir('kiln-hostile-src-');
    const real = path.join(tempDir(), 'm.json');
    fs.writeFileSync(real, JSON.stringify(manifestOf([run('p4')])));
    fs.symlinkSync(real, path.join(src, 'manifest.json'));
    await expect(importHistory({ history: w.h, vaultRoot: w.root, source: src, tmpParent: w.tmp })).rejects.toThrow(/regular file/);
  });

  it('executable names in an archive never land in the vault', async () => {
    const w = world();
    const manifest = manifestOf([run('p5', {}, [{ index: 0, kind: 'file', state: 'saved', path: '2026/01/p5/out-0.exe', thumbPath: null }])]);
    const zip = zipOf(tempDir(), { 'manifest.json': strToU8(JSON.stringify(manifest)), 'media/2026/01/p5/out-0.exe': strToU8('MZ...') });
    await importHistory({ history: w.h, vaultRoot: w.root, source: zip, tmpParent: w.tmp });
    expect(filesUnder(w.root)).toEqual([]);
    expect(w.h.getOutputs('p5')[0]).toMatchObject({ path: null, state: 'missing' });
  });

  it('nothing in an imported manifest is fetched until the user asks (URLs, unfinished runs)', async () => {
    const seen: string[] = [];
    const counting: typeof fetch = (input, init) => {
      seen.push(String(input instanceof Request ? input.url : input));
      return fetch(input, init);
    };
    const h = await setup({ fetch: counting });
    harnesses.push(h);
    const origin = new URL(h.sim.baseUrl).origin;
    const manifest = manifestOf([
      // Allowed by the download policy (the provider's origin), so only "not without the user" stops it.
      run('u1', { output: [`${origin}/tracker/pixel-1.png`] }, []),
      run('u2', { output: [`${origin}/tracker/pixel-2.png`] }, [
        { index: 0, kind: 'image', state: 'pending', remoteUrl: `${origin}/tracker/pixel-2.png`, path: null, thumbPath: null },
      ]),
      run(
        'u3',
        {
          status: 'processing',
          providerId: 'imported-xyz',
          urls: { get: `${origin}/tracker/get`, stream: `${origin}/tracker/stream`, web: 'https://replicate.com/p/imported-xyz' },
        },
        [],
      ),
    ]);
    const zip = zipOf(tempDir(), { 'manifest.json': strToU8(JSON.stringify(manifest)) });
    expect(await call(h.backend, 'predictions:import', { path: zip })).toEqual({ imported: 3, skipped: 0 });
    await h.restart(); // the start after an import is when left-over saves and runs are resumed
    await sleep(1500);
    expect(seen.filter((u) => u.includes('/tracker/') || u.includes('imported-xyz'))).toEqual([]);
    const history = h.backend.services.history;
    expect(history.get('u3')).toMatchObject({ status: 'failed', error: { code: 'imported' } });
    expect(history.getOutputs('u1')[0]).toMatchObject({ state: 'missing' });
    // The user's Re-download is the action that may fetch it.
    await call(h.backend, 'predictions:redownload', { id: 'u2' });
    await sleep(500);
    expect(seen.some((u) => u.includes('/tracker/pixel-2.png'))).toBe(true);
  });
});

describe('an imported run owns only its own files', () => {
  it("an output, thumbnail or input naming another run's file is missing, and deleting the import leaves that file alone", async () => {
    const h = await setup();
    harnesses.push(h);
    const history = h.backend.services.history as HistoryStoreFull;
    const root = h.backend.services.vault.root;
    const jan2025 = Date.UTC(2025, 0, 15);
    const put = (rel: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), text);
    };
    const saved = (p: string, thumb: string | null) => ({
      index: 0,
      kind: 'image' as const,
      state: 'saved' as const,
      remoteUrl: null,
      path: p,
      thumbPath: thumb,
      mime: 'image/png',
      size: 6,
      width: 1,
      height: 1,
      sha256: null,
      error: null,
    });
    // Two runs of this history with their files where the vault put them: a UUID-named one, and one
    // whose id an older import let in with a "." (its folder is x_y, as dirFor names it).
    for (const [id, dir] of [
      ['victim', '2025/01/victim'],
      ['x.y', '2025/01/x_y'],
    ] as const) {
      history.insertIntent({ id, provider: 'replicate', model: 'x/y', version: null, target: 'model', input: {}, createdAt: jan2025 });
      history.update(id, { status: 'succeeded', saveState: 'saved' });
      put(`${dir}/out-0.png`, `${id}-png`);
      put(`thumbs/${dir}/out-0.webp`, `${id}-thumb`);
      history.setOutputs(id, [saved(`${dir}/out-0.png`, `thumbs/${dir}/out-0.webp`)]);
    }
    put('inputs/aa.png', 'aa-input');
    history.addInputFile({ id: 'aa', path: 'inputs/aa.png', name: null, mime: 'image/png', size: 8, sha256: null, createdAt: 1 });
    // A run whose history row was lost (its file is still in its own folder): that file is its own.
    put('2025/01/orphan/out-0.png', 'orphan-png');

    const out = (p: string, thumb: string | null) => ({ index: 0, kind: 'image', state: 'saved', path: p, thumbPath: thumb });
    const manifest = manifestOf(
      [
        run('evil', { createdAt: jan2025, input: { image: 'kiln-file:bb' } }, [out('2025/01/victim/out-0.png', 'thumbs/2025/01/victim/out-0.webp')]),
        run('x_y', { createdAt: jan2025 }, [out('2025/01/x_y/out-0.png', 'thumbs/2025/01/x_y/out-0.webp')]),
        run('orphan', { createdAt: jan2025 }, [out('2025/01/orphan/out-0.png', null)]),
      ],
      [{ id: 'bb', path: 'inputs/aa.png', mime: 'image/png', size: 8 }],
    );
    const zip = zipOf(tempDir(), {
      'manifest.json': strToU8(JSON.stringify(manifest)),
      'media/2025/01/victim/out-0.png': strToU8('evil-png'),
      'media/inputs/aa.png': strToU8('evil-input'),
    });
    expect(await call(h.backend, 'predictions:import', { path: zip })).toEqual({ imported: 3, skipped: 0 });
    for (const id of ['evil', 'x_y']) expect(history.getOutputs(id)[0]).toMatchObject({ state: 'missing', path: null, thumbPath: null });
    expect(history.getOutputs('orphan')[0]).toMatchObject({ state: 'saved', path: '2025/01/orphan/out-0.png' });
    expect(history.getInputFile('bb')).toBeNull();

    await call(h.backend, 'predictions:delete', { ids: ['evil', 'x_y'] });
    for (const [id, dir] of [
      ['victim', '2025/01/victim'],
      ['x.y', '2025/01/x_y'],
    ] as const) {
      expect(fs.readFileSync(path.join(root, dir, 'out-0.png'), 'utf8')).toBe(`${id}-png`);
      expect(fs.readFileSync(path.join(root, 'thumbs', dir, 'out-0.webp'), 'utf8')).toBe(`${id}-thumb`);
      expect(history.getOutputs(id)[0]).toMatchObject({ state: 'saved', path: `${dir}/out-0.png` });
    }
    expect(fs.readFileSync(path.join(root, 'inputs/aa.png'), 'utf8')).toBe('aa-input');
  });
});

describe('an imported run is bounded like a live run', () => {
  it('logs, text, error and notes are cut as the engine cuts them', async () => {
    const w = world();
    const logs = `${'L'.repeat(LIMITS.runLogChars * 2)}the end`;
    const text = 'T'.repeat(LIMITS.runTextChars + 10);
    const message = 'E'.repeat(LIMITS.errorTextChars * 4);
    const manifest = manifestOf([
      run(
        'big',
        { logs, text, error: { code: 'E1234', message }, note: 'N'.repeat(LIMITS.errorTextChars * 2), userNotes: 'U'.repeat(LIMITS.promptChars + 1) },
        [{ index: 0, kind: 'text', state: 'failed', path: null, thumbPath: null, error: 'D'.repeat(LIMITS.errorTextChars * 2) }],
      ),
      run('small', { status: 'failed', logs: 'a log', text: 'hi', error: { code: null, message: '' }, note: 'a note' }),
    ]);
    const src = tempDir('kiln-hostile-src-'); // a folder: a zip of this much repetition is refused as a bomb
    fs.writeFileSync(path.join(src, 'manifest.json'), JSON.stringify(manifest));
    expect(await importHistory({ history: w.h, vaultRoot: w.root, source: src, tmpParent: w.tmp })).toEqual({ imported: 2, skipped: 0 });
    const big = w.h.get('big')!;
    expect(big.logs).toBe(boundLogs(logs));
    expect(big.logs.length).toBeLessThanOrEqual(LIMITS.runLogChars);
    expect(big.logs.endsWith('the end')).toBe(true); // the tail is what is kept
    expect(big.text).toBe(boundText(text).text);
    expect(big.note).toBe(boundText(text).note); // the card says the text was cut
    expect(big.error).toEqual({ code: 'E1234', message: message.slice(0, LIMITS.errorTextChars) });
    expect(big.userNotes!.length).toBe(LIMITS.promptChars);
    expect(w.h.getOutputs('big')[0]!.error!.length).toBe(LIMITS.errorTextChars);
    expect(w.h.get('small')).toMatchObject({ logs: 'a log', text: 'hi', note: 'a note', error: { code: null, message: NO_ERROR_MESSAGE } });
  });

  it('a run whose input is over the run limits, or whose fields have the wrong type or value, is refused', async () => {
    const w = world();
    const out = (extra: Record<string, unknown>) => ({ index: 0, kind: 'image', state: 'saved', path: null, thumbPath: null, ...extra });
    const hostile: [string, unknown[], unknown[]?][] = [
      ['promptChars', [run('r1', { input: { prompt: 'p'.repeat(LIMITS.promptChars + 1) } })]],
      ['runInputBytes', [run('r2', { input: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`f${i}`, 'x'.repeat(100_000)])) })]],
      ['id must be', [run('../../x')]],
      ['status', [run('r3', { status: 5 })]],
      ['logs', [run('r4', { logs: { lines: ['x'] } })]],
      ['text', [run('r5', { text: ['x'] })]],
      ['error', [run('r6', { error: 'boom' })]],
      ['createdAt', [run('r7', { createdAt: 'yesterday' })]],
      ['favourite', [run('r8', { favourite: 'yes' })]],
      ['kind', [run('r9', {}, [out({ kind: 'exe' })])]],
      ['state', [run('r10', {}, [out({ state: 'owned' })])]],
      ['mime', [run('r11', {}, [out({ mime: { evil: true } })])]],
      ['index', [run('r12', {}, [out({}), out({})])]],
      ['mime', [], [{ id: 'ab', path: 'inputs/ab.png', mime: 'm'.repeat(1000), size: 1 }]],
    ];
    for (const [field, predictions, inputFiles] of hostile) {
      const src = tempDir('kiln-hostile-src-');
      fs.writeFileSync(path.join(src, 'manifest.json'), JSON.stringify(manifestOf(predictions, inputFiles)));
      await expect(importHistory({ history: w.h, vaultRoot: w.root, source: src, tmpParent: w.tmp }), field).rejects.toThrow(new RegExp(field));
    }
    expect(w.h.allIds()).toEqual([]);
    expect(w.h.getInputFile('ab')).toBeNull();
  });
});

describe('archive import bounds', () => {
  it('a small zip that inflates enormously is refused while inflating, before it is all written', async () => {
    const w = world();
    const zeros = new Uint8Array(24 * 1024 * 1024); // deflates ~1000:1, beyond the 200:1 allowance
    const zip = zipOf(tempDir(), { 'manifest.json': strToU8(JSON.stringify(manifestOf([]))), 'media/2026/01/b/out-0.png': zeros });
    expect(fs.statSync(zip).size).toBeLessThan(1024 * 1024);
    await expect(importHistory({ history: w.h, vaultRoot: w.root, source: zip, tmpParent: w.tmp })).rejects.toThrow(new RegExp(`${LIMITS.archive.ratio}×`));
    expect(filesUnder(w.root)).toEqual([]);
    expect(fs.readdirSync(w.tmp)).toEqual([]); // the half-extracted folder is gone
  });

  it('entries that declare no sizes (data descriptor) are bounded by the bytes they really inflate to, archive-wide', async () => {
    const w = world();
    // fflate's streaming Zip (what Kiln's own export uses) writes every entry with flag bit 3 and
    // zero sizes in the local header: the sizes come after the data, too late to judge by.
    const chunks: Uint8Array[] = [];
    const zip = new Zip((err, chunk) => {
      if (err) throw err;
      chunks.push(chunk);
    });
    const add = (name: string, bytes: Uint8Array) => {
      const e = new ZipDeflate(name, { level: 9 });
      zip.add(e);
      e.push(bytes, true);
    };
    add('manifest.json', strToU8(JSON.stringify(manifestOf([]))));
    // 40 entries of 1 MB of zeros: each under the per-entry allowance (the archive's size × 200),
    // together 40 MB from ~40 KB, a thousand times the archive.
    const mb = new Uint8Array(1024 * 1024);
    for (let i = 0; i < 40; i++) add(`media/2026/01/b/out-${i}.png`, mb);
    zip.end();
    const file = path.join(tempDir(), 'descriptors.zip');
    fs.writeFileSync(file, Buffer.concat(chunks));
    const bytes = fs.readFileSync(file);
    expect(bytes.readUInt16LE(6) & 8).toBe(8); // general purpose flag: data descriptor
    expect(bytes.readUInt32LE(18)).toBe(0); // no compressed size declared
    expect(bytes.length).toBeLessThan(64 * 1024);

    await expect(importHistory({ history: w.h, vaultRoot: w.root, source: file, tmpParent: w.tmp })).rejects.toThrow(
      new RegExp(`expands more than ${LIMITS.archive.ratio}× its`),
    );
    expect(w.h.allIds()).toEqual([]);
    expect(filesUnder(w.root)).toEqual([]);
    expect(fs.readdirSync(w.tmp)).toEqual([]); // the half-extracted folder is gone
  });

  it('entries and total size are bounded, naming the limit', async () => {
    const w = world();
    const files: Record<string, Uint8Array> = { 'manifest.json': strToU8(JSON.stringify(manifestOf([]))) };
    for (let i = 0; i < 12; i++) files[`media/x/${i}.bin`] = strToU8(`file ${i}`);
    const many = zipOf(tempDir(), files);
    const small = { ...LIMITS.archive, entries: 10 };
    await expect(importHistory({ history: w.h, vaultRoot: w.root, source: many, tmpParent: w.tmp, limits: small })).rejects.toThrow(/more than 10 entries/);
    const big = zipOf(tempDir(), {
      'manifest.json': strToU8(JSON.stringify(manifestOf([]))),
      'media/x/a.bin': new Uint8Array(300_000).map((_, i) => (i * 7919) % 251),
    });
    await expect(
      importHistory({ history: w.h, vaultRoot: w.root, source: big, tmpParent: w.tmp, limits: { ...LIMITS.archive, totalBytes: 100_000 } }),
    ).rejects.toThrow(/97\.7 KB import limit/);
    // A folder import is bounded by what it copies.
    const src = tempDir('kiln-hostile-src-');
    fs.mkdirSync(path.join(src, 'media', '1970', '01', 'f1'), { recursive: true }); // the run's own folder (created at 1 ms)
    fs.writeFileSync(path.join(src, 'media', '1970', '01', 'f1', 'out-0.png'), new Uint8Array(300_000));
    fs.writeFileSync(
      path.join(src, 'manifest.json'),
      JSON.stringify(manifestOf([run('f1', {}, [{ index: 0, kind: 'image', state: 'saved', path: '1970/01/f1/out-0.png', thumbPath: null }])])),
    );
    await expect(
      importHistory({ history: w.h, vaultRoot: w.root, source: src, tmpParent: w.tmp, limits: { ...LIMITS.archive, totalBytes: 100_000 } }),
    ).rejects.toThrow(/97\.7 KB limit/);
  });

  it("an archive's picture sizes and thumbnails are its claims: sizes come from the files, a thumbnail that is not Kiln's is made again, a bomb gets none", async () => {
    const w = world();
    const solid = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: '#1e64c8' }, limitInputPixels: false });
    const bomb = await solid(6000, 6000).gif().toBuffer(); // ~25 KB, decoded whole: 36 MP
    const photo = await solid(800, 600).png().toBuffer();
    const bigPng = await solid(2000, 2000).png().toBuffer();
    const kilnThumb = await solid(512, 384).webp().toBuffer();
    const out = (dir: string, thumb: boolean) => ({
      index: 0,
      kind: 'image',
      state: 'saved',
      path: `${dir}/out-0.${dir.endsWith('b1') ? 'gif' : 'png'}`,
      thumbPath: thumb ? `thumbs/${dir}/out-0.webp` : null,
      width: 100, // the claim
      height: 100,
    });
    const zip = zipOf(tempDir('kiln-hostile-zip-'), {
      'manifest.json': strToU8(
        JSON.stringify(
          manifestOf([run('b1', {}, [out('1970/01/b1', true)]), run('p1', {}, [out('1970/01/p1', true)]), run('k1', {}, [out('1970/01/k1', true)])]),
        ),
      ),
      // A bomb, and a "thumbnail" that is the same bomb under a .webp name.
      'media/1970/01/b1/out-0.gif': bomb,
      'media/thumbs/1970/01/b1/out-0.webp': bomb,
      // A photo whose thumbnail is a 2000×2000 PNG: not what Kiln makes, so made again.
      'media/1970/01/p1/out-0.png': photo,
      'media/thumbs/1970/01/p1/out-0.webp': bigPng,
      // A photo with a thumbnail as Kiln makes them: kept as it came.
      'media/1970/01/k1/out-0.png': photo,
      'media/thumbs/1970/01/k1/out-0.webp': kilnThumb,
    });
    expect(await importHistory({ history: w.h, vaultRoot: w.root, source: zip, tmpParent: w.tmp })).toEqual({ imported: 3, skipped: 0 });

    expect(w.h.getOutputs('b1')[0]).toMatchObject({ state: 'saved', width: 6000, height: 6000, thumbPath: null });
    expect(fs.existsSync(path.join(w.root, 'thumbs/1970/01/b1/out-0.webp'))).toBe(false);

    const p1 = w.h.getOutputs('p1')[0]!;
    expect(p1).toMatchObject({ state: 'saved', width: 800, height: 600, thumbPath: 'thumbs/1970/01/p1/out-0.webp' });
    const remade = await sharp(path.join(w.root, p1.thumbPath!)).metadata();
    expect([remade.format, remade.width, remade.height]).toEqual(['webp', 512, 384]);

    const k1 = w.h.getOutputs('k1')[0]!;
    expect(k1).toMatchObject({ width: 800, height: 600, thumbPath: 'thumbs/1970/01/k1/out-0.webp' });
    expect(fs.readFileSync(path.join(w.root, k1.thumbPath!)).equals(kilnThumb)).toBe(true);
  });

  it('a manifest that would parse into more objects and arrays than its bound is refused before it is parsed', async () => {
    // A 1.5 MB zip of 268 MB of `{},` ran the process out of memory after 94 s (7 GB).
    const w = world();
    const swarm = `{"format":"kiln-history","version":1,"exportedAt":1,"inputFiles":[],"predictions":[${'{},'.repeat(2_000)}{}]}`;
    const zip = zipOf(tempDir('kiln-hostile-zip-'), { 'manifest.json': strToU8(swarm) });
    const limits = { ...LIMITS.archive, manifestShape: { containers: 1_000, depth: 64 } };
    await expect(importHistory({ history: w.h, vaultRoot: w.root, source: zip, tmpParent: w.tmp, limits })).rejects.toThrow(
      /more than 1,000 objects and arrays/,
    );
    const deep = `{"format":"kiln-history","version":1,"exportedAt":1,"inputFiles":[],"predictions":[${'['.repeat(100)}${']'.repeat(100)}]}`;
    const deepZip = zipOf(tempDir('kiln-hostile-zip-'), { 'manifest.json': strToU8(deep) });
    await expect(importHistory({ history: w.h, vaultRoot: w.root, source: deepZip, tmpParent: w.tmp, limits })).rejects.toThrow(/nested more than 64 deep/);
  });
});
