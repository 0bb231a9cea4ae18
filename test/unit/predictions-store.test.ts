import { describe, it, expect } from 'vitest';
import { createMemoryKiln } from '../../renderer/src/platform/memory-kiln.ts';
import { createPredictionsStore, matchesFilter, reshape } from '../../renderer/src/stores/predictions.ts';
import type { PredictionView } from '../../shared/domain/prediction.ts';
import { predictionView } from './view-fixture.ts';

// The gallery's store against the in-memory transport: paging, live events, filters.

function view(i: number, over: Partial<PredictionView> = {}): PredictionView {
  const at = 1_000_000 + i * 1000;
  return predictionView({
    id: `p${i}`,
    model: 'black-forest-labs/flux-schnell',
    input: { prompt: `prompt ${i}` },
    prompt: `prompt ${i}`,
    createdAt: at,
    statusSince: at,
    ...over,
  });
}

function setup(n: number) {
  const all = Array.from({ length: n }, (_, i) => view(i)).reverse(); // newest first, like the backend
  const kiln = createMemoryKiln({
    'predictions:list': (req) => {
      const start = req.cursor ? Number(req.cursor) : 0;
      const items = all.filter((p) => matchesFilter(p, req)).slice(start, start + req.limit);
      const next = start + req.limit < all.length ? String(start + req.limit) : null;
      return { items, nextCursor: next };
    },
    'predictions:counts': () => ({ total: all.length, byStatus: { succeeded: all.length }, favourites: 0 }),
    'predictions:get': (req) => all.find((p) => p.id === req.id) ?? view(999, { id: req.id }),
  });
  const flushers: (() => void)[] = [];
  const store = createPredictionsStore({ api: () => kiln, schedule: (fn) => flushers.push(fn) });
  const flush = () => {
    while (flushers.length) flushers.shift()!();
  };
  return { kiln, store, flush, all };
}

describe('predictions store', () => {
  it('loads newest first and pages with the cursor', async () => {
    const { store } = setup(450);
    await store.getState().reload();
    expect(store.getState().ids.length).toBe(200);
    expect(store.getState().ids[0]).toBe('p449');
    await store.getState().loadMore();
    await store.getState().loadMore();
    expect(store.getState().ids.length).toBe(450);
    expect(store.getState().hasMore).toBe(false);
    expect(new Set(store.getState().ids).size).toBe(450);
  });

  it('applies partial updates, inserts full new predictions at the top, and batches', async () => {
    const { store, flush } = setup(5);
    await store.getState().reload();
    const before = store.getState().byId;
    store.getState().onUpdated({ id: 'p2', changes: { status: 'processing', progress: { percent: 40, current: 4, total: 10 } } });
    store.getState().onUpdated({ id: 'p2', changes: { progress: { percent: 60, current: 6, total: 10 } } });
    expect(store.getState().byId).toBe(before); // nothing applied until the flush
    flush();
    expect(store.getState().byId.p2!.status).toBe('processing');
    expect(store.getState().byId.p2!.progress!.percent).toBe(60);
    expect(store.getState().byId.p2!.prompt).toBe('prompt 2');
    expect(store.getState().byId.p1).toBe(before.p1); // untouched cards keep their identity (no re-render)

    store.getState().onUpdated({ id: 'new', changes: view(100, { id: 'new', status: 'starting', saveState: 'none' }), full: true });
    flush();
    expect(store.getState().ids[0]).toBe('new');
  });

  it('fetches the whole view for a partial update about an unknown id', async () => {
    const { store, flush, kiln } = setup(3);
    await store.getState().reload();
    store.getState().onUpdated({ id: 'zzz', changes: { status: 'processing' } });
    flush();
    await new Promise((r) => setTimeout(r, 10));
    expect(kiln.calls.some((c) => c.channel === 'predictions:get' && (c.req as { id: string }).id === 'zzz')).toBe(true);
    expect(store.getState().ids).toContain('zzz');
  });

  it('drops removed ids', async () => {
    const { store, flush } = setup(4);
    await store.getState().reload();
    store.getState().onRemoved(['p1', 'p3']);
    flush();
    expect(store.getState().ids).toEqual(['p2', 'p0']);
    expect(store.getState().byId.p1).toBeUndefined();
  });

  it('keeps live inserts out of a filtered view they do not match', async () => {
    const { store, flush } = setup(4);
    await store.getState().setFilter({ status: ['failed'] });
    expect(store.getState().ids).toEqual([]);
    store.getState().onUpdated({ id: 'ok', changes: view(50, { id: 'ok' }), full: true });
    store.getState().onUpdated({ id: 'bad', changes: view(51, { id: 'bad', status: 'failed' }), full: true });
    flush();
    expect(store.getState().ids).toEqual(['bad']);
  });

  it('reports a failing list as an error state instead of throwing', async () => {
    const kiln = createMemoryKiln({});
    const store = createPredictionsStore({ api: () => kiln, schedule: (fn) => fn() });
    await store.getState().reload();
    expect(store.getState().loaded).toBe(true);
    expect(store.getState().error).toMatch(/not implemented|Not available/i);
  });
});

describe("picture shapes (what the grid's row heights depend on)", () => {
  const out = (width: number, height: number) => ({
    index: 0,
    kind: 'image' as const,
    state: 'saved' as const,
    mime: 'image/webp',
    size: 1,
    width,
    height,
    path: 'a.webp',
    thumbPath: null,
    remoteUrl: null,
  });

  it('keep their version through progress ticks and status changes, and move it when a shape does', async () => {
    const { store, flush } = setup(450);
    await store.getState().reload();
    const shapes = () => store.getState().shapes;
    const version = () => store.getState().shapesVersion;
    expect(Object.keys(shapes()).length).toBe(200);
    expect(shapes().p449).toBe(1);
    const first = version();

    // A progress tick, a status change, logs: the cards change, the shapes' version does not.
    store.getState().onUpdated({ id: 'p449', changes: { status: 'processing', progress: { percent: 40, current: 4, total: 10 } } });
    store.getState().onUpdated({ id: 'p448', changes: { logsTail: 'step 3/10', status: 'succeeded' } });
    flush();
    expect(store.getState().byId.p449!.status).toBe('processing');
    expect(version()).toBe(first);

    // Its output arrives, measured 16:9: that one shape changes, and the version moves.
    store.getState().onUpdated({ id: 'p449', changes: { outputs: [out(1024, 576)] } });
    flush();
    const second = version();
    expect(second).toBeGreaterThan(first);
    expect(shapes().p449).toBeCloseTo(16 / 9);
    expect(shapes().p448).toBe(1);

    // The same size again (a save-state change re-sends outputs): no change.
    store.getState().onUpdated({ id: 'p449', changes: { outputs: [{ ...out(1024, 576), state: 'saved' }], saveState: 'saved' } });
    flush();
    expect(version()).toBe(second);

    // A new run, a page, a removal: each is a shape the grid must know about.
    store.getState().onUpdated({ id: 'tall', changes: view(900, { id: 'tall', input: { aspect_ratio: '9:16' } }), full: true });
    flush();
    expect(shapes().tall).toBeCloseTo(9 / 16);
    const third = version();
    expect(third).toBeGreaterThan(second);
    await store.getState().loadMore();
    expect(shapes().p200).toBe(1);
    expect(version()).toBeGreaterThan(third);
    const fourth = version();
    store.getState().onRemoved(['tall']);
    flush();
    expect(shapes().tall).toBeUndefined();
    expect(version()).toBeGreaterThan(fourth);
  });

  it('reshape changes only what differs, in place, and says whether anything did', () => {
    const shapes: Record<string, number> = { a: 1, b: 16 / 9 };
    const wide = view(1, { id: 'a', input: { aspect_ratio: '21:9' } });
    expect(reshape(shapes, [view(1, { id: 'a' })], [], () => 1)).toBe(false);
    expect(reshape(shapes, [], ['gone'])).toBe(false);
    expect(shapes).toEqual({ a: 1, b: 16 / 9 });
    expect(reshape(shapes, [wide])).toBe(true);
    expect(shapes).toEqual({ a: 21 / 9, b: 16 / 9 });
    expect(reshape(shapes, [], ['b'])).toBe(true);
    expect(shapes).toEqual({ a: 21 / 9 });
  });

  it('a batch of updates does not copy the loaded runs: untouched views and the record keep their identity', async () => {
    const { store, flush } = setup(450);
    await store.getState().reload();
    const byId = store.getState().byId;
    const untouched = byId.p100;
    const changed = byId.p449;
    store.getState().onUpdated({ id: 'p449', changes: { status: 'processing' } });
    flush();
    expect(store.getState().byId).toBe(byId);
    expect(store.getState().byId.p100).toBe(untouched);
    expect(store.getState().byId.p449).not.toBe(changed); // what the card selects: a new view
    expect(store.getState().byId.p449!.status).toBe('processing');
  });
});

describe('matchesFilter', () => {
  it('matches words of the query in the prompt, model, favourites and kind', () => {
    const p = view(1, {
      prompt: 'A red fox in snow',
      favourite: true,
      outputs: [
        { index: 0, kind: 'image', state: 'saved', mime: null, size: null, width: null, height: null, path: 'a.png', thumbPath: null, remoteUrl: null },
      ],
    });
    expect(matchesFilter(p, { query: 'fox snow' })).toBe(true);
    expect(matchesFilter(p, { query: 'wolf' })).toBe(false);
    expect(matchesFilter(p, { favourite: true, kind: 'image' })).toBe(true);
    expect(matchesFilter(p, { kind: 'video' })).toBe(false);
    expect(matchesFilter(p, { model: 'x/y' })).toBe(false);
  });
});
