import { afterEach, describe, expect, it } from 'vitest';
import { call, sleep, until } from './harness.ts';
import { targets, type Running, type StartOptions, type Target } from './conformance-targets.ts';

// The engine conformance cases about time and trouble, for every provider from one suite (issue 12
// "Proof"): a cold start or long queue, a create clicked while the provider is unreachable, a
// partial outage, and a kill-and-restart at every step of a run — after the intent is journaled
// but before the submit's answer, while queued at the provider, while running (conformance.test.ts),
// and after the provider's end but before Kiln's (fal: COMPLETED before the result fetch; Replicate:
// succeeded before the outputs are saved). Real HTTP, real SQLite, both simulators.

let r: Running | null = null;
afterEach(async () => {
  await r?.close();
  r = null;
});

const rec = (id: string) => r!.backend().services.history.get(id)!;
const engine = () => r!.backend().services.engine;
const ended = (id: string, status = 'succeeded', ms = 30_000) =>
  until(() => (rec(id).status === status ? rec(id) : null), ms, `${status} (now ${rec(id).status}, note ${rec(id).note})`);

async function create(prompt: string, count = 1): Promise<string[]> {
  return (await call(r!.backend(), 'predictions:create', { model: r!.model, input: { prompt }, count })).ids as string[];
}

/** A crash (nothing more is written by this process), then a new backend on the same data dir. */
async function killAndRestart() {
  engine().kill();
  await r!.backend().stop();
  await r!.restart();
}

async function begin(target: Target, o: StartOptions) {
  r = await target.start(o);
  return r;
}

describe.each(targets)('engine conformance, time and trouble: $name', (target) => {
  it('cold start and long queue: the runs wait (with their place in the queue where told), then end', async () => {
    await begin(target, { startMs: 120_000, runMs: 400, runners: 1 });
    r!.freeze();
    const [first, second] = await create('a long wait', 2);
    await until(() => rec(first!).status === 'starting' && rec(second!).status === 'starting', 10_000, 'both waiting at the provider');
    if (target.queuePositions) await until(() => /^In queue/.test(rec(second!).note ?? ''), 10_000, 'queue position on the card');
    await sleep(1_000);
    // A long wait is no failure: nothing ended, nothing marked unreachable, still one job per click.
    expect([rec(first!).status, rec(second!).status]).toEqual(['starting', 'starting']);
    expect(engine().isOnline()).toBe(true);
    r!.advance(121_000);
    await ended(first!);
    r!.advance(10_000);
    await ended(second!);
    expect(r!.jobs()).toBe(2);
  });

  it('offline queue: a run clicked while the provider is unreachable waits, unsent, and goes out when it is back', async () => {
    await begin(target, { runMs: 2_000 });
    const [before] = await create('in flight when the outage starts');
    await until(() => rec(before!).providerId, 10_000, 'first submitted');
    r!.outage();
    await until(() => !engine().isOnline(), 15_000, 'unreachable');
    const clicked = engine().submit(r!.request('clicked while offline'));
    await sleep(800);
    expect(rec(clicked.id)).toMatchObject({ status: 'queued', submitAttempts: 0 }); // never tried while offline
    expect(r!.jobs()).toBe(1);
    r!.restore();
    const done = await ended(clicked.id);
    expect(done.submitAttempts).toBe(1);
    await ended(before!);
    expect(r!.jobs()).toBe(2);
    expect(engine().isOnline()).toBe(true);
  });

  it('partial outage: a failing part with a fallback (or that no run needs) takes no card offline', async () => {
    await begin(target, { runMs: 1_000 });
    r!.partialOutage();
    const ids = await create('partial outage', 3);
    let wentOffline = false;
    await until(
      () => {
        if (!engine().isOnline()) wentOffline = true;
        return ids.every((id) => rec(id).status === 'succeeded');
      },
      30_000,
      'all succeeded',
    );
    expect(wentOffline).toBe(false);
    for (const id of ids) expect(rec(id).note).toBeNull();
    expect(r!.jobs()).toBe(3);
  });

  it('kill after the intent is journaled, before the submit answer: found at the provider, never sent twice', async () => {
    await begin(target, { faults: [{ on: 'create', kind: 'slow', delayMs: 1_500 }] });
    const run = engine().submit(r!.request('killed mid-submit'));
    await until(() => rec(run.id).status === 'submitting', 10_000, 'submitting');
    engine().kill();
    await r!.backend().stop();
    // The request had left: the provider creates the job, the dead process never hears of it.
    await until(() => r!.jobs() === 1, 10_000, 'the provider got the submit');
    await r!.restart();
    const done = await ended(run.id);
    expect(done.submitAttempts).toBe(1);
    expect(r!.jobs()).toBe(1);
  });

  it('kill while queued at the provider: followed from the journal after the restart', async () => {
    await begin(target, { startMs: 120_000 });
    r!.freeze();
    const [id] = await create('killed while queued');
    await until(() => rec(id!).providerId && rec(id!).status === 'starting', 10_000, 'queued at the provider');
    await killAndRestart();
    r!.advance(121_000);
    await ended(id!);
    expect(r!.jobs()).toBe(1);
  });

  it('kill after the provider ended the run but before Kiln took the end: finished and saved after the restart', async () => {
    await begin(target, { faults: [{ on: 'end', kind: '503', count: 100_000 }] });
    const [id] = await create('killed at the end');
    await until(() => r!.remoteEnded(), 15_000, 'ended at the provider');
    await sleep(500);
    expect(rec(id!).saveState).not.toBe('saved');
    // fal: COMPLETED at the provider, but no result fetched, so not succeeded on the card either.
    if (target.endNeedsFetch) expect(rec(id!).status).not.toBe('succeeded');
    await killAndRestart();
    r!.restore();
    await until(() => rec(id!).saveState === 'saved', 30_000, `saved (now ${rec(id!).status}/${rec(id!).saveState})`);
    expect(rec(id!).status).toBe('succeeded');
    expect(r!.jobs()).toBe(1);
  });
});
