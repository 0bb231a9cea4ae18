import { afterAll, describe, expect, it } from 'vitest';
import { DatabaseSync } from 'node:sqlite';
import { migrate } from '../../electron/backend/history/migrations.ts';
import { openHistory } from '../../electron/backend/history/store.ts';
import { seedFromInput, seedFromLogs, seedFromOutput } from '../../electron/backend/history/seed.ts';
import { runRequest } from '../../electron/backend/reproduce/request.ts';
import { manualClock, recordingLog, tempDir, removeTempDirs } from './history-helpers.ts';

afterAll(removeTempDirs);

// Issue 14, Reproduce: the seed each run used, and the request it was created with.

describe('seed rules', () => {
  it('reads the seed an input asked for, as a number or an integer string', () => {
    expect(seedFromInput({ prompt: 'x', seed: 1234 })).toBe(1234);
    expect(seedFromInput({ seed: '42' })).toBe(42);
    expect(seedFromInput({ seed: 1.5 })).toBeNull();
    expect(seedFromInput({ seed: 2 ** 60 })).toBeNull(); // would not survive JSON exactly
    expect(seedFromInput({ prompt: 'x' })).toBeNull();
  });

  it('reads the seed a model printed, in the forms Replicate models print it', () => {
    expect(seedFromLogs('Using seed: 1234\n0%|  | 0/4')).toBe(1234);
    expect(seedFromLogs('Random seed used: `98765`\nNote: …')).toBe(98765);
    expect(seedFromLogs('loading\nseed = 7\n')).toBe(7);
    expect(seedFromLogs('Seed: 31337')).toBe(31337);
    expect(seedFromLogs('Seed set to 150439769\nLoading pipeline')).toBe(150439769); // recorded (sdxl), PyTorch Lightning's words
    expect(seedFromLogs('Global seed set to 42')).toBe(42);
    expect(seedFromLogs('the seed is 8 bits wide')).toBeNull(); // prose, not a seed
    expect(seedFromLogs('seed set to random')).toBeNull();
    expect(seedFromLogs('seedless run, 100 steps')).toBeNull();
    expect(seedFromLogs('')).toBeNull();
  });

  it('reads the seed a fal result answers', () => {
    expect(seedFromOutput({ images: [], seed: 555 })).toBe(555);
    expect(seedFromOutput(['https://x/y.png'])).toBeNull();
  });
});

describe('seed column', () => {
  const open = () => openHistory({ dataDir: tempDir(), log: recordingLog(), clock: manualClock() });
  const base = { provider: 'replicate' as const, model: 'o/m', version: null, target: 'model' as const };

  it('keeps the input seed, else the first seed the logs name, even after the logs lose their head', () => {
    const h = open();
    h.insertIntent({ ...base, id: 'given', input: { prompt: 'a', seed: 11 } });
    expect(h.view('given')!.seed).toBe(11);
    h.update('given', { logs: 'Using seed: 99\n' }); // the input's own seed is what ran
    expect(h.view('given')!.seed).toBe(11);

    h.insertIntent({ ...base, id: 'random', input: { prompt: 'b' } });
    expect(h.view('random')!.seed).toBeNull();
    h.update('random', { logs: 'Using seed: 4242\nstep 1' });
    expect(h.view('random')!.seed).toBe(4242);
    h.update('random', { logs: '[… earlier logs dropped]\nstep 900' });
    expect(h.view('random')!.seed).toBe(4242);
    expect(h.list({}, null, 10).items.find((v) => v.id === 'random')!.seed).toBe(4242);
    h.close();
  });

  it('migration 8 fills the seed of runs recorded before it', () => {
    const db = new DatabaseSync(':memory:');
    migrate(db, { now: 1, target: 7 });
    const ins = db.prepare(
      "INSERT INTO predictions (id, provider, model, input, logs, status, created_at, status_since, family_id) VALUES (?, 'replicate', 'o/m', ?, ?, 'succeeded', 1, 1, ?)",
    );
    ins.run('a', '{"seed":5}', '', 'a');
    ins.run('b', '{}', 'Using seed: 77\n', 'b');
    ins.run('c', '{}', 'no seed here', 'c');
    migrate(db, { now: 2, target: 8 });
    const seeds = db.prepare('SELECT id, seed FROM predictions ORDER BY id').all();
    expect(seeds).toEqual([
      { id: 'a', seed: 5 },
      { id: 'b', seed: 77 },
      { id: 'c', seed: null },
    ]);
    db.close();
  });
});

describe('request as sent', () => {
  it('Replicate: the model endpoint for official models, the version endpoint with a version, the key as a variable', () => {
    const official = runRequest({
      provider: 'replicate',
      model: 'black-forest-labs/flux-schnell',
      version: null,
      target: 'model',
      input: { prompt: 'p', seed: 3 },
      cancelAfter: null,
    });
    expect(official.url).toBe('https://api.replicate.com/v1/models/black-forest-labs/flux-schnell/predictions');
    expect(official.body).toEqual({ input: { prompt: 'p', seed: 3 } });
    expect(official.headers.Authorization).toBe('Bearer $REPLICATE_API_TOKEN');
    const pinned = runRequest({
      provider: 'replicate',
      model: 'stability-ai/sdxl',
      version: 'abc123',
      target: 'version',
      input: { prompt: 'q' },
      cancelAfter: '5m',
    });
    expect(pinned.url).toBe('https://api.replicate.com/v1/predictions');
    expect(pinned.body).toEqual({ version: 'abc123', input: { prompt: 'q' } });
    expect(pinned.headers['Cancel-After']).toBe('5m');
  });

  it('fal: the queue submit with the input as body, and local files as named placeholders', () => {
    const r = runRequest(
      { provider: 'fal', model: 'fal:fal-ai/flux/dev', version: null, target: 'model', input: { prompt: 'p', image_url: 'kiln-file:ab12' }, cancelAfter: null },
      (id) => (id === 'ab12' ? { id, path: 'x', name: 'cat.png', mime: 'image/png', size: 1, sha256: null, createdAt: 1 } : null),
    );
    expect(r.url).toBe('https://queue.fal.run/fal-ai/flux/dev');
    expect(r.headers.Authorization).toBe('Key $FAL_KEY');
    expect(r.body).toEqual({ prompt: 'p', image_url: '<URL or data: URI of cat.png>' });
    expect(r.files).toEqual(['image_url']);
  });
});
