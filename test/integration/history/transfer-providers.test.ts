import { afterAll, afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { openHistory } from '../../../electron/backend/history/store.ts';
import type { HistoryStoreFull } from '../../../electron/backend/history/types.ts';
import { exportHistory, importHistory } from '../../../electron/backend/transfer/transfer.ts';
import { LIMITS } from '../../../shared/limits.ts';
import { manualClock, recordingLog, tempDir, removeTempDirs } from '../../unit/history-helpers.ts';

afterAll(removeTempDirs);

// Export/import carry the provider (ARCHITECTURE.md, "Fixed interfaces"): a fal run exported from one data folder comes back
// a fal run in another, beside Replicate's; a hostile archive naming fal is confined and bounded
// like any other.

const opened: HistoryStoreFull[] = [];
afterEach(() => {
  for (const h of opened.splice(0)) h.close();
});
function world() {
  const dir = path.join(tempDir('kiln-xfer-prov-'), 'data');
  fs.mkdirSync(dir);
  const h = openHistory({ dataDir: dir, log: recordingLog(), clock: manualClock() });
  opened.push(h);
  const root = path.join(dir, 'media');
  fs.mkdirSync(root, { recursive: true });
  fs.writeFileSync(path.join(dir, 'secrets.json'), JSON.stringify({ fal: 'fal-id:fal-secret' }));
  return { dir, h, root, tmp: path.join(dir, 'tmp') };
}
const manifestOf = (predictions: unknown[]) => ({ format: 'kiln-history', version: 1, exportedAt: 1, inputFiles: [], predictions });
function zipOf(files: Record<string, Uint8Array>): string {
  const file = path.join(tempDir(), `a-${Math.random().toString(36).slice(2)}.zip`);
  fs.writeFileSync(file, zipSync(files));
  return file;
}

describe('export / import with fal runs', () => {
  it('round-trips a fal run (provider, endpoint, request id, logs, files) beside a Replicate run', async () => {
    const a = world();
    a.h.insertIntent({ id: 'f1', provider: 'fal', model: 'fal-ai/flux/dev', version: null, target: 'model', input: { prompt: 'a fox in snow' } });
    a.h.update('f1', { status: 'succeeded', saveState: 'saved', providerId: '7c0d2c5e-0000-4000-8000-000000000001', logs: 'step 1/28' });
    a.h.insertIntent({ id: 'r1', provider: 'replicate', model: 'owner/m', version: 'v', target: 'version', input: { prompt: 'a harbour' } });
    a.h.update('r1', { status: 'succeeded', saveState: 'saved', providerId: 'prov-r1' });
    fs.mkdirSync(path.join(a.root, '2023/11/f1'), { recursive: true });
    fs.writeFileSync(path.join(a.root, '2023/11/f1/out-0.jpg'), 'jpeg-bytes');
    a.h.setOutputs('f1', [
      {
        index: 0,
        kind: 'image',
        state: 'saved',
        remoteUrl: 'https://v3.fal.media/files/penguin/Xq3vYb1.jpeg',
        path: '2023/11/f1/out-0.jpg',
        thumbPath: null,
        mime: 'image/jpeg',
        size: 10,
        width: 1,
        height: 1,
        sha256: null,
        error: null,
      },
    ]);

    for (const dest of [path.join(tempDir(), 'x.zip'), path.join(tempDir(), 'folder-export')]) {
      await exportHistory({ history: a.h, vaultRoot: a.root, dest, now: 1 });
      const b = world();
      expect(await importHistory({ history: b.h, vaultRoot: b.root, source: dest, tmpParent: b.tmp })).toEqual({ imported: 2, skipped: 0 });
      expect(b.h.get('f1')).toMatchObject({
        provider: 'fal',
        model: 'fal-ai/flux/dev',
        providerId: '7c0d2c5e-0000-4000-8000-000000000001',
        logs: 'step 1/28',
        status: 'succeeded',
        saveState: 'saved',
      });
      expect(b.h.view('f1')).toMatchObject({ provider: 'fal' });
      expect(b.h.get('r1')).toMatchObject({ provider: 'replicate', model: 'owner/m' });
      expect(b.h.getOutputs('f1')[0]).toMatchObject({ state: 'saved', path: '2023/11/f1/out-0.jpg' });
      expect(fs.readFileSync(path.join(b.root, '2023/11/f1/out-0.jpg'), 'utf8')).toBe('jpeg-bytes');
      // Importing the same export again changes nothing (the fal request id is a duplicate too).
      expect(await importHistory({ history: b.h, vaultRoot: b.root, source: dest, tmpParent: b.tmp })).toEqual({ imported: 0, skipped: 2 });
    }
  });

  it('a manifest naming a provider Kiln does not know is refused whole', async () => {
    const w = world();
    const zip = zipOf({
      'manifest.json': strToU8(JSON.stringify(manifestOf([{ record: { id: 'e1', provider: 'evil', model: 'x', createdAt: 1, input: {} }, outputs: [] }]))),
    });
    await expect(importHistory({ history: w.h, vaultRoot: w.root, source: zip, tmpParent: w.tmp })).rejects.toThrow(/provider/);
    expect(w.h.get('e1')).toBeNull();
  });

  it('a hostile fal record is confined like any other: no path outside the vault, an unfinished run is not followed', async () => {
    const w = world();
    const manifest = manifestOf([
      {
        record: { id: 'h1', provider: 'fal', model: 'fal-ai/flux/dev', createdAt: 1, input: { prompt: 'x' }, status: 'succeeded' },
        outputs: [{ index: 0, kind: 'file', state: 'saved', path: '../secrets.json', thumbPath: null }],
      },
      {
        record: { id: 'h2', provider: 'fal', model: 'fal-ai/flux/dev', createdAt: 2, input: { prompt: 'y' }, status: 'IN_PROGRESS', providerId: 'fal-req-2' },
        outputs: [],
      },
    ]);
    const zip = zipOf({ 'manifest.json': strToU8(JSON.stringify(manifest)) });
    expect(await importHistory({ history: w.h, vaultRoot: w.root, source: zip, tmpParent: w.tmp })).toEqual({ imported: 2, skipped: 0 });
    expect(w.h.getOutputs('h1')[0]).toMatchObject({ path: null, state: 'missing' });
    expect(w.h.get('h2')).toMatchObject({ provider: 'fal', status: 'failed', error: { code: 'imported' } });
    expect(fs.readdirSync(w.root, { recursive: true })).toEqual([]);
  });

  it('a fal archive is bounded like any other (entries, naming the limit)', async () => {
    const w = world();
    const runs = Array.from({ length: 12 }, (_, i) => ({
      record: { id: `b${i}`, provider: 'fal', model: 'fal-ai/flux/dev', createdAt: i, input: {} },
      outputs: [],
    }));
    const zip = zipOf({ 'manifest.json': strToU8(JSON.stringify(manifestOf(runs))) });
    await expect(importHistory({ history: w.h, vaultRoot: w.root, source: zip, tmpParent: w.tmp, limits: { ...LIMITS.archive, entries: 10 } })).rejects.toThrow(
      /more than 10 entries/,
    );
    expect(w.h.get('b0')).toBeNull();
  });
});
