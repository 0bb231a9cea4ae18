import type { PredictionRecord } from '../history/types.ts';
import { ProviderError } from '../providers/errors.ts';
import { KilnError } from '../../../shared/ipc.ts';
import { isQueuedLocally, isTerminal } from '../../../shared/domain/status.ts';
import { createBudget } from './budget.ts';
import { backoffDelay } from '../../../shared/backoff.ts';
import { createHealth } from './health.ts';
import { createCancelWaiters, type CancelOutcome } from './cancel.ts';
import { resolveEngineOptions } from './options.ts';
import { PROVIDER_LIST_HORIZON_MS, type Core, type EngineDeps, type EngineState, type RecordListener, type SubmitRequest } from './core.ts';
import { createJournal } from './journal.ts';
import { createScheduler } from './scheduler.ts';
import { createNetwork } from './network.ts';
import { createSubmit } from './submit.ts';
import { createReconcile } from './reconcile.ts';
import { createFollow } from './follow.ts';
import { createStreams } from './streams.ts';
import { createTracks } from './tracks.ts';
import { createRuntimes } from './runtimes.ts';
import type { Loop } from './loop.ts';

// One provider's lane of the engine (ARCHITECTURE.md, "Runs and their lifecycle", §4; docs/ARCHITECTURE.md, "The engine"): its runs,
// its request budget, network health, key pause, list and probe state. The one scheduler over all
// lanes (loop.ts) wakes it; with more than a handful in flight, status checks switch to the list
// endpoint (one request covers up to 100 runs) and a full GET is made only for runs whose status
// moved, so 1,000 in flight stay far below the provider's limits.
//
// The journal lives in the history store: the intent is written before the create request
// (`submitting` + an attempt count), the provider id right after. A crash at any point leaves a
// record that start() knows how to finish: `queued` → send, `submitting` without an id →
// reconcile against the provider's recent runs (never re-create blindly), an id → follow.

/**
 * A held create (hold.ts) answers only when its run ends, but a refusal (key, credit, model, input)
 * is answered at once, before anything is held: with no answer after this long, waitSubmitted
 * takes it as accepted, so the composer is free again while the run goes on.
 */
const HELD_ANSWER_MS = 1500;

/** One provider's lane; createEngine composes one per provider over one loop. */
export function createLane(deps: EngineDeps, loop: Loop) {
  const opts = resolveEngineOptions(deps.options);
  const budget = createBudget(deps.clock, opts.budget);
  deps.provider.setGate({
    acquire: (kind, signal) => budget.acquire(kind, signal),
    throttled: (kind, ms) => budget.pause(kind, ms ?? backoffDelay(1, opts.backoff, opts.random)),
  });
  const state: EngineState = {
    deps,
    loop,
    history: deps.history,
    vault: deps.vault,
    provider: deps.provider,
    publisher: deps.publisher,
    clock: deps.clock,
    log: deps.log,
    opts,
    budget,
    health: createHealth({ offlineAfterFailures: opts.offlineAfterFailures }),
    cancels: createCancelWaiters(),
    tracks: new Map(),
    listeners: new Set(),
    keyListeners: new Set(),
    pending: new Set(),
    running: false,
    dead: false,
    held: 0,
    streams: 0,
    listBusy: false,
    listDueAt: 0,
    swept: 0,
    listEndsSeen: new Map(),
    nextProbeAt: 0,
    probing: false,
    offlineDetail: null,
    keyPause: null,
    writeFailures: 0,
    looked: new Set(),
    saving: new Map(),
    createErrors: new Map(),
    uploads: new Map(),
    detachedTimers: new Set(),
  };
  // The modules call each other through `c`, filled in here before anything runs.
  const c = state as Core;
  /** Runs of this engine's provider (rows written before the provider column existed are Replicate's). */
  const mine = (rec: PredictionRecord) => (rec.provider ?? 'replicate') === c.provider.id;
  Object.assign(
    c,
    createJournal(c),
    createScheduler(c),
    createNetwork(c),
    createSubmit(c),
    createReconcile(c),
    createFollow(c),
    createStreams(c),
    createTracks(c),
    createRuntimes(c),
  );
  loop.add(c);

  // ── public API ────────────────────────────────────────────────────────────────────────────────
  function submit(req: SubmitRequest): PredictionRecord {
    if (c.dead) throw new KilnError({ code: 'internal', message: 'engine stopped' });
    const version = req.version ?? null;
    const rec = c.history.insertIntent({
      id: crypto.randomUUID(),
      provider: c.provider.id,
      model: req.model,
      version,
      target: req.target ?? (version ? 'version' : 'model'),
      input: req.input,
      inputSchema: req.inputSchema ?? null,
      cancelAfter: req.cancelAfter === undefined ? c.deps.settings.get().cancelAfter : req.cancelAfter,
      retryOf: req.retryOf ?? null,
      sourceId: req.sourceId ?? null,
      createdAt: c.clock.now(),
    });
    c.publisher.changed(rec.id);
    for (const l of c.listeners) l(rec);
    c.track(rec, { kind: 'queued' });
    // Held with the rest while the key is rejected: the card says why it does not start.
    if (c.keyPause) return c.tryWrite(rec.id, { note: c.keyPause }) ?? rec;
    c.schedule(0);
    return rec;
  }

  return {
    options: c.opts,
    budget: c.budget,
    provider: c.provider,
    async start() {
      if (c.running) return;
      c.running = true;
      c.dead = false;
      if (c.opts.resumeOnStart) {
        for (const rec of c.history.listActive()) if (mine(rec) && (c.opts.resumeOnStart === true || rec.providerId)) c.resume(rec);
        for (const rec of c.history.listUnsaved()) if (mine(rec)) c.save(rec);
        // Canceled while its create was out, then the process died before the answer: the create
        // may have reached Replicate. Look for it (never re-send) and cancel it there if found.
        // Only the owning app does this; older than the provider's retention, nothing is listed anyway.
        if (c.opts.resumeOnStart === true) {
          for (const rec of c.history.listCanceledBeforeCreate(c.clock.now() - PROVIDER_LIST_HORIZON_MS)) {
            if (!mine(rec)) continue;
            const t = c.track(rec, { kind: 'reconcile', tries: 0 });
            t.endedLocally = true;
            t.intent.since = rec.createdAt;
          }
        }
      }
      c.schedule(0);
    },
    /** Graceful: stops scheduling and waits (bounded) for requests already out. */
    async stop() {
      c.halt();
      await Promise.race([Promise.allSettled([...c.pending]), new Promise((r) => setTimeout(r, 3000).unref())]);
      c.tracks.clear();
      // The history closes right after us: send what is pending now rather than from a timer later.
      c.publisher.flushNow();
    },
    /** A crash, for tests: nothing is written after this, nothing is awaited. */
    kill() {
      c.dead = true;
      c.halt();
      c.tracks.clear();
      c.publisher.flushNow();
    },
    submit,
    /** Follow one journal record (the CLI's `show`/`cancel` of a prediction left running). */
    resume(id: string) {
      const rec = c.history.get(id);
      if (!rec || !mine(rec)) return;
      c.resume(rec);
      if (rec.status === 'succeeded' && rec.saveState !== 'saved' && !c.saving.has(id)) c.save(rec);
      c.schedule(0);
    },
    /** Ids this engine follows or is saving (the CLI: what it picked up from earlier runs). */
    followedIds: () => [...new Set([...c.tracks.keys(), ...c.saving.keys()])],
    /**
     * Resolves once each of these has had a first remote look since start (or left the engine) and
     * the outputs of those that finished are saved — bounded, and early when Replicate is unreachable.
     * The CLI uses it so a short command still brings predictions left running up to date.
     */
    async settle(ids: string[], timeoutMs: number): Promise<void> {
      const end = c.clock.now() + timeoutMs;
      // A plain (ref'd) timer: the clock's are unref'd, and a CLI awaiting only this must not exit early.
      const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
      while (c.clock.now() < end && c.health.online && !c.keyPause && ids.some((id) => c.tracks.has(id) && !c.looked.has(id))) await pause(50);
      const saves = ids.map((id) => c.saving.get(id)).filter((p): p is Promise<void> => !!p);
      if (!saves.length) return;
      let h: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([Promise.allSettled(saves), new Promise<void>((r) => (h = setTimeout(r, Math.max(0, end - c.clock.now()))))]);
      clearTimeout(h); // a pending ref'd timer would hold the CLI open until the bound
    },
    /** Resolves when the vault has settled this prediction's outputs (immediately if nothing is being saved). */
    whenSaved: (id: string) => c.saving.get(id) ?? Promise.resolve(),
    /** Resolves once the create is accepted (or queued while offline; or held, with no refusal after HELD_ANSWER_MS); rejects with a permanent create error, or `auth` while held for a rejected key. */
    waitSubmitted(id: string, timeoutMs: number): Promise<PredictionRecord | null> {
      return new Promise((resolve, reject) => {
        const check = (rec: PredictionRecord) => {
          if (rec.id !== id) return false;
          const err = c.createErrors.get(id);
          if (err) return (reject(err), true);
          // Held for a rejected key: an answer a host can act on (the CLI exits 3); the run stays queued and goes out once a key is saved.
          if (isQueuedLocally(rec) && c.keyPause)
            return (
              reject(
                new ProviderError({
                  code: 'auth',
                  message: `${c.keyPause}: ${c.provider.label} refuses the API key. The run is kept and sent once a working key is saved (${c.provider.keyHint}).`,
                }),
              ),
              true
            );
          if (rec.providerId || isTerminal(rec.status) || (isQueuedLocally(rec) && !c.health.online)) return (resolve(rec), true);
          const t = c.tracks.get(id);
          // Its answer was lost and the provider's history cannot yet say whether it exists
          // (reconcile.ts 'wait'): no refusal is coming to show, the card says what is going on.
          if (t?.phase.kind === 'reconcile' && t.phase.waiting) return (resolve(rec), true);
          if (grace === null && t?.phase.kind === 'submitting' && t.phase.held)
            grace = c.clock.setTimeout(() => {
              done();
              resolve(c.history.get(id));
            }, HELD_ANSWER_MS);
          return false;
        };
        let grace: unknown = null;
        const now = c.history.get(id);
        if (now && check(now)) return;
        const off = onRecord((r) => {
          if (check(r)) done();
        });
        const h = c.clock.setTimeout(() => {
          done();
          resolve(c.history.get(id));
        }, timeoutMs);
        function done() {
          off();
          c.clock.clearTimeout(h);
          if (grace !== null) c.clock.clearTimeout(grace);
        }
      });
    },
    /**
     * Asks for a run's end. Throws `not_found` at once; otherwise resolves with what became of the
     * cancel (cancel.ts: accepted, refused with Replicate's reason, key-rejected, …) once Replicate
     * answered — hosts that do not care may ignore the promise.
     */
    cancel(id: string): Promise<CancelOutcome> {
      const rec = c.history.get(id);
      if (!rec) throw new KilnError({ code: 'not_found', message: 'No such prediction.' });
      if (isTerminal(rec.status)) return Promise.resolve({ outcome: 'already-ended', status: rec.status });
      const t = c.tracks.get(id);
      if (isQueuedLocally(rec) && (!t || !t.busy)) {
        // Never sent: nothing to cancel remotely.
        c.tracks.delete(id);
        c.write(id, { status: 'canceled', statusSince: c.clock.now(), completedAt: c.clock.now(), cancelRequested: true, note: null });
        return Promise.resolve({ outcome: 'canceled-locally' });
      }
      if (!rec.providerId && t?.phase.kind !== 'follow') {
        // No create is known to exist (one is out, or its answer was lost and is being reconciled, or
        // another process owns it): the card ends now, and if a create does turn up remotely it is
        // canceled there (foundUnwanted) — never created afresh, never left running.
        c.write(id, { status: 'canceled', statusSince: c.clock.now(), completedAt: c.clock.now(), cancelRequested: true, note: null });
        if (t) {
          t.endedLocally = true;
          t.cancelWanted = true;
        }
        c.schedule(0);
        return Promise.resolve({ outcome: 'canceled-locally' });
      }
      c.write(id, { cancelRequested: true });
      if (!t)
        return Promise.resolve({
          outcome: 'pending',
          message: 'This process does not follow the run; the cancel is kept on it and sent by the one that does.',
        });
      t.cancelWanted = true;
      if (t.phase.kind === 'follow') {
        t.phase.cancelSent = false;
        t.phase.cancelDueAt = 0;
        t.phase.cancelFailures = 0;
      }
      t.dueAt = c.clock.now();
      const outcome = c.cancels.wait(id);
      if (c.keyPause) c.cancels.settle(id, { outcome: 'key-rejected', message: c.keyPause });
      c.schedule(0);
      return outcome;
    },
    retry(id: string): PredictionRecord {
      const rec = c.history.get(id);
      if (!rec) throw new KilnError({ code: 'not_found', message: 'No such prediction.' });
      return submit({
        model: rec.model,
        version: rec.version,
        target: rec.target,
        input: rec.input,
        inputSchema: rec.inputSchema,
        cancelAfter: rec.cancelAfter,
        retryOf: rec.retryOf ?? rec.id,
        sourceId: rec.sourceId ?? null,
      });
    },
    onRecord,
    forget: c.forget,
    /** Call when a key is saved: runs paused for a rejected key are followed again at once. */
    keyChanged: c.keyChanged,
    /** The card note while runs are paused for the key ("Paused — key rejected"), else null. */
    keyRejected: (): string | null => c.keyPause,
    /** Hears the pause (the note) and its end (null). The CLI exits 3 on a pause. */
    onKeyPause(l: (note: string | null) => void): () => void {
      c.keyListeners.add(l);
      return () => c.keyListeners.delete(l);
    },
    isOnline: () => c.health.online,
    inFlight: () => c.tracks.size,
  };

  function onRecord(l: RecordListener): () => void {
    c.listeners.add(l);
    return () => c.listeners.delete(l);
  }
}

export type Lane = ReturnType<typeof createLane>;
