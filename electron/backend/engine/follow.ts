import type { PredictionRecord } from '../history/types.ts';
import type { RemoteRun } from '../providers/types.ts';
import { ProviderError } from '../providers/errors.ts';
import { KilnError } from '../../../shared/ipc.ts';
import { isTerminal } from '../../../shared/domain/status.ts';
import { backoffDelay } from '../../../shared/backoff.ts';
import { nextLookDelay, stepSeenAt } from './cadence.ts';
import type { RequestClass } from './health.ts';
import { mergeRemote } from './merge.ts';
import { classifyFailure, worthRetrying } from './failures.ts';
import { type Core, type EngineOps, type FollowedTrack, type Track, WriteFailed } from './core.ts';

// Following runs (ARCHITECTURE.md, "The engine"): list sweeps (one request covers many runs), per-run GETs for the
// rest and for every end (logs and seed), cancels, and folding each answer into
// the record (merge.ts decides what changes; here it is written and the next look timed).

export function createFollow(
  c: Core,
): Pick<EngineOps, 'listSweep' | 'sweepGap' | 'endsNear' | 'doListSweep' | 'requestFor' | 'poll' | 'sendCancel' | 'applyRemote'> {
  function listSweep(followed: FollowedTrack[]) {
    c.listBusy = true;
    c.run(
      c.doListSweep(followed).finally(() => {
        c.listBusy = false;
        // A failed sweep has set its own back-off; never sweep sooner than that.
        c.listDueAt = Math.max(c.listDueAt, c.clock.now() + c.sweepGap(followed));
      }),
    );
  }

  /** The runs followed are few enough that one sweep looks at them all at the endgame pace (cadence.ts, `fewSwept`). */
  const fewSwept = () => c.swept > 0 && c.swept <= c.opts.listFewAt;

  /**
   * The gap between sweeps grows with the number followed: a sweep costs one page per 100, and
   * ARCHITECTURE.md, "Performance targets" asks for 1.5 s detection with a few in flight but 5 s with 1,000, so a big batch is
   * swept less often rather than paying ten pages every second.
   */
  function sweepGap(followed: FollowedTrack[]): number {
    const followedCount = followed.length;
    if (followedCount <= c.opts.listFewAt) return c.opts.listFewMs;
    if (endsNear(followed)) return c.opts.listEndsMs;
    const span = Math.max(1, c.opts.listIntervalMaxAt - c.opts.listThreshold);
    const f = Math.min(1, Math.max(0, followedCount - c.opts.listThreshold) / span);
    return Math.round(c.opts.listIntervalMs + f * Math.max(0, c.opts.listIntervalMaxMs - c.opts.listIntervalMs));
  }

  /**
   * A sweep has just seen a run of some model end, another run of that model is processing, and
   * one page still covers every run followed (opts.listEndsMs). Runs still booting are not near
   * their end, whatever ended beside them. With a few followed (listFewAt) the sweeps already come
   * at the endgame pace when a run's own cadence asks.
   */
  function endsNear(followed: FollowedTrack[]): boolean {
    if (followed.length <= c.opts.listFewAt || followed.length > c.opts.listEndsAt || !c.listEndsSeen.size) return false;
    const since = c.clock.now() - c.opts.listEndsForMs;
    for (const [model, at] of c.listEndsSeen) if (at < since) c.listEndsSeen.delete(model);
    return followed.some((t) => t.phase.seenStatus === 'processing' && c.listEndsSeen.has(t.intent.model));
  }

  async function doListSweep(followed: FollowedTrack[]) {
    const byProvider = new Map<string, FollowedTrack>();
    let oldest = Infinity;
    for (const t of followed) {
      byProvider.set(t.phase.providerId, t);
      if (t.phase.providerCreatedAt !== null) oldest = Math.min(oldest, t.phase.providerCreatedAt);
    }
    let seen = 0;
    const reached = new Set<FollowedTrack>();
    let next: string | null = null;
    // created_after bounds the listing at the oldest one followed, so the last page is the last one
    // needed (no page fetched only to see that it is too old). Exclusive on the server: one ms earlier.
    const bounded = oldest !== Infinity && followed.every((t) => t.phase.providerCreatedAt !== null);
    const query = bounded ? { createdAfter: new Date(oldest - 1).toISOString() } : undefined;
    try {
      for (let page = 0; page < c.opts.listMaxPages && seen < byProvider.size; page++) {
        const res = await c.listPage(next, query);
        if (c.dead) return;
        c.noteSuccess('list');
        for (const r of res.results) {
          const t = byProvider.get(r.id);
          if (!t) continue;
          const f = t.phase;
          seen++;
          reached.add(t);
          f.uncovered = false;
          if (r.status === f.seenStatus) {
            // Unchanged: next look by this prediction's own cadence.
            const n = c.clock.now();
            t.dueAt =
              n +
              nextLookDelay(
                {
                  status: r.status,
                  sinceCreate: n - f.since,
                  inStatus: n - (f.statusSeenAt ?? f.since),
                  queuePosition: r.queuePosition ?? null,
                  queueMoved: null,
                  typicalRunMs: r.status === 'processing' ? c.typicalRun(t.intent.model, r.version ?? null) : null,
                  progress: f.progressSeen,
                  fewSwept: fewSwept(),
                },
                c.opts.cadence,
              );
          } else if (isTerminal(r.status)) {
            // An end gets one full GET whatever the detection path (ARCHITECTURE.md, "The engine"): the list item has no
            // logs, so without it a finished card would lack its logs, progress and seed. The list's
            // view is kept in case that GET is refused.
            f.listEnd = r;
            f.needsFull = true;
            t.dueAt = c.clock.now();
            c.listEndsSeen.set(t.intent.model, t.dueAt);
          } else {
            // A non-terminal move (starting → processing): the list item says enough.
            f.lastFullAt = c.clock.now();
            c.applyRemote(t, { ...r, logs: undefined, output: undefined });
          }
        }
        const last = res.results[res.results.length - 1];
        if (!res.next || (last && (last.createdAt ?? NaN) < oldest)) break;
        next = res.next;
        if (c.budget.available('other') < 1) break; // leave the rest to direct polls rather than queue behind
      }
      // Only after a whole sweep do we know who it did not reach: those are polled directly.
      for (const t of byProvider.values()) if (!reached.has(t)) t.phase.uncovered = true;
    } catch (err) {
      if (c.dead) return;
      c.noteFailure(err, 'list');
      // A partial outage is not an outage (ARCHITECTURE.md, "Runs and their lifecycle"): while the list endpoint fails, every run it
      // covered is followed by its own GET, and the list is tried again after a back-off.
      for (const t of byProvider.values()) t.phase.uncovered = true;
      c.listDueAt = c.clock.now() + backoffDelay(Math.max(1, c.health.failures('list')), c.opts.backoff, c.opts.random);
    }
  }

  /**
   * One request about one tracked prediction: the track is busy meanwhile, the network health
   * hears how it went, and nothing is applied once the engine is dead (a crash in tests).
   */
  function requestFor<T>(t: Track, kind: RequestClass, call: () => Promise<T>, ok: (value: T) => void, fail: (err: unknown) => void) {
    t.busy = true;
    c.run(
      call()
        .then((value) => {
          if (c.dead) return;
          c.noteSuccess(kind);
          ok(value);
        })
        // Also catches a throw from `ok` (a broken database): the failure path sets a back-off, so a
        // run is never re-polled in a tight loop.
        .catch((err: unknown) => {
          if (c.dead) return;
          c.noteFailure(err, kind);
          fail(err);
        })
        .finally(() => {
          t.busy = false;
        }),
    );
  }

  function poll(t: FollowedTrack) {
    const f = t.phase;
    const providerId = f.providerId;
    c.requestFor(
      t,
      'get',
      // The track mirrors the record's cancelRequested (restored on resume, another process's seen in
      // applyRemote): no history read on every poll.
      () => c.provider.get({ id: providerId, model: t.intent.model, cancelRequested: t.cancelWanted }),
      (p) => {
        t.failures = 0;
        f.needsFull = false;
        f.lastFullAt = c.clock.now();
        f.listEnd = null;
        c.applyRemote(t, p);
      },
      (err) => {
        const cls = classifyFailure(err);
        if (cls === 'key') return; // paused; keyChanged() looks again
        if (cls === 'answer' && f.listEnd && err instanceof ProviderError) {
          // The final GET was refused (gone, or not ours any more): the end the list showed stands.
          const end = f.listEnd;
          f.listEnd = null;
          f.needsFull = false;
          return c.applyRemote(t, { ...end, logs: undefined }, true);
        }
        t.failures++;
        const delay = c.retryDelay(t, err);
        t.dueAt = c.clock.now() + delay;
        const note =
          cls === 'rate' ? `Rate limited — retrying in ${Math.ceil(delay / 1000)} s` : cls === 'answer' && err instanceof KilnError ? err.message : null;
        if (note && c.health.online) c.tryWrite(t.id, { note });
      },
    );
  }

  function sendCancel(t: FollowedTrack) {
    const f = t.phase;
    f.cancelSent = true;
    c.requestFor(
      t,
      'cancel',
      () => c.provider.cancel({ id: f.providerId, model: t.intent.model }),
      (answer) => {
        f.cancelFailures = 0;
        c.cancels.settle(t.id, { outcome: 'accepted', status: answer.status });
        if (answer.run) c.applyRemote(t, answer.run);
        f.needsFull = true;
        t.dueAt = c.clock.now() + c.opts.cadence.initialMs;
      },
      (err) => {
        const cls = classifyFailure(err);
        const message = err instanceof Error ? err.message : String(err);
        f.cancelSent = false;
        if (cls === 'key') {
          // Paused with the rest; the cancel stays wanted and goes out once a key is saved.
          c.cancels.settle(t.id, { outcome: 'key-rejected', message });
          return;
        }
        if (worthRetrying(cls) || !(err instanceof ProviderError)) {
          // No answer (network, 5xx, 429 — or our own failure to record one): again after a back-off, never at once (no storm).
          f.cancelFailures++;
          f.cancelDueAt =
            c.clock.now() + ((err instanceof ProviderError ? err.retryAfterMs : null) ?? backoffDelay(f.cancelFailures, c.opts.backoff, c.opts.random));
          return;
        }
        // Refused (an HTML 404, another account's prediction…): an answer. Say so, stop asking, and
        // keep following the run, whose end and outputs must not be lost.
        t.cancelWanted = false;
        f.stickyNote = `Cancel refused by ${c.provider.label}: ${message}`;
        c.tryWrite(t.id, { cancelRequested: false, note: f.stickyNote });
        f.needsFull = true;
        t.dueAt = c.clock.now();
        c.cancels.settle(t.id, { outcome: 'refused', message: f.stickyNote });
      },
    );
  }

  /** Folds a provider view of the prediction into the record: one write, only what changed. */
  function applyRemote(t: FollowedTrack, p: RemoteRun, fromList = false) {
    const rec = c.history.get(t.id);
    if (!rec || c.dead) return;
    const f = t.phase;
    const now = c.clock.now();
    // A cancel written by another process on the same history (the CLI next to the app) is honoured here too.
    if (rec.cancelRequested && !t.cancelWanted) {
      t.cancelWanted = true;
      f.cancelSent = false;
    }
    // Ended on the card before the create was known to exist: a running status must not bring it back.
    const holdLocalEnd = t.endedLocally && !isTerminal(p.status);
    const patch = mergeRemote(rec, p, {
      now,
      fromList,
      holdLocalEnd,
      keepNote: !c.health.online || !!c.keyPause || (f.stickyNote !== null && rec.note === f.stickyNote),
    });
    let next: PredictionRecord | null;
    try {
      next = Object.keys(patch).length ? c.write(t.id, patch) : rec;
    } catch (err) {
      if (!(err instanceof WriteFailed)) throw err;
      // Nothing in memory moved: the next look (a full GET after the write back-off) writes it all again.
      f.needsFull = true;
      t.dueAt = now + c.writeRetryDelay();
      return;
    }
    if (!next) return;
    c.looked.add(t.id);
    if (f.seenStatus !== p.status) f.statusSeenAt = now;
    f.seenStatus = p.status;
    // Steps from this answer's logs (a list item has none: the last ones seen stand). A step is
    // timed when first seen (stepSeenAt), so a run stuck on one step does not look slower than it is.
    if (next.status !== 'processing') {
      f.progressSeen = null;
      f.stepsLookedAt = null;
    } else if (p.logs !== undefined) {
      const steps = next.progress;
      const inStatus = now - next.statusSince;
      const prev = f.stepsLookedAt !== null && f.stepsLookedAt >= next.statusSince ? f.stepsLookedAt - next.statusSince : null;
      const current = steps?.current ?? null;
      const total = steps?.total ?? null;
      if (current !== null && total !== null && (current !== f.progressSeen?.current || total !== f.progressSeen.total))
        f.progressSeen = { current, total, atInStatus: stepSeenAt(current, inStatus, prev) };
      f.stepsLookedAt = now;
    }
    f.providerCreatedAt = next.providerCreatedAt;

    if (isTerminal(next.status) && !holdLocalEnd) {
      c.stopStream(t);
      c.tracks.delete(t.id);
      c.cancels.settle(t.id, { outcome: 'already-ended', status: next.status });
      if (next.status === 'succeeded') {
        c.ranOnce(next.model);
        c.save(next);
      }
      return;
    }
    // Timed by what Kiln knows: the queue position (fal) and how fast it moves, and this model's past run times (cadence.ts).
    const q = p.queuePosition ?? null;
    if (q !== null && !f.queueFirstSeen) f.queueFirstSeen = { position: q, at: now };
    const moved = q !== null && f.queueFirstSeen ? { positions: f.queueFirstSeen.position - q, ms: now - f.queueFirstSeen.at } : null;
    const look = {
      status: p.status,
      sinceCreate: now - f.since,
      inStatus: now - (holdLocalEnd ? f.since : next.statusSince),
      queuePosition: q,
      queueMoved: moved,
      typicalRunMs: p.status === 'processing' ? c.typicalRun(next.model, next.version) : null,
      progress: f.progressSeen,
      fewSwept: fewSwept(),
    };
    t.dueAt = now + nextLookDelay(look, c.opts.cadence);
    // Its stream, if it has one (streams.ts): a status stream that follows it also defers this look.
    if (!holdLocalEnd) c.offerStream(t, next.urls.stream, p);
  }

  return { listSweep, sweepGap, endsNear, doListSweep, requestFor, poll, sendCancel, applyRemote };
}
