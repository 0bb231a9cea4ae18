import { type Core, type EngineOps, type Track } from './core.ts';

// The one scheduler (DESIGN §4): a single timer wakes at the earliest due moment and decides,
// under the provider's request budget, what goes out — creates (within the concurrency setting,
// only while online), reconciliation of lost creates, cancels, list sweeps and status checks.

export function createScheduler(c: Core): Pick<EngineOps, 'run' | 'schedule' | 'tick' | 'finishTick'> {
  function run<T>(p: Promise<T>): void {
    const wrapped = p.catch((err) => c.log.error('engine task failed', { err: String(err) })).finally(() => {
      c.pending.delete(wrapped);
      if (c.running) c.schedule(0);
    });
    c.pending.add(wrapped);
  }

  function schedule(delay: number) {
    if (!c.running) return;
    const at = c.clock.now() + Math.max(0, delay);
    if (c.timer !== null && at >= c.timerAt) return;
    if (c.timer !== null) c.clock.clearTimeout(c.timer);
    c.timerAt = at;
    c.timer = c.clock.setTimeout(() => {
      c.timer = null;
      c.timerAt = Infinity;
      c.tick();
    }, Math.max(0, delay));
  }

  function tick() {
    if (!c.running) return;
    // Key rejected: nothing at all goes out (DESIGN §3) until keyChanged() wakes the scheduler.
    if (c.keyPause) return;
    const now = c.clock.now();
    let nextAt = Infinity;
    const due = (at: number) => {
      nextAt = Math.min(nextAt, at);
    };

    if (!c.health.online) {
      // Outage: one probe at a time, slowly; everything else waits for it to succeed.
      if (!c.probing && now >= c.nextProbeAt) c.probe();
      due(c.nextProbeAt);
      return c.finishTick(nextAt, now);
    }

    const concurrency = c.deps.settings.get().createConcurrency;
    const followed: Track[] = [];
    const queued: Track[] = [];
    for (const t of c.tracks.values()) {
      if (t.phase === 'follow') followed.push(t);
      else if (t.phase === 'queued') queued.push(t);
      else if (t.phase === 'reconcile' && !t.busy) {
        if (t.dueAt <= now && !c.listBusy) c.reconcileSweep();
        else due(t.dueAt);
      }
    }

    // Creates, oldest click first, within the concurrency setting and the create budget.
    queued.sort((a, b) => a.dueAt - b.dueAt);
    for (const t of queued) {
      if (t.busy) continue;
      if (t.dueAt > now) {
        due(t.dueAt);
        continue;
      }
      if (c.creating >= concurrency) break;
      const wait = c.budget.waitFor('create');
      if (wait > 0) {
        due(now + wait);
        break;
      }
      c.startCreate(t);
    }

    // Cancels first among the other requests: the user is waiting on them.
    for (const t of followed) {
      if (t.busy || !t.cancelWanted || t.cancelSent || !t.providerId) continue;
      if (t.cancelDueAt > now) {
        due(t.cancelDueAt);
        continue;
      }
      if (c.budget.available('other') < 1) break;
      c.sendCancel(t, t.providerId);
    }

    const listMode = !!c.provider.list && followed.length >= c.opts.listThreshold;
    let processing = 0;
    for (const t of followed) if (t.seenStatus === 'processing') processing++;
    const refreshMs = Math.max(c.opts.processingRefreshMs, (processing * 1000) / c.opts.progressRequestsPerSec);
    if (listMode && !c.listBusy) {
      // Sweep when the most urgent covered prediction is due by its own cadence (a batch of long
      // cold boots is swept every few seconds, not every second), never faster than listIntervalMs.
      let urgent = Infinity;
      for (const t of followed) if (!t.uncovered && !t.busy) urgent = Math.min(urgent, t.dueAt);
      const sweepAt = Math.max(c.listDueAt, urgent === Infinity ? c.listDueAt : urgent);
      if (now >= sweepAt && c.budget.available('other') >= 1) c.listSweep(followed);
      else due(Math.max(sweepAt, now + c.budget.waitFor('other')));
    }

    for (const t of followed) {
      if (t.busy) continue;
      let at = t.dueAt;
      if (listMode && !t.uncovered && !t.needsFull) {
        // Covered by the list sweep; only processing ones get a periodic full look (logs).
        at = t.seenStatus === 'processing' ? Math.max(t.dueAt, t.lastFullAt + refreshMs) : Infinity;
      }
      if (t.needsFull) at = Math.min(at, Math.max(now, t.dueAt));
      if (at > now) {
        due(at);
        continue;
      }
      const wait = c.budget.waitFor('other');
      if (wait > 0) {
        due(now + wait);
        break;
      }
      c.poll(t);
    }
    c.finishTick(nextAt, now);
  }

  function finishTick(nextAt: number, now: number) {
    if (nextAt !== Infinity) c.schedule(Math.max(5, nextAt - now));
  }

  return { run, schedule, tick, finishTick };
}
