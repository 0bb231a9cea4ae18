import { afterAll, afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { openHistory } from '../../electron/backend/history/store.ts';
import type { HistoryStoreFull, NewPrediction } from '../../electron/backend/history/types.ts';
import { PredictionView } from '../../shared/domain/prediction.ts';
import { byGroupOrder } from '../../renderer/src/features/stacks/stack-model.ts';
import { manualClock, recordingLog, tempDir, removeTempDirs } from './history-helpers.ts';

afterAll(removeTempDirs);

const open: HistoryStoreFull[] = [];
function setup() {
  const dir = tempDir();
  const clock = manualClock();
  const log = recordingLog();
  const h = openHistory({ dataDir: dir, log, clock });
  open.push(h);
  return { dir, clock, log, h };
}
afterEach(() => {
  for (const h of open.splice(0)) h.close();
});

const intent = (id: string, extra: Partial<NewPrediction> = {}): NewPrediction => ({
  id,
  provider: 'replicate',
  model: 'black-forest-labs/flux-schnell',
  version: null,
  target: 'model',
  input: { prompt: `a cat ${id}`, num_outputs: 1 },
  ...extra,
});

describe('history store', () => {
  it('journals an intent, then status changes extend the timeline only on real change', () => {
    const { h, clock } = setup();
    const rec = h.insertIntent(intent('a'));
    expect(rec.status).toBe('queued');
    expect(h.get('a')?.input).toEqual({ prompt: 'a cat a', num_outputs: 1 });
    clock.advance(1000);
    h.update('a', { status: 'submitting', submitAttempts: 1 });
    clock.advance(1000);
    const r2 = h.update('a', { status: 'starting', providerId: 'p1', urls: { get: 'https://x/p1', web: 'https://replicate.com/p/p1' } });
    clock.advance(500);
    const r3 = h.update('a', { status: 'starting', logs: 'booting' });
    expect(r3.timeline.map((t) => t.status)).toEqual(['queued', 'submitting', 'starting']);
    expect(r3.statusSince).toBe(r2.statusSince);
    expect(r3.logs).toBe('booting');
    expect(h.getByProviderId('p1')?.id).toBe('a');
    expect(h.listActive().map((r) => r.id)).toEqual(['a']);
    h.update('a', { status: 'succeeded', saveState: 'saving', output: ['https://x/o.png'] });
    expect(h.listActive()).toEqual([]);
    expect(h.listUnsaved().map((r) => r.id)).toEqual(['a']);
    h.update('a', { saveState: 'saved' });
    expect(h.listUnsaved()).toEqual([]);
  });

  it('builds a valid PredictionView: prompt, variants, expiry, outputs', () => {
    const { h, clock } = setup();
    h.insertIntent(intent('orig'));
    h.insertIntent(intent('r1', { retryOf: 'orig' }));
    h.insertIntent(intent('r2', { retryOf: 'r1' }));
    h.insertIntent(intent('other', { input: { image: 'https://x/y.png', caption_style: 'short' } }));
    h.update('orig', { status: 'succeeded', providerCreatedAt: clock.now() - 5000, saveState: 'saving', urls: { web: 'https://replicate.com/p/z' } });
    h.setOutputs('orig', [
      {
        index: 0,
        kind: 'image',
        state: 'saved',
        remoteUrl: 'https://x/o.png',
        path: 'media/o.png',
        thumbPath: null,
        mime: 'image/png',
        size: 10,
        width: 1,
        height: 1,
        sha256: 'ab',
        error: null,
      },
    ]);
    const v = h.view('orig')!;
    expect(PredictionView.parse(v)).toBeTruthy();
    expect(v.prompt).toBe('a cat orig');
    expect(v.variantCount).toBe(3);
    expect(h.view('r2')!.variantCount).toBe(3);
    expect(v.expiresAt).toBe(clock.now() - 5000 + 3600_000);
    expect(v.webUrl).toBe('https://replicate.com/p/z');
    expect(v.outputs).toHaveLength(1);
    expect(v.outputs[0]!.path).toBe('media/o.png');
    expect(h.view('other')!.prompt).toBe('short');
    h.update('orig', { saveState: 'saved' });
    expect(h.view('orig')!.expiresAt).toBeNull();
    expect(h.view('nope')).toBeNull();
  });

  it("the view's log tail shows tqdm redraws as a terminal would", () => {
    const { h } = setup();
    h.insertIntent(intent('a'));
    h.update('a', { status: 'processing', logs: 'Using seed: 7\n  0%|          | 0/4\r 50%|█████     | 2/4\r100%|██████████| 4/4\ndone\n' });
    expect(h.view('a')!.logsTail).toBe('Using seed: 7\n100%|██████████| 4/4\ndone');
  });

  it('lists newest-first with keyset pagination and filters', () => {
    const { h, clock } = setup();
    for (let i = 0; i < 25; i++) {
      clock.advance(i % 5 === 0 ? 0 : 10); // ties on created_at must still page exactly
      h.insertIntent(intent(`p${i}`, { model: i % 2 ? 'owner/odd' : 'owner/even', input: { prompt: i === 7 ? 'a lighthouse at dusk' : `cat number ${i}` } }));
    }
    h.update('p3', { status: 'failed' });
    h.setFavourite('p4', true);
    h.setOutputs('p5', [
      {
        index: 0,
        kind: 'video',
        state: 'pending',
        remoteUrl: null,
        path: null,
        thumbPath: null,
        mime: null,
        size: null,
        width: null,
        height: null,
        sha256: null,
        error: null,
      },
    ]);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let guard = 0; guard < 10; guard++) {
      const page: { items: { id: string }[]; nextCursor: string | null } = h.list({}, cursor, 7);
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `p${24 - i}`));
    expect(h.list({ status: ['failed'] }, null, 50).items.map((i) => i.id)).toEqual(['p3']);
    expect(h.list({ model: 'owner/odd' }, null, 50).items).toHaveLength(12);
    expect(h.list({ favourite: true }, null, 50).items.map((i) => i.id)).toEqual(['p4']);
    expect(h.list({ kind: 'video' }, null, 50).items.map((i) => i.id)).toEqual(['p5']);
    expect(h.list({ query: 'lighthou' }, null, 50).items.map((i) => i.id)).toEqual(['p7']);
    expect(h.list({ query: 'odd' }, null, 50).items).toHaveLength(12); // model name is searchable
    expect(h.list({ query: '"unbalanced AND (' }, null, 50).items).toEqual([]); // never a syntax error
    const t = h.get('p10')!.createdAt;
    expect(
      h
        .list({ from: t, to: t }, null, 50)
        .items.map((i) => i.createdAt)
        .every((c) => c === t),
    ).toBe(true);
    const counts = h.counts();
    expect(counts.total).toBe(25);
    expect(counts.byStatus).toEqual({ queued: 24, failed: 1 });
    expect(counts.favourites).toBe(1);
  });

  it('pages through search results newest-first with filters applied', () => {
    const { h, clock } = setup();
    for (let i = 0; i < 30; i++) {
      clock.advance(10);
      h.insertIntent(intent(`q${i}`, { input: { prompt: i % 3 === 0 ? `blue whale ${i}` : `red fox ${i}` } }));
    }
    h.update('q3', { status: 'failed' });
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let guard = 0; guard < 10; guard++) {
      const page: { items: { id: string }[]; nextCursor: string | null } = h.list({ query: 'whale' }, cursor, 3);
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual([27, 24, 21, 18, 15, 12, 9, 6, 3, 0].map((i) => `q${i}`));
    expect(h.list({ query: 'whale', status: ['failed'] }, null, 10).items.map((i) => i.id)).toEqual(['q3']);
  });

  it('keeps FTS in sync on update and delete', () => {
    const { h } = setup();
    h.insertIntent(intent('x', { input: { prompt: 'red balloon' } }));
    expect(h.list({ query: 'balloon' }, null, 10).items).toHaveLength(1);
    h.update('x', { input: { prompt: 'blue kite' } });
    expect(h.list({ query: 'balloon' }, null, 10).items).toHaveLength(0);
    expect(h.list({ query: 'kite' }, null, 10).items).toHaveLength(1);
    h.removeMany(['x'], { skipFavourites: false });
    expect(h.list({ query: 'kite' }, null, 10).items).toHaveLength(0);
  });

  it('bulk delete skips favourites, single delete allows one, restore brings rows and outputs back', () => {
    const { h } = setup();
    for (const id of ['a', 'b', 'c']) h.insertIntent(intent(id));
    h.setFavourite('b', true);
    h.setOutputs('a', [
      {
        index: 0,
        kind: 'text',
        state: 'saved',
        remoteUrl: null,
        path: 'media/a.txt',
        thumbPath: null,
        mime: 'text/plain',
        size: 3,
        width: null,
        height: null,
        sha256: null,
        error: null,
      },
    ]);
    const res = h.removeMany(['a', 'b', 'c'], { skipFavourites: true });
    expect(res.removed.map((s) => s.record.id).sort()).toEqual(['a', 'c']);
    expect(res.skippedFavourites).toBe(1);
    expect(h.getOutputs('a')).toEqual([]);
    expect(h.counts().total).toBe(1);
    expect(h.restore(res.removed)).toBe(2);
    expect(h.getOutputs('a')[0]!.path).toBe('media/a.txt');
    expect(h.restore(res.removed)).toBe(0); // no duplicates
    expect(h.removeMany(['b'], { skipFavourites: false }).removed).toHaveLength(1);
  });

  it('status, input and delete writes keep the FTS index consistent', () => {
    const { h, dir } = setup();
    for (let i = 0; i < 20; i++) h.insertIntent(intent(`s${i}`));
    const db = new DatabaseSync(path.join(dir, 'history.db'));
    const ftsRows = () => (db.prepare('SELECT count(*) AS n FROM predictions_fts_docsize').get() as { n: number }).n;
    const before = ftsRows();
    for (let i = 0; i < 20; i++) h.update(`s${i}`, { status: 'processing', progress: { percent: 40, current: 4, total: 10 } });
    expect(h.view('s3')!.progress).toEqual({ percent: 40, current: 4, total: 10 });
    h.update('s4', { input: { prompt: 'changed words' } });
    h.removeMany(['s5'], { skipFavourites: false });
    db.exec("INSERT INTO predictions_fts(predictions_fts) VALUES ('integrity-check')");
    expect(ftsRows()).toBe(before - 1);
    expect(h.list({ query: 'changed' }, null, 10).items.map((i) => i.id)).toEqual(['s4']);
    db.close();
  });

  it('moves an unreadable database aside and starts fresh instead of crashing', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'history.db'), 'this is not a database, it is a text file'.repeat(200));
    const log = recordingLog();
    const h = openHistory({ dataDir: dir, log, clock: manualClock(42) });
    open.push(h);
    h.insertIntent(intent('fresh'));
    expect(h.get('fresh')).not.toBeNull();
    expect(fs.readdirSync(dir)).toContain('history.db.damaged-42');
    expect(log.lines.some((l) => l.level === 'error' && /moved aside/.test(l.msg))).toBe(true);
  });

  it('a read error at run time leaves a marker; the next start runs the thorough check', () => {
    const dir = tempDir();
    const clock = manualClock(77);
    const h = openHistory({ dataDir: dir, log: recordingLog(), clock });
    h.insertIntent(intent('c0'));
    h.close();
    fs.writeFileSync(path.join(dir, 'history.db.needs-check'), '1');
    const log = recordingLog();
    const again = openHistory({ dataDir: dir, log, clock });
    open.push(again);
    expect(again.counts().total).toBe(1); // a sound file passes integrity_check and is kept
    expect(fs.existsSync(path.join(dir, 'history.db.needs-check'))).toBe(false);
    expect(log.lines.some((l) => /checked after a read error/.test(l.msg))).toBe(true);
  });

  it("two connections on one data dir (app + CLI) see each other's writes", () => {
    const { h, dir, clock } = setup();
    const cli = openHistory({ dataDir: dir, log: recordingLog(), clock });
    open.push(cli);
    h.insertIntent(intent('from-app'));
    cli.insertIntent(intent('from-cli'));
    cli.update('from-app', { status: 'canceled' });
    expect(h.get('from-cli')?.status).toBe('queued');
    expect(h.get('from-app')?.status).toBe('canceled');
    expect(cli.counts().total).toBe(2);
  });

  it('reopens with the data intact and stores staged input files', () => {
    const dir = tempDir();
    const clock = manualClock();
    const h = openHistory({ dataDir: dir, log: recordingLog(), clock });
    h.insertIntent(intent('keep'));
    h.addInputFile({ id: 'f1', path: 'inputs/f1.png', name: 'me.png', mime: 'image/png', size: 4, sha256: null, createdAt: 1 });
    h.close();
    const h2 = openHistory({ dataDir: dir, log: recordingLog(), clock });
    open.push(h2);
    expect(h2.get('keep')?.model).toBe('black-forest-labs/flux-schnell');
    expect(h2.getInputFile('f1')?.name).toBe('me.png');
    expect(h2.referencedPaths().has('inputs/f1.png')).toBe(true);
  });

  it('a group’s members made in the same millisecond keep their order through a delete and an undo that re-inserts them in another order', () => {
    const { h } = setup(); // the manual clock does not move: every member is made at the same millisecond
    // Ids as random as UUIDs: sorted by id they read a, b, c; made in the order c, a, b.
    const made = ['m-c', 'm-a', 'm-b'];
    made.forEach((id, i) => {
      h.insertIntent(intent(id));
      h.setGroup([id], 'grp_1', 'compare', i);
    });
    const order = () => [...h.list({ groupId: 'grp_1' }, null, 10).items].sort(byGroupOrder).map((v) => v.id);
    expect(order()).toEqual(made);
    // Deleted in the gallery's order (newest first, same-millisecond ties by id) and undone.
    const { removed } = h.removeMany(['m-c', 'm-b', 'm-a'], { skipFavourites: false });
    expect(h.restore(removed)).toBe(3);
    expect(order()).toEqual(made);
    expect(h.list({ groupId: 'grp_1' }, null, 10).items.every((v) => PredictionView.safeParse(v).success)).toBe(true);
  });

  it('chain: keeps the source run of an input and names it in the view; once the source is deleted, says so', () => {
    const { h } = setup();
    h.insertIntent(intent('src', { input: { prompt: 'a small red robot' } }));
    h.insertIntent(intent('up', { model: 'nightmareai/real-esrgan', input: { image: 'kiln-file:abc' }, sourceId: 'src' }));
    h.insertIntent(intent('alone'));
    expect(h.get('up')!.sourceId).toBe('src');
    expect(h.view('up')!.source).toEqual({ id: 'src', model: 'black-forest-labs/flux-schnell', prompt: 'a small red robot' });
    expect(h.view('alone')!.source).toBeNull();
    expect(h.list({}, null, 50).items.find((v) => v.id === 'up')!.source?.id).toBe('src');
    expect(PredictionView.parse(h.view('up'))).toBeTruthy();
    h.removeMany(['src'], { skipFavourites: false });
    // The card says "From a deleted run" rather than losing the link without a word.
    expect(h.view('up')!.source).toEqual({ id: 'src', model: null, prompt: null, deleted: true });
    expect(PredictionView.parse(h.view('up'))).toBeTruthy();
    expect(h.view('alone')!.source).toBeNull();
  });
});
