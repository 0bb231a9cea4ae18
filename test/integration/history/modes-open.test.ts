import { afterAll, afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { call, setup, until, type Harness } from '../engine/harness.ts';
import { openHistory } from '../../../electron/backend/history/store.ts';
import { createNodeDeps } from '../../../electron/backend/node-deps.ts';
import { createBackend } from '../../../electron/backend/index.ts';
import { manualClock, recordingLog, tempDir, removeTempDirs } from '../../unit/history-helpers.ts';

afterAll(removeTempDirs);

// Item 9: the data folder is owner-only (0700 folders, 0600 files), for a new folder and for one an
// older version left readable. Item 8: "Open with default app" never opens a program file.

const harnesses: Harness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});
const mode = (p: string) => fs.statSync(p).mode & 0o777;
const MODEL = 'black-forest-labs/flux-schnell';

describe.skipIf(process.platform === 'win32')('owner-only data folder', () => {
  it('a new data folder: folders 0700, database, settings, secrets and saved media 0600', async () => {
    const dir = path.join(tempDir('kiln-modes-'), 'Kiln');
    const deps = createNodeDeps({ dataDir: dir, mode: 'memory', env: {}, log: recordingLog() });
    const b = await createBackend(deps);
    await deps.secrets.set('replicate', 'r8_abcdefghijklmnop');
    deps.settings.set({ theme: 'dark' });
    await b.services.vault.stageInput(
      'a.png',
      'image/png',
      Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==', 'base64'),
    );
    b.services.history.insertIntent({ id: 'm1', provider: 'replicate', model: 'x/y', version: null, target: 'model', input: {} });
    for (const d of [dir, path.join(dir, 'media'), path.join(dir, 'media', 'inputs'), path.join(dir, '.vault-tmp')])
      expect([d, mode(d).toString(8)]).toEqual([d, '700']);
    for (const f of ['history.db', 'history.db-wal', 'history.db-shm', 'settings.json', 'secrets.json'])
      expect([f, mode(path.join(dir, f)).toString(8)]).toEqual([f, '600']);
    const input = fs.readdirSync(path.join(dir, 'media', 'inputs'))[0]!;
    expect(mode(path.join(dir, 'media', 'inputs', input)).toString(8)).toBe('600');
    await b.stop();
  });

  it('a folder an older version left readable is fixed on open, media included', async () => {
    const dir = tempDir('kiln-modes-');
    fs.chmodSync(dir, 0o755);
    openHistory({ dataDir: dir, log: recordingLog(), clock: manualClock() }).close();
    fs.chmodSync(path.join(dir, 'history.db'), 0o644);
    fs.writeFileSync(path.join(dir, 'settings.json'), '{}', { mode: 0o644 });
    fs.writeFileSync(path.join(dir, 'secrets.json'), '{}', { mode: 0o644 });
    fs.mkdirSync(path.join(dir, 'media', '2025', '01'), { recursive: true, mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'media', '2025', '01', 'old.png'), 'x', { mode: 0o644 });
    const h = await setup({ dataDirOverride: dir });
    harnesses.push(h);
    expect(mode(dir).toString(8)).toBe('700');
    for (const f of ['history.db', 'settings.json', 'secrets.json']) expect([f, mode(path.join(dir, f)).toString(8)]).toEqual([f, '600']);
    await until(() => mode(path.join(dir, 'media', '2025', '01', 'old.png')) === 0o600, 5000, 'old media tightened');
    expect(mode(path.join(dir, 'media', '2025')).toString(8)).toBe('700');
    // An output saved now is owner-only from the start.
    const { ids } = await call(h.backend, 'predictions:create', { model: MODEL, input: { prompt: 'modes', num_outputs: 1 } });
    await until(() => h.backend.services.history.get(ids[0])?.saveState === 'saved', 30_000, 'saved');
    const out = h.backend.services.history.getOutputs(ids[0])[0]!;
    expect(mode(h.backend.services.vault.resolve(out.path!)!).toString(8)).toBe('600');
    if (out.thumbPath) expect(mode(h.backend.services.vault.resolve(out.thumbPath)!).toString(8)).toBe('600');
  });
});

describe('open with the default app', () => {
  it('refuses program files (staged, saved by an older version, or sniffed) and anything outside the vault', async () => {
    const h = await setup();
    harnesses.push(h);
    const opened: string[] = [];
    h.backend.services.platform = {
      reveal: async () => {},
      saveAs: async () => null,
      copyImage: async () => {},
      openPath: async (p) => void opened.push(p),
      openExternal: async () => {},
      notify: () => {},
      isFocused: () => true,
    };
    const bat = await call(h.backend, 'files:stage', {
      name: 'evil.bat',
      mime: 'application/x-bat',
      dataBase64: Buffer.from('@echo off\r\ndel /q *\r\n').toString('base64'),
    });
    expect(path.extname(bat.path)).toBe('.bin'); // staged under a neutral name
    const root = h.backend.services.vault.root;
    fs.mkdirSync(path.join(root, '2025', '01'), { recursive: true });
    fs.writeFileSync(path.join(root, '2025', '01', 'out-0.exe'), 'MZ');
    fs.writeFileSync(path.join(root, '2025', '01', 'out-1.txt'), 'hello');
    for (const p of [bat.path, '2025/01/out-0.exe', '../history.db']) {
      const env = await h.backend.invoke('media:openDefault', { path: p });
      expect(env.ok).toBe(false);
      expect(!env.ok && env.error.code).toBe('forbidden');
    }
    expect(opened).toEqual([]);
    await call(h.backend, 'media:openDefault', { path: '2025/01/out-1.txt' });
    expect(opened).toHaveLength(1);
  });
});
