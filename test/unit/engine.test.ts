import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEngine } from '../../electron/backend/engine/engine.ts';
import { INPUT_SCHEMA_CACHE_MAX, inputSchemaFor, rememberInputSchema } from '../../electron/backend/engine/schemas.ts';
import { createReplicateClient } from '../../electron/backend/providers/replicate/client.ts';
import { createReplicateProvider } from '../../electron/backend/providers/replicate/provider.ts';
import { createPublisher } from '../../electron/backend/events/publisher.ts';
import { openHistory } from '../../electron/backend/history/store.ts';
import type { Clock, Logger } from '../../electron/backend/types.ts';
import type { EngineOptionsInput } from '../../electron/backend/engine/options.ts';
import type { MediaVault } from '../../electron/backend/vault/types.ts';
import { DEFAULT_SETTINGS } from '../../shared/domain/settings.ts';

// The engine with a fake clock and a tiny in-memory Replicate behind a fetch fake: scheduling
// properties that need exact control of time (one timer for everything, list-based detection,
// outage handling), without sockets.

const log: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function fakeClock() {
  let t = Date.parse('2026-01-01T00:00:00Z');
  const timers = new Set<{ at: number; fn: () => void }>();
  const clock: Clock = {
    now: () => t,
    setTimeout: (fn, ms) => {
      const h = { at: t + Math.max(0, ms), fn };
      timers.add(h);
      return h;
    },
    clearTimeout: (h) => void timers.delete(h as never),
  };
  const settle = async () => {
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  };
  async function advance(ms: number) {
    const end = t + ms;
    for (let guard = 0; guard < 100_000; guard++) {
      await settle();
      const next = [...timers].sort((a, b) => a.at - b.at)[0];
      if (!next || next.at > end) break;
      timers.delete(next);
      t = Math.max(t, next.at);
      next.fn();
    }
    t = end;
    await settle();
  }
  return { clock, advance, pending: () => timers.size };
}

/** Replicate in memory: each prediction runs `bootMs` starting, `runMs` processing, then `end`. */
function fakeReplicate(clock: Clock, o: { bootMs: number; runMs: number; end?: string; startStatus?: string }) {
  const preds: { id: string; createdAt: number; input: unknown }[] = [];
  const hits: Record<string, number> = {};
  let down = false;
  const statusOf = (p: { createdAt: number }) => {
    const age = clock.now() - p.createdAt;
    return age < o.bootMs ? (o.startStatus ?? 'starting') : age < o.bootMs + o.runMs ? 'processing' : (o.end ?? 'succeeded');
  };
  const view = (p: (typeof preds)[number]) => ({
    id: p.id,
    model: 'a/b',
    version: 'hidden',
    input: p.input,
    status: statusOf(p),
    created_at: new Date(p.createdAt).toISOString(),
    output: statusOf(p) === 'succeeded' ? ['https://replicate.delivery/x.png'] : null,
    urls: { get: `http://r/v1/predictions/${p.id}` },
    logs: '',
  });
  const fetchFake = (async (url: string | URL | Request, init?: RequestInit) => {
    const u = new URL(String(url));
    const key = `${init?.method ?? 'GET'} ${u.pathname.replace(/\/p\d+/, '/:id')}`;
    hits[key] = (hits[key] ?? 0) + 1;
    if (down) throw new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } });
    const json = (b: unknown, s = 200) => new Response(JSON.stringify(b), { status: s });
    if (init?.method === 'POST' && u.pathname.endsWith('/predictions')) {
      const p = { id: `p${preds.length}`, createdAt: clock.now(), input: JSON.parse(String(init.body)).input };
      preds.push(p);
      return json(view(p), 201);
    }
    if (u.pathname === '/v1/predictions') {
      const page = Number(u.searchParams.get('page') ?? 0);
      const newest = [...preds].reverse();
      const slice = newest.slice(page * 100, page * 100 + 100);
      return json({ results: slice.map(view), next: newest.length > (page + 1) * 100 ? `http://r/v1/predictions?page=${page + 1}` : null });
    }
    const m = /\/v1\/predictions\/(p\d+)$/.exec(u.pathname);
    if (m) return json(view(preds.find((p) => p.id === m[1])!));
    return json({ detail: 'not found' }, 404);
  }) as typeof fetch;
  return { fetchFake, hits, setDown: (d: boolean) => (down = d), preds };
}

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup) c();
  cleanup = [];
});

function build(o: Parameters<typeof fakeReplicate>[1], options: EngineOptionsInput = {}) {
  const fc = fakeClock();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kiln-engine-unit-'));
  const history = openHistory({ dataDir, log, clock: fc.clock });
  const events: { event: string; payload: unknown }[] = [];
  const emit = ((event: string, payload: unknown) => void events.push({ event, payload })) as never;
  const publisher = createPublisher({ clock: fc.clock, view: (id) => history.view(id), emit });
  const r = fakeReplicate(fc.clock, o);
  const provider = createReplicateClient({ baseUrl: 'http://r/v1', fetch: r.fetchFake, getToken: async () => 'r8_x', userAgent: 'Kiln/test', log });
  const saved: string[] = [];
  const vault = { saveOutputs: async (rec: { id: string }) => void saved.push(rec.id) } as unknown as MediaVault;
  const engine = createEngine({
    history,
    vault,
    provider: createReplicateProvider(provider),
    publisher,
    emit,
    clock: fc.clock,
    log,
    settings: { get: () => ({ ...DEFAULT_SETTINGS, createConcurrency: 8 }), set: () => DEFAULT_SETTINGS },
    options: { random: () => 0.5, ...options },
  });
  cleanup.push(() => {
    engine.kill();
    history.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return { ...fc, history, engine, r, events, saved };
}

describe('engine scheduling (fake clock)', () => {
  it('follows 60 predictions with ONE engine timer and list-based change detection', async () => {
    const { engine, advance, pending, r, history } = build({ bootMs: 5 * 60_000, runMs: 10_000 });
    await engine.start();
    const ids = Array.from({ length: 60 }, (_, i) => engine.submit({ model: 'a/b', input: { i } }).id);
    await advance(30_000);
    expect(r.preds).toHaveLength(60);
    // One engine timer (+ at most the publisher's flush timer), however many are in flight.
    expect(pending()).toBeLessThanOrEqual(2);
    const before = { ...r.hits };
    await advance(60_000); // a simulated minute of long cold boots
    const gets = (r.hits['GET /v1/predictions/:id'] ?? 0) - (before['GET /v1/predictions/:id'] ?? 0);
    const lists = (r.hits['GET /v1/predictions'] ?? 0) - (before['GET /v1/predictions'] ?? 0);
    expect(gets).toBe(0); // nothing changed: no full fetches
    expect(lists).toBeGreaterThan(5);
    expect(lists).toBeLessThanOrEqual(20); // the long-boot cadence (5 s), not one request per prediction per second
    await advance(6 * 60_000);
    expect(ids.every((id) => history.get(id)!.status === 'succeeded')).toBe(true);
    expect(engine.inFlight()).toBe(0);
    expect(pending()).toBeLessThanOrEqual(1);
  });

  it('once a sweep sees an end, the rest of the batch is swept for at listEndsMs, and the window closes when the ends stop', async () => {
    // Every other pace is 3 s, so only the window can explain an end noticed sooner.
    const slow: EngineOptionsInput = {
      listFewAt: 0,
      listIntervalMs: 3000,
      listIntervalMaxMs: 3000,
      cadence: { initialMs: 3000, processingMs: 3000, processingMaxMs: 3000, endgameMs: 3000 },
    };
    const { engine, advance, r, history, clock } = build({ bootMs: 1000, runMs: 20_000 }, slow);
    await engine.start();
    const noticed = new Map<string, number>();
    engine.onRecord((rec) => void (rec.status === 'succeeded' && !noticed.has(rec.id) && noticed.set(rec.id, clock.now())));
    const batch: string[] = [];
    for (let i = 0; i < 12; i++) {
      batch.push(engine.submit({ model: 'a/b', input: { i } }).id);
      await advance(250); // ends 250 ms apart, like a batch's varying run times
    }
    await advance(12_000);
    // Two more, sent later: followed (by sweeps) long after the batch has ended.
    const late = [0, 1].map((i) => engine.submit({ model: 'a/b', input: { late: i } }).id);
    await advance(14_000);
    const endOf = (id: string) => r.preds.find((p) => p.id === history.get(id)!.providerId)!.createdAt + 21_000;
    const lags = batch.map((id) => noticed.get(id)! - endOf(id));
    expect(lags.every((l) => l >= 0)).toBe(true);
    // The first end waits for a slow sweep; every later one is seen within one window gap.
    expect(Math.max(...lags.slice(1))).toBeLessThanOrEqual(400);
    // The batch ended ~5 s ago (> listEndsForMs): the two late runs (ending at ~36 s) are swept at the slow pace.
    const before = r.hits['GET /v1/predictions'] ?? 0;
    await advance(6000);
    expect((r.hits['GET /v1/predictions'] ?? 0) - before).toBeLessThanOrEqual(3);
    expect(late.every((id) => history.get(id)!.status === 'processing')).toBe(true);
  });

  it('treats exactly succeeded|failed|canceled|aborted as the end; anything else is followed', async () => {
    const a = build({ bootMs: 10_000, runMs: 0, end: 'aborted' });
    await a.engine.start();
    const id = a.engine.submit({ model: 'a/b', input: {} }).id;
    await a.advance(15_000);
    expect(a.history.get(id)!.status).toBe('aborted');
    expect(a.engine.inFlight()).toBe(0);

    const b = build({ bootMs: 60_000, runMs: 1000, startStatus: 'queued-upstream' });
    await b.engine.start();
    const id2 = b.engine.submit({ model: 'a/b', input: {} }).id;
    await b.advance(30_000);
    expect(b.history.get(id2)!.status).toBe('queued-upstream');
    expect(b.engine.inFlight()).toBe(1);
    await b.advance(40_000);
    expect(b.history.get(id2)!.status).toBe('succeeded');
    expect(b.saved).toEqual([id2]);
  });

  it('an outage: transient errors never fail it, the card says so, probing is slow, recovery is automatic', async () => {
    const { engine, advance, r, history, events } = build({ bootMs: 20 * 60_000, runMs: 1000 });
    await engine.start();
    const id = engine.submit({ model: 'a/b', input: {} }).id;
    await advance(5000);
    r.setDown(true);
    await advance(60_000);
    expect(events.some((e) => e.event === 'network:changed' && (e.payload as { online: boolean }).online === false)).toBe(true);
    expect(history.get(id)!.note).toMatch(/^Replicate unreachable — retrying in \d+ s$/);
    expect(history.get(id)!.status).toBe('starting');
    const during = r.hits['GET /v1/predictions'] ?? 0;
    await advance(10 * 60_000);
    // Slow probing: one request every 15-30 s (jittered), not a hammering loop.
    expect((r.hits['GET /v1/predictions'] ?? 0) - during).toBeLessThanOrEqual(30);
    r.setDown(false);
    await advance(11 * 60_000);
    expect(events.some((e) => e.event === 'network:changed' && (e.payload as { online: boolean }).online === true)).toBe(true);
    expect(history.get(id)!.status).toBe('succeeded');
    expect(history.get(id)!.note).toBeNull();
    expect(history.get(id)!.error).toBeNull();
  });
});

describe('input schema snapshot cache', () => {
  it('per backend, by model + version (null: the latest), bounded to the most recent entries', () => {
    const a = {};
    const b = {};
    rememberInputSchema(a, 'o/m', 'v1', true, { title: 'v1' });
    rememberInputSchema(a, 'o/m', 'v0', false, { title: 'v0' });
    expect(inputSchemaFor(a, 'o/m', null)).toEqual({ title: 'v1' });
    expect(inputSchemaFor(a, 'o/m', 'v0')).toEqual({ title: 'v0' });
    expect(inputSchemaFor(b, 'o/m', null)).toBeNull();
    for (let i = 0; i < INPUT_SCHEMA_CACHE_MAX; i++) rememberInputSchema(a, `o/x${i}`, `v${i}`, false, { i });
    expect(inputSchemaFor(a, 'o/m', 'v0')).toBeNull(); // the oldest fell out
    expect(inputSchemaFor(a, `o/x${INPUT_SCHEMA_CACHE_MAX - 1}`, `v${INPUT_SCHEMA_CACHE_MAX - 1}`)).toEqual({ i: INPUT_SCHEMA_CACHE_MAX - 1 });
  });
});
