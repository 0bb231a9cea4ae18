import { isFollowed, type Core, type EngineOps, type FollowedTrack, type Track } from './core.ts';

// One lane's share of the scheduler (ARCHITECTURE.md, "The engine"): at each wake-up of the one loop (loop.ts), what of
// this provider's goes out under its request budget — reconciliation of lost creates, cancels,
// list sweeps and status checks — and which of its queued runs are ready to be created (loop.ts
// starts those, within the one concurrency bound over all providers).

export function createScheduler(c: Core): Pick<EngineOps, 'run' | 'schedule' | 'tickLane' | 'readyCreates' | 'createWait'> {
  function run<T>(p: Promise<T>): void {
    const wrapped = p
      .catch((err) => c.log.error('engine task failed', { err: String(err) }))
      .finally(() => {
        c.pending.delete(wrapped);
        if (c.running) c.schedule(0);
      });
    c.pending.add(wrapped);
  }

  function schedule(delay: number) {
    if (!c.running) return;
    c.loop.schedule(delay);
  }

  /** Paused for the key or unreachable: no creates (they wait, queued, with the note saying why). */
  const sending = () => c.running && !c.keyPause && c.health.online;

  function readyCreates(now: number): { ready: Track[]; nextAt: number } {
    const ready: Track[] = [];
    let nextAt = Infinity;
    if (!sending()) return { ready, nextAt };
    for (const t of c.tracks.values()) {
      if (t.phase.kind !== 'queued' || t.busy) continue;
      if (t.dueAt > now) nextAt = Math.min(nextAt, t.dueAt);
      else ready.push(t);
    }
    ready.sort((a, b) => a.dueAt - b.dueAt);
    return { ready, nextAt };
  }

  function tickLane(now: number): number {
    if (!c.running) return Infinity;
    // Key rejected: nothing at all goes out (ARCHITECTURE.md, "Runs and their lifecycle") until keyChanged() wakes the scheduler.
    if (c.keyPause) return Infinity;
    let nextAt = Infinity;
    const due = (at: number) => {
      nextAt = Math.min(nextAt, at);
    };

    if (!c.health.online) {
      // Outage: one probe at a time, slowly; everything else of this provider waits for it to succeed.
      if (!c.probing && now >= c.nextProbeAt) c.probe();
      due(c.nextProbeAt);
      return nextAt;
    }

    const followed: FollowedTrack[] = [];
    for (const t of c.tracks.values()) {
      if (isFollowed(t)) followed.push(t);
      else if (t.phase.kind === 'reconcile' && !t.busy) {
        if (t.dueAt <= now && !c.listBusy) c.reconcileSweep();
        else due(t.dueAt);
      }
    }

    // Cancels first among the other requests: the user is waiting on them.
    for (const t of followed) {
      if (t.busy || !t.cancelWanted || t.phase.cancelSent) continue;
      if (t.phase.cancelDueAt > now) {
        due(t.phase.cancelDueAt);
        continue;
      }
      if (c.budget.available('other') < 1) break;
      c.sendCancel(t);
    }

    const listMode = !!c.provider.list && followed.length >= c.opts.listThreshold;
    c.swept = listMode ? followed.length : 0;
    let processing = 0;
    for (const t of followed) if (t.phase.seenStatus === 'processing') processing++;
    const refreshMs = Math.max(c.opts.processingRefreshMs, (processing * 1000) / c.opts.progressRequestsPerSec);
    if (listMode && !c.listBusy) {
      // Sweep when the most urgent covered prediction is due by its own cadence (a batch of long
      // cold boots is swept every few seconds, not every second), never faster than listIntervalMs.
      // Right after an end, the gap alone decides: the rest of its batch is likely ending too.
      let urgent = Infinity;
      for (const t of followed) if (!t.phase.uncovered && !t.busy) urgent = Math.min(urgent, t.dueAt);
      const sweepAt = c.endsNear(followed) ? c.listDueAt : Math.max(c.listDueAt, urgent === Infinity ? c.listDueAt : urgent);
      if (now >= sweepAt && c.budget.available('other') >= 1) c.listSweep(followed);
      else due(Math.max(sweepAt, now + c.budget.waitFor('other')));
    }

    for (const t of followed) {
      if (t.busy) continue;
      const f = t.phase;
      let at = t.dueAt;
      if (listMode && !f.uncovered && !f.needsFull) {
        // Covered by the list sweep; only processing ones get a periodic full look (logs).
        at = f.seenStatus === 'processing' ? Math.max(t.dueAt, f.lastFullAt + refreshMs) : Infinity;
      }
      if (f.needsFull) at = Math.min(at, Math.max(now, t.dueAt));
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
    return nextAt;
  }

  return { run, schedule, tickLane, readyCreates, createWait: () => c.budget.waitFor('create') };
}
