import { afterAll, afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { zipSync, strToU8 } from 'fflate';
import { openHistory } from '../../../electron/backend/history/store.ts';
import type { HistoryStoreFull } from '../../../electron/backend/history/types.ts';
import { exportHistory, importHistory } from '../../../electron/backend/transfer/transfer.ts';
import { manualClock, recordingLog, tempDir, removeTempDirs } from '../../unit/history-helpers.ts';

afterAll(removeTempDirs);

// Export/import on real files, including hostile archives: nothing may land outside the vault.

const opened: HistoryStoreFull[] = [];
afterEach(() => {
  for (const h of opened.splice(0)) h.close();
});
function world() {
  const dir = tempDir('kiln-xfer-');
  const h = openHistory({ dataDir: dir, log: recordingLog(), clock: manualClock() });
  opened.push(h);
  const root = path.join(dir, 'media');
  fs.mkdirSync(root, { recursive: true });
  return { dir, h, root };
}

describe('export / import', () => {
  it('round-trips predictions, outputs, favourites, retry links and the staged inputs they use', async () => {
    const a = world();
    fs.mkdirSync(path.join(a.root, 'inputs'), { recursive: true });
    fs.writeFileSync(path.join(a.root, 'inputs', 'abc123.png'), 'input-bytes');
    a.h.addInputFile({ id: 'abc123', path: 'inputs/abc123.png', name: 'me.png', mime: 'image/png', size: 11, sha256: null, createdAt: 5 });
    a.h.insertIntent({
      id: 'o1',
      provider: 'replicate',
      model: 'owner/m',
      version: 'v',
      target: 'version',
      input: { prompt: 'original', image: 'kiln-file:abc123' },
    });
    a.h.insertIntent({ id: 'o2', provider: 'replicate', model: 'owner/m', version: 'v', target: 'version', input: { prompt: 'retry' }, retryOf: 'o1' });
    a.h.update('o1', { status: 'succeeded', saveState: 'saved', providerId: 'prov-1', logs: 'all good' });
    a.h.setFavourite('o1', true);
    fs.mkdirSync(path.join(a.root, '2023/11/o1'), { recursive: true });
    fs.writeFileSync(path.join(a.root, '2023/11/o1/out-0.webp'), 'webp-bytes');
    fs.writeFileSync(path.join(a.root, '2023/11/o1/out-0.webp.json'), '{}');
    a.h.setOutputs('o1', [
      {
        index: 0,
        kind: 'image',
        state: 'saved',
        remoteUrl: null,
        path: '2023/11/o1/out-0.webp',
        thumbPath: null,
        mime: 'image/webp',
        size: 10,
        width: 1,
        height: 1,
        sha256: null,
        error: null,
      },
    ]);
    const zip = path.join(tempDir(), 'x.zip');
    expect(await exportHistory({ history: a.h, vaultRoot: a.root, dest: zip, now: 1 })).toEqual({ path: zip, count: 2 });

    const b = world();
    expect(await importHistory({ history: b.h, vaultRoot: b.root, source: zip, tmpParent: path.join(b.dir, 'tmp') })).toEqual({ imported: 2, skipped: 0 });
    const o1 = b.h.get('o1')!;
    expect(o1).toMatchObject({ favourite: true, providerId: 'prov-1', logs: 'all good', status: 'succeeded', version: 'v', target: 'version' });
    expect(b.h.view('o2')!.variantCount).toBe(2);
    expect(fs.readFileSync(path.join(b.root, '2023/11/o1/out-0.webp'), 'utf8')).toBe('webp-bytes');
    expect(fs.existsSync(path.join(b.root, '2023/11/o1/out-0.webp.json'))).toBe(true);
    expect(b.h.getInputFile('abc123')?.name).toBe('me.png');
    expect(fs.readFileSync(path.join(b.root, 'inputs/abc123.png'), 'utf8')).toBe('input-bytes');
    expect(fs.readdirSync(path.join(b.dir, 'tmp'))).toEqual([]); // extraction folder cleaned up
    // Same provider id under another Kiln id is still a duplicate.
    const c = world();
    c.h.insertIntent({ id: 'other', provider: 'replicate', model: 'owner/m', version: null, target: 'model', input: {} });
    c.h.update('other', { providerId: 'prov-1' });
    expect(await importHistory({ history: c.h, vaultRoot: c.root, source: zip, tmpParent: path.join(c.dir, 'tmp') })).toEqual({ imported: 1, skipped: 1 });
  });

  it('a hostile archive cannot write outside the vault (zip-slip, ../ paths in the manifest)', async () => {
    const b = world();
    const manifest = {
      format: 'kiln-history',
      version: 1,
      exportedAt: 1,
      inputFiles: [],
      predictions: [
        {
          record: { id: 'evil', provider: 'replicate', model: 'x/y', createdAt: 1, input: {}, status: 'succeeded' },
          outputs: [{ index: 0, kind: 'image', state: 'saved', path: '../../escaped.png', thumbPath: '/etc/passwd' }],
        },
      ],
    };
    const zip = path.join(tempDir(), 'evil.zip');
    fs.writeFileSync(
      zip,
      zipSync({ 'manifest.json': strToU8(JSON.stringify(manifest)), '../../zipslip.txt': strToU8('pwned'), 'media/../../../escaped.png': strToU8('pwned') }),
    );
    const r = await importHistory({ history: b.h, vaultRoot: b.root, source: zip, tmpParent: path.join(b.dir, 'tmp') });
    expect(r.imported).toBe(1);
    const out = b.h.getOutputs('evil')[0]!;
    expect(out.path).toBeNull();
    expect(out.thumbPath).toBeNull(); // an absolute path is refused, not re-rooted
    const parent = path.dirname(b.dir);
    expect(fs.existsSync(path.join(parent, 'zipslip.txt'))).toBe(false);
    expect(fs.existsSync(path.join(b.dir, 'escaped.png'))).toBe(false);
    expect(fs.existsSync(path.join(parent, 'escaped.png'))).toBe(false);
  });

  it('refuses a folder without a valid manifest and never overwrites an export', async () => {
    const a = world();
    const empty = tempDir();
    await expect(importHistory({ history: a.h, vaultRoot: a.root, source: empty, tmpParent: path.join(a.dir, 'tmp') })).rejects.toThrow();
    fs.writeFileSync(path.join(empty, 'manifest.json'), JSON.stringify({ format: 'something-else' }));
    await expect(importHistory({ history: a.h, vaultRoot: a.root, source: empty, tmpParent: path.join(a.dir, 'tmp') })).rejects.toThrow();
    await expect(exportHistory({ history: a.h, vaultRoot: a.root, dest: empty, now: 1 })).rejects.toThrow(/already exists/);
  });
});
