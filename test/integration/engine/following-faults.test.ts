import { afterEach, describe, expect, it } from 'vitest';
import { call, setup, sleep, until, type Harness } from './harness.ts';
import type { CancelOutcome } from '../../../electron/backend/engine/engine.ts';

// Issue 9 items 2, 3, 4 and 6: faults while runs are being FOLLOWED (not created), each against
// the simulator over real HTTP with a real SQLite history. Every test here was seen failing on the
// engine before these fixes (see the commit messages for how each failed).

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const MODEL = 'black-forest-labs/flux-schnell';
const rec = (id: string) => h!.backend.services.history.get(id)!;
const requests = () => h!.sim.control.counters().total;

describe('a key rejected while runs are followed (item 2)', () => {
  it('a text stream refused with 401/403 is not the key: the run is polled to its end and nothing pauses', async () => {
    const LLM = 'meta/meta-llama-3-8b-instruct';
    h = await setup({
      scenario: {
        models: { [LLM]: { coldBootMs: 200, runMs: 1500 }, [MODEL]: { coldBootMs: 200, runMs: 400 } },
        faults: [{ endpoint: 'stream', kind: '403', count: 100 }],
      },
    });
    const { engine } = h.backend.services;
    const pauses: (string | null)[] = [];
    engine.onKeyPause((note) => pauses.push(note));
    const text = engine.submit({ model: LLM, input: { prompt: 'a refused stream' } }).id;
    await until(() => (h!.sim.control.counters().byEndpoint['stream'] ?? 0) > 0, 10_000, 'the stream was tried');
    const other = engine.submit({ model: MODEL, input: { prompt: 'sent after the refusal' } }).id;
    await until(() => [text, other].every((id) => rec(id).status === 'succeeded'), 20_000, 'both succeeded');
    expect(rec(text).text).toBe((rec(text).output as string[]).join(''));
    expect(pauses).toEqual([]);
    expect(engine.keyRejected()).toBeNull();
  });

  for (const n of [1, 3]) {
    it(`${n === 1 ? 'GET' : 'list'} answered 401: runs pause, nothing more is sent, saving a key resumes them`, async () => {
      h = await setup({ scenario: { models: { [MODEL]: { coldBootMs: 60_000, runMs: 400 } } } });
      const { engine } = h.backend.services;
      const ids = Array.from({ length: n }, (_, i) => engine.submit({ model: MODEL, input: { prompt: `rotated key ${i}` } }).id);
      await until(() => ids.every((id) => rec(id).status === 'starting'), 5000, 'starting');
      const pauses: (string | null)[] = [];
      engine.onKeyPause((note) => pauses.push(note));
      // The key is rotated on the server: every request is now refused.
      h.sim.control.loadScenario({ faults: [{ endpoint: '*', kind: '401', count: 100_000 }] });
      await until(() => ids.every((id) => rec(id).note === 'Paused — key rejected'), 5000, 'paused note on every card');
      expect(engine.keyRejected()).toBe('Paused — key rejected');
      expect(pauses).toEqual(['Paused — key rejected']);
      // Nothing more is sent for the provider while paused (the old engine retried every back-off).
      await sleep(200);
      const before = requests();
      await sleep(1500);
      expect(requests()).toBe(before);
      for (const id of ids) expect(rec(id).status).toBe('starting');
      // A working key is saved: following resumes at once and the runs finish.
      h.sim.control.loadScenario({});
      h.sim.control.advance(61_000);
      await call(h.backend, 'secrets:set', { provider: 'replicate', key: h.sim.token });
      await until(() => ids.every((id) => rec(id).status === 'succeeded'), 10_000, 'succeeded after the key was saved');
      for (const id of ids) expect(rec(id).note).toBeNull();
      expect(engine.keyRejected()).toBeNull();
      expect(pauses).toEqual(['Paused — key rejected', null]);
    });
  }
});

describe('runs submitted while the key is rejected (item 2)', () => {
  it('are held queued with the note; waitSubmitted answers auth (the CLI exits 3); they go out once a key is saved', async () => {
    h = await setup({ scenario: { models: { [MODEL]: { coldBootMs: 60_000, runMs: 300 } } } });
    const { engine } = h.backend.services;
    const first = engine.submit({ model: MODEL, input: { prompt: 'followed' } }).id;
    await until(() => rec(first).status === 'starting', 5000, 'starting');
    h.sim.control.loadScenario({ faults: [{ endpoint: '*', kind: '401', count: 100_000 }] });
    await until(() => engine.keyRejected(), 5000, 'paused');
    const creates = h.sim.control.counters().byEndpoint['models.predictions.create'];
    const held = engine.submit({ model: MODEL, input: { prompt: 'held' } }).id;
    const err = await engine.waitSubmitted(held, 5000).then(
      () => null,
      (e: unknown) => e as { code: string; message: string },
    );
    expect(err?.code).toBe('auth');
    expect(err?.message).toMatch(/kept and sent once a working key is saved/);
    expect(rec(held).status).toBe('queued');
    expect(rec(held).note).toBe('Paused — key rejected');
    expect(h.sim.control.counters().byEndpoint['models.predictions.create']).toBe(creates); // nothing sent
    h.sim.control.loadScenario({});
    engine.keyChanged();
    h.sim.control.advance(61_000);
    await until(() => rec(first).status === 'succeeded', 10_000, 'the followed one finished');
    await until(() => rec(held).providerId !== null, 10_000, 'the held one was sent');
    expect(rec(held).note).toBeNull();
  });
});

describe('a create answered 401 (the key rejected before anything is followed)', () => {
  it('fails that run with the key error, and holds every later one instead of sending it', async () => {
    h = await setup({ scenario: { models: { [MODEL]: { coldBootMs: 300, runMs: 300 } }, faults: [{ endpoint: '*', kind: '401', count: 100_000 }] } });
    const { engine } = h.backend.services;
    const first = engine.submit({ model: MODEL, input: { prompt: 'refused' } }).id;
    const err = await engine.waitSubmitted(first, 5000).then(
      () => null,
      (e: unknown) => e as { code: string },
    );
    expect(err?.code).toBe('auth');
    expect(rec(first).status).toBe('failed');
    await until(() => engine.keyRejected(), 5000, 'paused');
    const creates = h.sim.control.counters().byEndpoint['models.predictions.create'];
    const later = Array.from({ length: 3 }, (_, i) => engine.submit({ model: MODEL, input: { prompt: `later ${i}` } }).id);
    await new Promise((r) => setTimeout(r, 500));
    expect(h.sim.control.counters().byEndpoint['models.predictions.create']).toBe(creates); // nothing more sent
    for (const id of later) expect(rec(id)).toMatchObject({ status: 'queued', note: 'Paused — key rejected' });
    h.sim.control.loadScenario({});
    engine.keyChanged();
    await until(() => later.every((id) => rec(id).status === 'succeeded'), 10_000, 'sent once a key was saved');
  });
});

describe('a partial outage is not an outage (item 3)', () => {
  it('the list endpoint answering 5xx degrades to per-run GETs: every run finishes, Kiln never calls itself offline', async () => {
    h = await setup({ scenario: { models: { [MODEL]: { coldBootMs: 300, runMs: 600 } }, faults: [{ endpoint: 'list', kind: '503', count: 100_000 }] } });
    const { engine } = h.backend.services;
    const ids = Array.from({ length: 4 }, (_, i) => engine.submit({ model: MODEL, input: { prompt: `partial outage ${i}` } }).id);
    await until(() => ids.every((id) => rec(id).status === 'succeeded'), 20_000, 'all succeeded through GETs');
    const offline = h.events.filter((e) => e.event === 'network:changed' && (e.payload as { online: boolean }).online === false);
    expect(offline).toEqual([]);
    expect(engine.isOnline()).toBe(true);
    for (const id of ids) expect(rec(id).note).toBeNull();
    const c = h.sim.control.counters();
    expect(c.byEndpoint['predictions.get']).toBeGreaterThan(0);
    // The list is retried with back-off, not hammered.
    expect(c.byEndpoint['predictions.list']).toBeLessThan(40);
  });

  it('when GETs fail too, the provider is unreachable (and comes back)', async () => {
    h = await setup({ scenario: { models: { [MODEL]: { coldBootMs: 300, runMs: 600 } } } });
    const { engine } = h.backend.services;
    const ids = Array.from({ length: 3 }, (_, i) => engine.submit({ model: MODEL, input: { prompt: `full outage ${i}` } }).id);
    await until(() => ids.every((id) => rec(id).status === 'starting'), 5000, 'starting');
    h.sim.control.loadScenario({ faults: [{ endpoint: '*', kind: '503', count: 100_000 }] });
    await until(() => !engine.isOnline(), 10_000, 'offline');
    h.sim.control.loadScenario({});
    h.sim.control.advance(5000);
    await until(() => ids.every((id) => rec(id).status === 'succeeded'), 15_000, 'all succeeded after the outage');
    expect(engine.isOnline()).toBe(true);
  });
});

describe('a failed durable write never freezes a card (item 4)', () => {
  it('disk full while runs finish: the card says so, and the runs complete once writes work again', async () => {
    h = await setup({ scenario: { models: { [MODEL]: { coldBootMs: 1000, runMs: 300 } } } });
    const { engine, history } = h.backend.services;
    const ids = Array.from({ length: 2 }, (_, i) => engine.submit({ model: MODEL, input: { prompt: `disk full ${i}` } }).id);
    await until(() => ids.every((id) => rec(id).status === 'starting'), 5000, 'starting');
    // A wrapped history store: every update fails as SQLite does on a full disk.
    const update = history.update.bind(history);
    let full = true;
    history.update = (id, patch) => {
      if (full) throw Object.assign(new Error('database or disk is full'), { code: 'ERR_SQLITE_ERROR', errcode: 13 });
      return update(id, patch);
    };
    h.sim.control.advance(5000); // both have finished remotely
    await sleep(1200);
    for (const id of ids) expect(rec(id).status).toBe('starting'); // nothing could be written
    full = false; // space freed
    await until(() => ids.every((id) => rec(id).status === 'succeeded' && rec(id).saveState === 'saved'), 10_000, 'succeeded and saved without a restart');
    // Meanwhile the card said why it was not moving.
    expect(
      h.events.some(
        (e) => e.event === 'prediction:updated' && /^Disk full — free space/.test(String((e.payload as { changes: { note?: unknown } }).changes.note)),
      ),
    ).toBe(true);
    for (const id of ids) expect(h.backend.services.history.view(id)!.note).toBeNull();
    // The card's in-memory note is cleared too (the publisher sends within its coalescing interval).
    const lastNotes = () => {
      const last = new Map<string, unknown>();
      for (const e of h!.events)
        if (e.event === 'prediction:updated') {
          const p = e.payload as { id: string; changes: { note?: unknown } };
          if ('note' in p.changes) last.set(p.id, p.changes.note);
        }
      return last;
    };
    await until(() => ids.every((id) => lastNotes().get(id) === null), 5000, 'the note cleared on the cards');
  });
});

describe('a refused cancel is an answer (item 6)', () => {
  it('an HTML 404 to cancel: one request, a note on the card, the run followed to its end and saved', async () => {
    h = await setup({
      scenario: { models: { [MODEL]: { coldBootMs: 60_000, runMs: 300 } }, faults: [{ endpoint: 'cancel', kind: '404-html', count: 100_000 }] },
    });
    const { engine } = h.backend.services;
    const id = engine.submit({ model: MODEL, input: { prompt: 'refused cancel' } }).id;
    await until(() => rec(id).status === 'starting', 5000, 'starting');
    const answer: Promise<CancelOutcome> = engine.cancel(id);
    await sleep(1500);
    expect(h.sim.control.counters().byEndpoint['predictions.cancel']).toBe(1); // no storm
    expect(rec(id).note).toBe('Cancel refused by Replicate: Not found on Replicate: 404 Not Found.');
    expect(await answer).toEqual({ outcome: 'refused', message: 'Cancel refused by Replicate: Not found on Replicate: 404 Not Found.' });
    expect(rec(id).cancelRequested).toBe(false);
    h.sim.control.advance(61_000);
    await until(() => rec(id).status === 'succeeded' && rec(id).saveState === 'saved', 10_000, 'the end and outputs are not lost');
  });

  it('a cancel without an answer (503, 503) is retried with back-off and then accepted', async () => {
    h = await setup({
      engine: { backoff: { baseMs: 300, maxMs: 600 } },
      scenario: { models: { [MODEL]: { coldBootMs: 60_000, runMs: 300 } }, faults: [{ endpoint: 'cancel', kind: '503', count: 2 }] },
    });
    const { engine } = h.backend.services;
    const id = engine.submit({ model: MODEL, input: { prompt: 'cancel retried' } }).id;
    await until(() => rec(id).status === 'starting', 5000, 'starting');
    const t0 = Date.now();
    const outcome = await engine.cancel(id);
    expect(outcome).toEqual({ outcome: 'accepted', status: 'canceled' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300); // two back-offs of at least half the 300 ms base
    expect(h.sim.control.counters().byEndpoint['predictions.cancel']).toBe(3);
    await until(() => rec(id).status === 'canceled', 5000, 'canceled');
  });

  it('a 401 to cancel pauses for the key; the outcome says so', async () => {
    h = await setup({ scenario: { models: { [MODEL]: { coldBootMs: 60_000, runMs: 300 } }, faults: [{ endpoint: 'cancel', kind: '401', count: 1 }] } });
    const { engine } = h.backend.services;
    const id = engine.submit({ model: MODEL, input: { prompt: 'cancel with a rotated key' } }).id;
    await until(() => rec(id).status === 'starting', 5000, 'starting');
    const outcome = await engine.cancel(id);
    expect(outcome.outcome).toBe('key-rejected');
    expect(rec(id).note).toBe('Paused — key rejected');
    expect(rec(id).cancelRequested).toBe(true); // still wanted: sent once a key is saved
    engine.keyChanged();
    await until(() => rec(id).status === 'canceled', 5000, 'canceled after the key was saved');
    expect(h.sim.control.counters().byEndpoint['predictions.cancel']).toBe(2);
  });
});
