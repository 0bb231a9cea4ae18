import { afterEach, describe, expect, it } from 'vitest';
import { call, until } from './harness.ts';
import { targets, type Running } from './conformance-targets.ts';

// The engine conformance cases that run for every provider (issue 12 "Proof"): one suite, two
// simulators (conformance-targets.ts), over real HTTP with a real SQLite history and vault. The
// outage, queue and kill-at-every-step cases are in conformance-steps.test.ts.

let r: Running | null = null;
afterEach(async () => {
  await r?.close();
  r = null;
});

const rec = (id: string) => r!.backend().services.history.get(id)!;

async function runOne(prompt: string): Promise<string> {
  const { ids } = await call(r!.backend(), 'predictions:create', { model: r!.model, input: { prompt } });
  return ids[0] as string;
}

const ended = (id: string, status = 'succeeded', ms = 30_000) =>
  until(() => (rec(id).status === status ? rec(id) : null), ms, `${status} (now ${rec(id).status})`);

describe.each(targets)('engine conformance: $name', (target) => {
  it('a run succeeds and its outputs are saved at once', async () => {
    r = await target.start({});
    const id = await runOne('plain');
    await until(() => rec(id).saveState === 'saved', 30_000, 'saved');
    expect(rec(id).status).toBe('succeeded');
    expect(r.jobs()).toBe(1);
  });

  it('429 storm on create and on status: nothing lost, one job', async () => {
    r = await target.start({
      faults: [
        { on: 'create', kind: '429', count: 3 },
        { on: 'poll', kind: '429', count: 3 },
      ],
    });
    const id = await runOne('throttled');
    await ended(id);
    expect(r.jobs()).toBe(1);
  });

  it('5xx and connection resets on status never fail the run', async () => {
    r = await target.start({
      faults: [
        { on: 'poll', kind: '503', count: 2 },
        { on: 'poll', kind: 'reset', count: 2, after: 2 },
      ],
    });
    const id = await runOne('flaky');
    await ended(id);
    expect(rec(id).error).toBeNull();
  });

  it('malformed JSON on status is retried, not taken as an answer', async () => {
    r = await target.start({ faults: [{ on: 'poll', kind: 'truncated-json', count: 2 }] });
    const id = await runOne('torn');
    await ended(id);
  });

  it('a lost submit is reconciled, never re-sent: one job for one click', async () => {
    r = await target.start({ faults: [{ on: 'create', kind: 'drop-response' }] });
    const id = await runOne('lost answer');
    await ended(id);
    expect(rec(id).submitAttempts).toBe(1);
    expect(r.jobs()).toBe(1);
  });

  it('kill while running, restart: the run is followed to its end from the journal', async () => {
    r = await target.start({ runMs: 1_500 });
    const id = await runOne('survives a crash');
    await until(() => rec(id).providerId, 10_000, 'submitted');
    r.backend().services.engine.kill();
    await r.backend().stop();
    await r.restart();
    await ended(id);
    expect(r.jobs()).toBe(1);
  });

  it('an unknown status is followed, not raised on, and the run ends', async () => {
    r = await target.start({ startMs: 1_500, unknownStatus: target.unknown });
    const id = await runOne('unknown status');
    await until(() => rec(id).status === target.unknown, 10_000, `status ${target.unknown}`);
    const done = await ended(id);
    expect(done.error).toBeNull();
    expect(done.timeline.map((t) => t.status)).toContain(target.unknown);
  });

  it("a provider's status spelled like a local one (a future `queued`) is still the provider's: restart resumes, cancel reaches it", async () => {
    r = await target.start({ startMs: 600_000, unknownStatus: 'queued' });
    const id = await runOne('remote queued');
    await until(() => (rec(id).providerId && r!.backend().services.history.get(id)!.timeline.length > 2 ? rec(id) : null), 10_000, 'followed');
    r.backend().services.engine.kill();
    await r.backend().stop();
    await r.restart();
    await until(() => (rec(id).status !== 'submitting' ? rec(id) : null), 10_000, 'resumed');
    expect(r.jobs()).toBe(1); // resumed by its provider id, never created again
    const outcome = await r.backend().services.engine.cancel(id);
    expect(outcome.outcome).toBe('accepted'); // not "canceled-locally": the provider has the run
    await ended(id, 'canceled');
    expect(r.jobs()).toBe(1);
  });

  it('a key rejected while following pauses the runs (not an outage); a saved key resumes them', async () => {
    r = await target.start({ runMs: 3_000 });
    const id = await runOne('rotated key');
    await until(() => rec(id).providerId, 10_000, 'submitted');
    r.rejectKey();
    await until(() => rec(id).note === 'Paused — key rejected', 10_000, 'paused note');
    const { engine } = r.backend().services;
    expect(engine.keyRejected()).toBe('Paused — key rejected');
    expect(engine.isOnline()).toBe(true);
    r.restoreKey();
    engine.keyChanged();
    const done = await ended(id);
    expect(done.note).toBeNull();
    expect(engine.keyRejected()).toBeNull();
  });

  it('cancel while running ends the run canceled', async () => {
    r = await target.start({ runMs: 600_000 });
    const id = await runOne('cancel me');
    await until(() => rec(id).providerId, 10_000, 'submitted');
    const outcome = await r.backend().services.engine.cancel(id);
    expect(outcome.outcome).toBe('accepted');
    await ended(id, 'canceled');
  });
});
