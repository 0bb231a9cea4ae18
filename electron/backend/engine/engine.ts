import { readFile } from 'node:fs/promises';
import type { Clock, Logger, SettingsAdapter } from '../types.ts';
import type { HistoryStore, PredictionRecord } from '../history/types.ts';
import type { MediaVault } from '../vault/types.ts';
import type { Publisher, Emit } from '../events/publisher.ts';
import type { Provider, RemoteRun } from '../providers/types.ts';
import { ProviderError } from '../providers/errors.ts';
import { KilnError } from '../../../shared/ipc.ts';
import { isTerminal } from '../../../shared/domain/status.ts';
import { createBudget, type RequestKind } from './budget.ts';
import { backoffDelay } from './backoff.ts';
import { nextPollDelay } from './cadence.ts';
import { inputsMatch, modelsMatch } from './match.ts';
import { createHealth, type RequestClass } from './health.ts';
import { classifyFailure, keyNote, worthRetrying } from './failures.ts';
import { createCancelWaiters, type CancelOutcome } from './cancel.ts';
import { writeFailedNote } from './record-rules.ts';
import { followStream } from './streams.ts';
import { mergeRemote } from './merge.ts';
import { resolveEngineOptions, type EngineOptionsInput } from './options.ts';

export { DEFAULT_ENGINE_OPTIONS, resolveEngineOptions, type EngineOptions, type EngineOptionsInput } from './options.ts';

export type { CancelOutcome } from './cancel.ts';

// The prediction engine (DESIGN §3, §4). ONE scheduler follows every in-flight prediction: a single
// timer wakes at the earliest due moment and decides, under one shared request budget, what goes
// out: queued creates (up to the concurrency setting, only while online), reconciliation of creates
// whose response was lost, cancels, and status checks. With more than a handful in flight, status
// checks switch to the list endpoint (one request covers up to 100 predictions) and a full GET is
// made only for predictions whose status moved, so 1,000 in flight stay far below 3000 requests/min.
//
// The journal lives in the history store: the intent is written before the create request
// (`submitting` + an attempt count), the provider id right after. A crash at any point leaves a
// record that start() knows how to finish: `queued` → send, `submitting` without an id →
// reconcile against the provider's recent predictions (never re-create blindly), an id → follow.

type Phase = 'queued' | 'submitting' | 'reconcile' | 'follow';

interface Track {
  id: string;
  phase: Phase;
  dueAt: number;
  busy: boolean;
  failures: number;
  reconcileTries: number;
  /** Status last seen via list or GET, to notice changes cheaply. */
  seenStatus: string | null;
  needsFull: boolean;
  lastFullAt: number;
  followSince: number;
  /** Not reached by the last list sweep: poll it directly. */
  uncovered: boolean;
  stream: AbortController | null;
  cancelWanted: boolean;
  cancelSent: boolean;
  /** After a cancel that got no answer (network, 5xx, 429): not before this (back-off, never a burst). */
  cancelDueAt: number;
  cancelFailures: number;
  /** A note that stays on the card until the run ends (a refused cancel), not cleared by the next look. */
  stickyNote: string | null;
  /** The end as the list endpoint showed it: used only if the final GET is refused (DESIGN §4: logs at the end). */
  listEnd: RemoteRun | null;
  providerId: string | null;
  providerCreatedAt: number | null;
  statusSeenAt: number | null;
  /** What reconciliation matches on, kept here: the row may be gone (deleted) or already ended (canceled). */
  intent: { model: string; input: Record<string, unknown>; since: number };
  /**
   * The record already ended locally (canceled before any create was known to exist) while a
   * create may still be out or unreconciled: if one turns up remotely, it is canceled there and
   * the card never goes back to a running status.
   */
  endedLocally: boolean;
  /** The row was deleted while its create was out or unreconciled: cancel whatever turns up. */
  forgotten: boolean;
}

/** Streamed text is written at most this often (one write per token would rewrite a long text thousands of times). */
const STREAM_FLUSH_MS = 100;

/** A history write that threw (disk full…): the caller leaves its in-memory state as it was. */
class WriteFailed extends Error {
  constructor(cause: unknown) {
    super(`history write failed: ${String(cause)}`, { cause });
  }
}

/** How far back a restart looks for creates that were canceled before their answer arrived. */
const PROVIDER_LIST_HORIZON_MS = 60 * 60_000;

export interface SubmitRequest {
  model: string;
  version?: string | null;
  target?: PredictionRecord['target'];
  input: Record<string, unknown>;
  retryOf?: string | null;
  cancelAfter?: string | null;
  /** The input schema the form was built from (history keeps it so a later look can explain the input). */
  inputSchema?: Record<string, unknown> | null;
}

type RecordListener = (rec: PredictionRecord) => void;

export function createEngine(deps: { history: HistoryStore; vault: MediaVault; provider: Provider; publisher: Publisher; emit: Emit; clock: Clock; log: Logger; settings: SettingsAdapter; options: EngineOptionsInput }) {
  const { history, vault, provider, publisher, clock, log } = deps;
  const opts = resolveEngineOptions(deps.options);
  const budget = createBudget(clock, opts.budget);
  provider.setGate({
    acquire: (kind, signal) => budget.acquire(kind, signal),
    throttled: (kind: RequestKind, ms) => budget.pause(kind, ms ?? backoffDelay(1, opts.backoff, opts.random)),
  });

  const tracks = new Map<string, Track>();
  const listeners = new Set<RecordListener>();
  const pending = new Set<Promise<unknown>>();
  let timer: unknown = null;
  let timerAt = Infinity;
  let running = false;
  let dead = false;
  let creating = 0;
  let streams = 0;
  let listBusy = false;
  let listDueAt = 0;
  const health = createHealth({ offlineAfterFailures: opts.offlineAfterFailures });
  let nextProbeAt = 0;
  let probing = false;
  let offlineDetail: string | null = null;
  /** Set while the provider refuses the key (DESIGN §3): nothing is sent until keyChanged(). */
  let keyPause: string | null = null;
  const cancels = createCancelWaiters();
  /** Consecutive failed history writes (disk full…): the back-off before the next try. */
  let writeFailures = 0;

  // ── journal writes: one place, so a killed engine can never write again ───────────────────────
  // The durable write comes first and in-memory state moves only after it succeeded (DESIGN §3):
  // a write that throws (disk full) leaves the track as it was, so the next look writes it again.
  function write(id: string, patch: Partial<Omit<PredictionRecord, 'id'>>): PredictionRecord | null {
    if (dead) return null;
    // The user may delete a prediction while a request for it is out: its answer has nowhere to go.
    if (!history.get(id)) {
      forget([id]);
      return null;
    }
    let rec: PredictionRecord;
    try {
      rec = history.update(id, patch);
    } catch (err) {
      writeFailures++;
      log.error('history write failed; will retry', { id, err: String(err) });
      publisher.note(id, writeFailedNote(err));
      throw new WriteFailed(err);
    }
    if (writeFailures) writeFailures = 0;
    publisher.note(id, null);
    publisher.changed(id);
    for (const l of listeners) l(rec);
    return rec;
  }

  /** A note (or another best-effort field): a failed write is already shown on the card and retried by the next look. */
  function tryWrite(id: string, patch: Partial<Omit<PredictionRecord, 'id'>>): PredictionRecord | null {
    try {
      return write(id, patch);
    } catch (err) {
      if (err instanceof WriteFailed) return null;
      throw err;
    }
  }

  function writeRetryDelay(): number {
    return backoffDelay(writeFailures, opts.backoff, opts.random);
  }

  function track(rec: PredictionRecord, phase: Phase, dueAt = clock.now()): Track {
    const t: Track = { id: rec.id, phase, dueAt, busy: false, failures: 0, reconcileTries: 0, seenStatus: rec.providerId ? rec.status : null, needsFull: true, lastFullAt: 0, followSince: clock.now(), uncovered: false, stream: null, cancelWanted: rec.cancelRequested, cancelSent: false, cancelDueAt: 0, cancelFailures: 0, stickyNote: null, listEnd: null, providerId: rec.providerId, providerCreatedAt: rec.providerCreatedAt, statusSeenAt: rec.statusSince, intent: { model: rec.model, input: rec.input, since: rec.statusSince }, endedLocally: false, forgotten: false };
    tracks.set(rec.id, t);
    return t;
  }

  function run<T>(p: Promise<T>): void {
    const wrapped = p.catch((err) => log.error('engine task failed', { err: String(err) })).finally(() => {
      pending.delete(wrapped);
      if (running) schedule(0);
    });
    pending.add(wrapped);
  }

  // ── the scheduler ─────────────────────────────────────────────────────────────────────────────
  function schedule(delay: number) {
    if (!running) return;
    const at = clock.now() + Math.max(0, delay);
    if (timer !== null && at >= timerAt) return;
    if (timer !== null) clock.clearTimeout(timer);
    timerAt = at;
    timer = clock.setTimeout(() => {
      timer = null;
      timerAt = Infinity;
      tick();
    }, Math.max(0, delay));
  }

  function tick() {
    if (!running) return;
    // Key rejected: nothing at all goes out (DESIGN §3) until keyChanged() wakes the scheduler.
    if (keyPause) return;
    const now = clock.now();
    let nextAt = Infinity;
    const due = (at: number) => {
      nextAt = Math.min(nextAt, at);
    };

    if (!health.online) {
      // Outage: one probe at a time, slowly; everything else waits for it to succeed.
      if (!probing && now >= nextProbeAt) probe();
      due(nextProbeAt);
      return finishTick(nextAt, now);
    }

    const concurrency = deps.settings.get().createConcurrency;
    const followed: Track[] = [];
    const queued: Track[] = [];
    for (const t of tracks.values()) {
      if (t.phase === 'follow') followed.push(t);
      else if (t.phase === 'queued') queued.push(t);
      else if (t.phase === 'reconcile' && !t.busy) {
        if (t.dueAt <= now && !listBusy) reconcileSweep();
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
      if (creating >= concurrency) break;
      const wait = budget.waitFor('create');
      if (wait > 0) {
        due(now + wait);
        break;
      }
      startCreate(t);
    }

    // Cancels first among the other requests: the user is waiting on them.
    for (const t of followed) {
      if (t.busy || !t.cancelWanted || t.cancelSent || !t.providerId) continue;
      if (t.cancelDueAt > now) {
        due(t.cancelDueAt);
        continue;
      }
      if (budget.available('other') < 1) break;
      sendCancel(t, t.providerId);
    }

    const listMode = !!provider.list && followed.length >= opts.listThreshold;
    let processing = 0;
    for (const t of followed) if (t.seenStatus === 'processing') processing++;
    const refreshMs = Math.max(opts.processingRefreshMs, (processing * 1000) / opts.progressRequestsPerSec);
    if (listMode && !listBusy) {
      // Sweep when the most urgent covered prediction is due by its own cadence (a batch of long
      // cold boots is swept every few seconds, not every second), never faster than listIntervalMs.
      let urgent = Infinity;
      for (const t of followed) if (!t.uncovered && !t.busy) urgent = Math.min(urgent, t.dueAt);
      const sweepAt = Math.max(listDueAt, urgent === Infinity ? listDueAt : urgent);
      if (now >= sweepAt && budget.available('other') >= 1) listSweep(followed);
      else due(Math.max(sweepAt, now + budget.waitFor('other')));
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
      const wait = budget.waitFor('other');
      if (wait > 0) {
        due(now + wait);
        break;
      }
      poll(t);
    }
    finishTick(nextAt, now);
  }

  function finishTick(nextAt: number, now: number) {
    if (nextAt !== Infinity) schedule(Math.max(5, nextAt - now));
  }

  // ── network health (per kind of request, health.ts) and the key pause ─────────────────────────
  function noteSuccess(kind: RequestClass) {
    if (!health.success(kind)) return;
    offlineDetail = null;
    log.info(`${provider.label} reachable again`);
    deps.emit('network:changed', { online: true, detail: null });
    for (const t of tracks.values()) {
      const rec = history.get(t.id);
      if (rec?.note && rec.note !== t.stickyNote) tryWrite(t.id, { note: null });
      if (t.phase === 'follow') t.dueAt = clock.now();
    }
  }

  /**
   * Hears a failed request of one kind. A rejected key pauses the provider (never for a create: its
   * refusal fails that run and says so); a network-level failure counts toward "unreachable" unless
   * the kind has a fallback (health.ts). Returns the failure's class for the caller's own decision.
   */
  function noteFailure(err: unknown, kind: RequestClass) {
    const c = classifyFailure(err);
    if (c === 'key' && kind !== 'create' && kind !== 'upload') pauseForKey(err);
    if (c !== 'network') return c;
    if (health.failure(kind)) {
      offlineDetail = err instanceof Error ? err.message : String(err);
      nextProbeAt = clock.now() + Math.min(opts.probeMs, backoffDelay(health.streak, opts.backoff, opts.random));
      log.warn(`${provider.label} unreachable; probing slowly`, { detail: offlineDetail });
      deps.emit('network:changed', { online: false, detail: offlineDetail });
      const secs = Math.ceil((nextProbeAt - clock.now()) / 1000);
      for (const t of tracks.values()) tryWrite(t.id, { note: `${provider.label} unreachable — retrying in ${secs} s` });
    }
    return c;
  }

  function pauseForKey(err: unknown) {
    if (keyPause) return;
    keyPause = keyNote(err);
    log.warn(`${provider.label} rejected the key; pausing its runs until a key is saved`, { err: String(err) });
    if (timer !== null) clock.clearTimeout(timer);
    timer = null;
    timerAt = Infinity;
    for (const t of tracks.values()) {
      stopStream(t);
      tryWrite(t.id, { note: keyPause });
    }
    for (const l of keyListeners) l(keyPause);
  }

  const keyListeners = new Set<(note: string | null) => void>();

  /** A key was saved (or changed): resume everything the rejected key paused. */
  function keyChanged() {
    if (!keyPause) return schedule(0);
    const was = keyPause;
    keyPause = null;
    log.info('a key was saved; resuming paused runs');
    const now = clock.now();
    for (const t of tracks.values()) {
      if (history.get(t.id)?.note === was) tryWrite(t.id, { note: null });
      if (t.phase === 'follow') {
        t.dueAt = now;
        t.needsFull = true;
        t.cancelDueAt = 0;
      }
    }
    listDueAt = now;
    for (const l of keyListeners) l(null);
    schedule(0);
  }

  /**
   * During an outage: one request at a time, slowly. A GET of one followed run when there is one
   * (a broken list endpoint must not keep the provider "down" while GETs work), else a list page.
   */
  function probe() {
    probing = true;
    const target = [...tracks.values()].find((t) => t.phase === 'follow' && t.providerId);
    const request: Promise<unknown> = target?.providerId ? provider.get(target.providerId) : provider.list ? provider.list(null) : Promise.resolve();
    run(
      request
        .then(() => noteSuccess('probe'))
        .catch((err) => {
          const c = classifyFailure(err);
          if (c === 'key') pauseForKey(err);
          if (c !== 'network') return noteSuccess('probe'); // reachable, just unhappy (a key, a 404)
          health.failure('probe');
          const delay = Math.min(opts.probeMs, backoffDelay(health.streak, opts.backoff, opts.random));
          nextProbeAt = clock.now() + delay;
          const secs = Math.ceil(delay / 1000);
          for (const t of tracks.values()) tryWrite(t.id, { note: `${provider.label} unreachable — retrying in ${secs} s` });
        })
        .finally(() => {
          probing = false;
        }),
    );
  }

  function retryDelay(t: Track, err: unknown): number {
    const hinted = err instanceof ProviderError ? err.retryAfterMs : null;
    const permanent = err instanceof ProviderError && !err.transient;
    return hinted ?? (permanent ? opts.backoff.maxMs : backoffDelay(t.failures, opts.backoff, opts.random));
  }

  // ── create ────────────────────────────────────────────────────────────────────────────────────
  function startCreate(t: Track) {
    t.busy = true;
    t.phase = 'submitting';
    creating++;
    run(doCreate(t).finally(() => {
      creating--;
      t.busy = false;
    }));
  }

  async function doCreate(t: Track) {
    const before = history.get(t.id);
    if (!before || t.forgotten) return void tracks.delete(t.id);
    if (t.cancelWanted || before.cancelRequested || isTerminal(before.status)) {
      // Canceled (here or by another process) before anything was sent: nothing exists remotely.
      tracks.delete(t.id);
      if (!isTerminal(before.status)) write(t.id, { status: 'canceled', statusSince: clock.now(), completedAt: clock.now(), cancelRequested: true, note: null });
      return;
    }
    let rec: PredictionRecord | null;
    try {
      rec = write(t.id, { status: 'submitting', statusSince: clock.now(), submitAttempts: before.submitAttempts + 1, note: null });
    } catch (err) {
      if (!(err instanceof WriteFailed)) throw err;
      // The intent could not be journaled: nothing is sent until it can be (never a create the history does not know of).
      t.phase = 'queued';
      t.dueAt = clock.now() + writeRetryDelay();
      return;
    }
    if (!rec) return;
    t.intent = { model: rec.model, input: rec.input, since: rec.statusSince };
    let input: Record<string, unknown>;
    try {
      input = await prepareInput(rec.input);
    } catch (err) {
      if (t.forgotten || t.endedLocally) return void tracks.delete(t.id); // never sent, and nobody wants it now
      if (err instanceof KilnError && !(err instanceof ProviderError && err.transient)) return failCreate(t, err);
      // The upload failed in transit: the create was never sent, so queue it again.
      t.failures++;
      noteFailure(err, 'upload');
      return requeue(t, retryDelay(t, err), err);
    }
    if (dead) return;
    try {
      const p = await provider.submit({ model: rec.model, version: rec.version, target: rec.target, input, cancelAfter: rec.cancelAfter, waitSeconds: opts.waitSeconds });
      if (dead) return;
      noteSuccess('create');
      t.failures = 0;
      if (unwanted(t)) return foundUnwanted(t, p);
      t.phase = 'follow';
      t.followSince = clock.now();
      t.needsFull = false; // the create answer is a full prediction
      t.lastFullAt = clock.now();
      applyRemote(t, p);
    } catch (err) {
      if (dead) return;
      t.failures++;
      noteFailure(err, 'create');
      if (!(err instanceof ProviderError && err.ambiguous) && unwanted(t)) {
        // Refused or not sent: nothing to cancel, and the card has already ended (or is gone).
        return void tracks.delete(t.id);
      }
      if (err instanceof ProviderError && err.ambiguous) {
        // The server may have created it: find it before even thinking of sending it again.
        t.phase = 'reconcile';
        t.reconcileTries = 0;
        t.dueAt = clock.now() + Math.max(opts.reconcileDelayMs, err.retryAfterMs ?? 0);
        if (!t.endedLocally && !t.forgotten) tryWrite(t.id, { note: `Connection lost while submitting — checking with ${provider.label}` });
      } else if (err instanceof ProviderError && err.transient) {
        requeue(t, retryDelay(t, err), err);
      } else {
        failCreate(t, err);
      }
    }
  }

  /**
   * Whether a create that is out (or being reconciled) is still wanted. Also notices a row deleted
   * or canceled by someone else (another process on the same history) while the request was out.
   */
  function unwanted(t: Track): boolean {
    const rec = history.get(t.id);
    if (!rec) t.forgotten = true;
    else if (rec.cancelRequested && isTerminal(rec.status)) t.endedLocally = true;
    return t.forgotten || t.endedLocally;
  }

  /** A create nobody wants any more turned out to exist remotely: cancel it there, so it does not run and bill unseen. */
  function foundUnwanted(t: Track, p: RemoteRun) {
    if (t.forgotten) {
      tracks.delete(t.id);
      if (!isTerminal(p.status)) cancelDetached(t.id, p.id);
      return;
    }
    // Canceled on the card already: keep the provider id with it and cancel through the usual path
    // (retried on transient errors); the card stays canceled unless Replicate says it finished first.
    t.phase = 'follow';
    t.followSince = clock.now();
    t.cancelWanted = true;
    t.cancelSent = false;
    t.needsFull = true;
    t.dueAt = clock.now();
    applyRemote(t, p);
  }

  /** Cancels a prediction no row follows any more (deleted): best effort, a few tries on transient errors. */
  const detachedTimers = new Set<unknown>();
  function cancelDetached(id: string, providerId: string, attempt = 1) {
    run(
      provider.cancel(providerId).then(
        () => undefined,
        (err) => {
          const transient = err instanceof ProviderError && err.transient;
          if (dead || !running || !transient || attempt >= 5) return log.warn('cancel of a deleted prediction failed', { id, err: String(err) });
          const h = clock.setTimeout(() => {
            detachedTimers.delete(h);
            if (running) cancelDetached(id, providerId, attempt + 1);
          }, (err as ProviderError).retryAfterMs ?? backoffDelay(attempt, opts.backoff, opts.random));
          detachedTimers.add(h);
        },
      ),
    );
  }

  function requeue(t: Track, delay: number, err: unknown) {
    t.phase = 'queued';
    t.dueAt = clock.now() + delay;
    const rl = err instanceof ProviderError && err.code === 'rate_limited';
    tryWrite(t.id, { status: 'queued', statusSince: clock.now(), note: rl ? `Rate limited — retrying in ${Math.ceil(delay / 1000)} s` : health.online ? `Retrying in ${Math.ceil(delay / 1000)} s` : `${provider.label} unreachable — will send when it is back` });
  }

  /** The typed reason a create was refused, for waitSubmitted; only the most recent few are kept. */
  const createErrors = new Map<string, KilnError>();
  function failCreate(t: Track, err: unknown) {
    const kerr = err instanceof KilnError ? err : new KilnError({ code: 'internal', message: String(err) });
    tracks.delete(t.id);
    createErrors.set(t.id, kerr);
    if (createErrors.size > 500) createErrors.delete(createErrors.keys().next().value!);
    write(t.id, { status: 'failed', statusSince: clock.now(), completedAt: clock.now(), error: { code: kerr.code, message: kerr.message }, note: null });
  }

  /** kiln-file refs → an uploaded file URL (or a data URI when small). A retry re-uploads the kept copy. */
  async function prepareInput(input: Record<string, unknown>): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    const conv = async (v: unknown): Promise<unknown> => {
      if (typeof v === 'string' && v.startsWith('kiln-file:')) {
        const staged = vault.resolveStaged(v);
        if (!staged) throw new KilnError({ code: 'invalid_input', message: `The input file ${v} is no longer in the vault.` });
        const bytes = await readFile(staged.absPath);
        if (bytes.byteLength <= opts.dataUriMaxBytes) return `data:${staged.mime};base64,${bytes.toString('base64')}`;
        return provider.upload(bytes, staged.path.split('/').pop() ?? 'input', staged.mime);
      }
      if (Array.isArray(v)) return Promise.all(v.map(conv));
      return v;
    };
    for (const [k, v] of Object.entries(input)) out[k] = await conv(v);
    return out;
  }

  /** One page of the provider's runs, newest first (list and reconcile need capabilities.list). */
  function listPage(next: string | null, query?: { createdAfter?: string }) {
    if (!provider.list) throw new ProviderError({ code: 'internal', message: `${provider.label} has no run list.` });
    return provider.list(next, query);
  }

  // ── reconcile: find creates whose response never arrived ─────────────────────────────────────
  function reconcileSweep() {
    const batch = [...tracks.values()].filter((t) => t.phase === 'reconcile' && !t.busy && t.dueAt <= clock.now());
    if (!batch.length) return;
    for (const t of batch) t.busy = true;
    listBusy = true;
    run(doReconcile(batch).finally(() => {
      listBusy = false;
      for (const t of batch) t.busy = false;
    }));
  }

  async function doReconcile(batch: Track[]) {
    // From the tracks, not the rows: a deleted or locally canceled one is still looked for, so that a
    // create that did reach Replicate is canceled there instead of running (and billing) unseen.
    const recs = batch.map((t) => ({ id: t.id, model: t.intent.model, input: t.intent.input, statusSince: t.intent.since }));
    const earliest = Math.min(...recs.map((r) => r.statusSince)) - opts.reconcileSkewMs;
    const claimed = new Set<string>();
    const found = new Map<string, RemoteRun>();
    try {
      let next: string | null = null;
      for (let page = 0; page < opts.listMaxPages; page++) {
        const res = await listPage(next, { createdAfter: new Date(earliest).toISOString() });
        if (dead) return;
        noteSuccess('list');
        // Oldest first within the page so identical inputs clicked twice pair up in click order.
        const results = [...res.results].reverse();
        for (const rec of recs) {
          if (found.has(rec.id)) continue;
          const match = results.find((r) => !claimed.has(r.id) && modelsMatch(rec.model, r.model) && inputsMatch(rec.input, r.input) && (r.createdAt ?? NaN) >= rec.statusSince - opts.reconcileSkewMs && !history.getByProviderId(r.id));
          if (match) {
            claimed.add(match.id);
            found.set(rec.id, match);
          }
        }
        const oldest = res.results.length ? (res.results[res.results.length - 1]!.createdAt ?? NaN) : NaN;
        if (!res.next || found.size === recs.length || oldest < earliest) break;
        next = res.next;
      }
    } catch (err) {
      if (dead) return;
      noteFailure(err, 'list');
      for (const t of batch) {
        t.failures++;
        t.dueAt = clock.now() + retryDelay(t, err);
      }
      return;
    }
    for (const t of batch) {
      const remote = found.get(t.id);
      if (remote && unwanted(t)) {
        log.info('a create canceled or deleted before its answer exists remotely: canceling it', { id: t.id, providerId: remote.id });
        foundUnwanted(t, remote);
      } else if (remote) {
        log.info('reconciled a create whose response was lost', { id: t.id, providerId: remote.id });
        t.phase = 'follow';
        t.failures = 0;
        t.followSince = clock.now();
        tryWrite(t.id, { note: null });
        applyRemote(t, remote);
        t.needsFull = true;
        t.dueAt = clock.now();
      } else if (++t.reconcileTries < opts.reconcileAttempts) {
        t.dueAt = clock.now() + opts.reconcileDelayMs;
      } else if (unwanted(t)) {
        // Provably never created, and no longer wanted: done (never re-sent).
        tracks.delete(t.id);
      } else {
        // Provably not created (not listed after waiting): sending it again cannot pay twice.
        log.info('lost create not found at the provider; sending again', { id: t.id });
        t.phase = 'queued';
        t.dueAt = clock.now();
        tryWrite(t.id, { status: 'queued', statusSince: clock.now(), note: null });
      }
    }
  }

  // ── following ─────────────────────────────────────────────────────────────────────────────────
  function listSweep(followed: Track[]) {
    listBusy = true;
    run(doListSweep(followed).finally(() => {
      listBusy = false;
      // A failed sweep has set its own back-off; never sweep sooner than that.
      listDueAt = Math.max(listDueAt, clock.now() + sweepGap(followed.length));
    }));
  }

  /**
   * The gap between sweeps grows with the number followed: a sweep costs one page per 100, and
   * DESIGN §8 asks for 1.5 s detection with a few in flight but 5 s with 1,000, so a big batch is
   * swept less often rather than paying ten pages every second.
   */
  function sweepGap(followedCount: number): number {
    const span = Math.max(1, opts.listIntervalMaxAt - opts.listThreshold);
    const f = Math.min(1, Math.max(0, followedCount - opts.listThreshold) / span);
    return Math.round(opts.listIntervalMs + f * Math.max(0, opts.listIntervalMaxMs - opts.listIntervalMs));
  }

  async function doListSweep(followed: Track[]) {
    const byProvider = new Map<string, Track>();
    let oldest = Infinity;
    for (const t of followed) {
      if (!t.providerId) continue;
      byProvider.set(t.providerId, t);
      if (t.providerCreatedAt !== null) oldest = Math.min(oldest, t.providerCreatedAt);
    }
    let seen = 0;
    const reached = new Set<Track>();
    let next: string | null = null;
    // created_after bounds the listing at the oldest one followed, so the last page is the last one
    // needed (no page fetched only to see that it is too old). Exclusive on the server: one ms earlier.
    const bounded = oldest !== Infinity && followed.every((t) => !t.providerId || t.providerCreatedAt !== null);
    const query = bounded ? { createdAfter: new Date(oldest - 1).toISOString() } : undefined;
    try {
      for (let page = 0; page < opts.listMaxPages && seen < byProvider.size; page++) {
        const res = await listPage(next, query);
        if (dead) return;
        noteSuccess('list');
        for (const r of res.results) {
          const t = byProvider.get(r.id);
          if (!t) continue;
          seen++;
          reached.add(t);
          t.uncovered = false;
          if (r.status === t.seenStatus) {
            // Unchanged: next look by this prediction's own cadence.
            const n = clock.now();
            t.dueAt = n + nextPollDelay(r.status, n - t.followSince, n - (t.statusSeenAt ?? t.followSince), opts.cadence);
          } else if (isTerminal(r.status) || t.phase !== 'follow') {
            // An end gets one full GET whatever the detection path (DESIGN §4): the list item has no
            // logs, so without it a finished card would lack its logs, progress and seed. The list's
            // view is kept in case that GET is refused.
            t.listEnd = isTerminal(r.status) ? r : null;
            t.needsFull = true;
            t.dueAt = clock.now();
          } else {
            // A non-terminal move (starting → processing): the list item says enough.
            t.lastFullAt = clock.now();
            applyRemote(t, { ...r, logs: undefined, output: undefined });
          }
        }
        const last = res.results[res.results.length - 1];
        if (!res.next || (last && (last.createdAt ?? NaN) < oldest)) break;
        next = res.next;
        if (budget.available('other') < 1) break; // leave the rest to direct polls rather than queue behind
      }
      // Only after a whole sweep do we know who it did not reach: those are polled directly.
      for (const t of byProvider.values()) if (!reached.has(t)) t.uncovered = true;
    } catch (err) {
      if (dead) return;
      noteFailure(err, 'list');
      // A partial outage is not an outage (DESIGN §3): while the list endpoint fails, every run it
      // covered is followed by its own GET, and the list is tried again after a back-off.
      for (const t of byProvider.values()) t.uncovered = true;
      listDueAt = clock.now() + backoffDelay(Math.max(1, health.failures('list')), opts.backoff, opts.random);
    }
  }

  /**
   * One request about one tracked prediction: the track is busy meanwhile, the network health
   * hears how it went, and nothing is applied once the engine is dead (a crash in tests).
   */
  function requestFor<T>(t: Track, kind: RequestClass, call: () => Promise<T>, ok: (value: T) => void, fail: (err: unknown) => void) {
    t.busy = true;
    run(
      call()
        .then((value) => {
          if (dead) return;
          noteSuccess(kind);
          ok(value);
        })
        // Also catches a throw from `ok` (a broken database): the failure path sets a back-off, so a
        // run is never re-polled in a tight loop.
        .catch((err: unknown) => {
          if (dead) return;
          noteFailure(err, kind);
          fail(err);
        })
        .finally(() => {
          t.busy = false;
        }),
    );
  }

  function poll(t: Track) {
    const providerId = t.providerId;
    if (!providerId) return void tracks.delete(t.id);
    requestFor(
      t,
      'get',
      () => provider.get(providerId),
      (p) => {
        t.failures = 0;
        t.needsFull = false;
        t.lastFullAt = clock.now();
        t.listEnd = null;
        applyRemote(t, p);
      },
      (err) => {
        const c = classifyFailure(err);
        if (c === 'key') return; // paused; keyChanged() looks again
        if (c === 'answer' && t.listEnd && err instanceof ProviderError) {
          // The final GET was refused (gone, or not ours any more): the end the list showed stands.
          const end = t.listEnd;
          t.listEnd = null;
          t.needsFull = false;
          return applyRemote(t, { ...end, logs: undefined }, true);
        }
        t.failures++;
        const delay = retryDelay(t, err);
        t.dueAt = clock.now() + delay;
        const note = c === 'rate' ? `Rate limited — retrying in ${Math.ceil(delay / 1000)} s` : c === 'answer' && err instanceof KilnError ? err.message : null;
        if (note && health.online) tryWrite(t.id, { note });
      },
    );
  }

  function sendCancel(t: Track, providerId: string) {
    t.cancelSent = true;
    requestFor(
      t,
      'cancel',
      () => provider.cancel(providerId),
      (answer) => {
        t.cancelFailures = 0;
        cancels.settle(t.id, { outcome: 'accepted', status: answer.status });
        if (answer.run) applyRemote(t, answer.run);
        t.needsFull = true;
        t.dueAt = clock.now() + opts.cadence.initialMs;
      },
      (err) => {
        const c = classifyFailure(err);
        const message = err instanceof Error ? err.message : String(err);
        t.cancelSent = false;
        if (c === 'key') {
          // Paused with the rest; the cancel stays wanted and goes out once a key is saved.
          cancels.settle(t.id, { outcome: 'key-rejected', message });
          return;
        }
        if (worthRetrying(c) || !(err instanceof ProviderError)) {
          // No answer (network, 5xx, 429 — or our own failure to record one): again after a back-off, never at once (no storm).
          t.cancelFailures++;
          t.cancelDueAt = clock.now() + ((err instanceof ProviderError ? err.retryAfterMs : null) ?? backoffDelay(t.cancelFailures, opts.backoff, opts.random));
          return;
        }
        // Refused (an HTML 404, another account's prediction…): an answer. Say so, stop asking, and
        // keep following the run, whose end and outputs must not be lost.
        t.cancelWanted = false;
        t.stickyNote = `Cancel refused by ${provider.label}: ${message}`;
        tryWrite(t.id, { cancelRequested: false, note: t.stickyNote });
        t.needsFull = true;
        t.dueAt = clock.now();
        cancels.settle(t.id, { outcome: 'refused', message: t.stickyNote });
      },
    );
  }

  /** Folds a provider view of the prediction into the record: one write, only what changed. */
  function applyRemote(t: Track, p: RemoteRun, fromList = false) {
    const rec = history.get(t.id);
    if (!rec || dead) return;
    const now = clock.now();
    // A cancel written by another process on the same history (the CLI next to the app) is honoured here too.
    if (rec.cancelRequested && !t.cancelWanted) {
      t.cancelWanted = true;
      t.cancelSent = false;
    }
    // Ended on the card before the create was known to exist: a running status must not bring it back.
    const holdLocalEnd = t.endedLocally && !isTerminal(p.status);
    const patch = mergeRemote(rec, p, { now, fromList, holdLocalEnd, keepNote: !health.online || !!keyPause || rec.note === t.stickyNote });
    t.providerId = rec.providerId ?? p.id; // known remotely whatever the write does: needed to look again
    let next: PredictionRecord | null;
    try {
      next = Object.keys(patch).length ? write(t.id, patch) : rec;
    } catch (err) {
      if (!(err instanceof WriteFailed)) throw err;
      // Nothing in memory moved: the next look (a full GET after the write back-off) writes it all again.
      t.phase = 'follow';
      t.needsFull = true;
      t.dueAt = now + writeRetryDelay();
      return;
    }
    if (!next) return;
    looked.add(t.id);
    if (t.seenStatus !== p.status) t.statusSeenAt = now;
    t.seenStatus = p.status;
    t.providerCreatedAt = next.providerCreatedAt;

    if (isTerminal(next.status) && !holdLocalEnd) {
      stopStream(t);
      tracks.delete(t.id);
      cancels.settle(t.id, { outcome: 'already-ended', status: next.status });
      if (next.status === 'succeeded') save(next);
      return;
    }
    if (t.phase === 'follow') {
      t.dueAt = now + nextPollDelay(p.status, now - t.followSince, now - (holdLocalEnd ? t.followSince : next.statusSince), opts.cadence);
      // Only a trusted host gets the key (client.trusted); any other stream URL is simply polled.
      if (opts.stream && provider.stream && !holdLocalEnd && next.urls.stream && !t.stream && streams < opts.maxStreams && provider.trusted(next.urls.stream)) startStream(t, next.urls.stream);
    }
  }

  /** Follows `urls.stream` (streams.ts); when it ends or breaks, polling carries on and the final prediction holds the full text. */
  function startStream(t: Track, url: string) {
    const ac = new AbortController();
    t.stream = ac;
    streams++;
    const follow = followStream(
      {
        open: (handlers, signal) => provider.stream!(url, handlers, signal),
        clock,
        flushMs: STREAM_FLUSH_MS,
        write(text, note) {
          if (!tracks.has(t.id)) return;
          if (note) t.stickyNote = note;
          const clean = provider.redact(text);
          tryWrite(t.id, note ? { text: clean, note } : { text: clean });
        },
        done() {
          t.needsFull = true;
          t.dueAt = clock.now();
          schedule(0);
        },
      },
      ac,
    );
    run(
      follow
        .catch((err) => {
          if (ac.signal.aborted) return;
          noteFailure(err, 'stream');
          log.warn('stream ended early; polling instead', { id: t.id, err: String(err) });
        })
        .finally(() => {
          // Leave `t.stream` set (no second stream).
          streams--;
          t.needsFull = true;
        }),
    );
  }

  /** Predictions seen remotely since start (settle() waits for a first look at resumed ones). */
  const looked = new Set<string>();
  const saving = new Map<string, Promise<void>>();
  function save(rec: PredictionRecord) {
    const p = vault.saveOutputs(rec).finally(() => saving.delete(rec.id));
    saving.set(rec.id, p);
    run(p);
  }

  /** Starts following one record from the journal, whatever step it stopped at. */
  function resume(rec: PredictionRecord) {
    const existing = tracks.get(rec.id);
    if (existing) {
      // Deleted while its create was out, then restored (undo) before the answer: wanted again.
      existing.forgotten = false;
      return;
    }
    if (isTerminal(rec.status)) return;
    if (rec.status === 'queued') track(rec, 'queued', rec.createdAt);
    else if (!rec.providerId) track(rec, 'reconcile');
    else track(rec, 'follow');
  }

  function stopStream(t: Track) {
    t.stream?.abort();
  }

  /**
   * Stops following predictions whose rows were deleted. One still running at the provider is
   * canceled there (best effort): nobody will ever see its output, so it should not keep costing.
   */
  function forget(ids: string[]) {
    for (const id of ids) {
      const t = tracks.get(id);
      if (!t) continue;
      stopStream(t);
      if (t.providerId) {
        tracks.delete(id);
        if (!(t.seenStatus && isTerminal(t.seenStatus))) cancelDetached(id, t.providerId);
      } else if ((t.phase === 'submitting' && t.busy) || t.phase === 'reconcile') {
        // The create is out, or its answer was lost: keep the track until the answer (or the
        // reconciliation) says whether something runs remotely, and cancel it then (foundUnwanted).
        t.forgotten = true;
      } else {
        tracks.delete(id); // never sent
      }
    }
  }

  /** No more ticks, timers or streams (stop and kill both start here). */
  function halt() {
    running = false;
    if (timer !== null) clock.clearTimeout(timer);
    timer = null;
    for (const h of detachedTimers) clock.clearTimeout(h);
    detachedTimers.clear();
    for (const t of tracks.values()) stopStream(t);
    cancels.settleAll({ outcome: 'pending', message: `Kiln stopped before ${provider.label} answered the cancel; it is kept on the run and sent when Kiln follows it again.` });
  }

  // ── public API ────────────────────────────────────────────────────────────────────────────────
  function submit(req: SubmitRequest): PredictionRecord {
    if (dead) throw new KilnError({ code: 'internal', message: 'engine stopped' });
    const version = req.version ?? null;
    const rec = history.insertIntent({
      id: crypto.randomUUID(),
      provider: 'replicate',
      model: req.model,
      version,
      target: req.target ?? (version ? 'version' : 'model'),
      input: req.input,
      inputSchema: req.inputSchema ?? null,
      cancelAfter: req.cancelAfter === undefined ? deps.settings.get().cancelAfter : req.cancelAfter,
      retryOf: req.retryOf ?? null,
      createdAt: clock.now(),
    });
    publisher.changed(rec.id);
    for (const l of listeners) l(rec);
    track(rec, 'queued');
    // Held with the rest while the key is rejected: the card says why it does not start.
    if (keyPause) return tryWrite(rec.id, { note: keyPause }) ?? rec;
    schedule(0);
    return rec;
  }

  return {
    options: opts,
    budget,
    async start() {
      if (running) return;
      running = true;
      dead = false;
      if (opts.resumeOnStart) {
        for (const rec of history.listActive()) if (opts.resumeOnStart === true || rec.providerId) resume(rec);
        for (const rec of history.listUnsaved()) save(rec);
        // Canceled while its create was out, then the process died before the answer: the create
        // may have reached Replicate. Look for it (never re-send) and cancel it there if found.
        // Only the owning app does this; older than the provider's retention, nothing is listed anyway.
        if (opts.resumeOnStart === true) {
          for (const rec of history.listCanceledBeforeCreate(clock.now() - PROVIDER_LIST_HORIZON_MS)) {
            const t = track(rec, 'reconcile');
            t.endedLocally = true;
            t.intent.since = rec.createdAt;
          }
        }
      }
      schedule(0);
    },
    /** Graceful: stops scheduling and waits (bounded) for requests already out. */
    async stop() {
      halt();
      await Promise.race([Promise.allSettled([...pending]), new Promise((r) => setTimeout(r, 3000).unref())]);
      tracks.clear();
      // The history closes right after us: send what is pending now rather than from a timer later.
      publisher.flushNow();
    },
    /** A crash, for tests: nothing is written after this, nothing is awaited. */
    kill() {
      dead = true;
      halt();
      tracks.clear();
      publisher.flushNow();
    },
    submit,
    /** Follow one journal record (the CLI's `show`/`cancel` of a prediction left running). */
    resume(id: string) {
      const rec = history.get(id);
      if (!rec) return;
      resume(rec);
      if (rec.status === 'succeeded' && rec.saveState !== 'saved' && !saving.has(id)) save(rec);
      schedule(0);
    },
    /** Ids this engine follows or is saving (the CLI: what it picked up from earlier runs). */
    followedIds: () => [...new Set([...tracks.keys(), ...saving.keys()])],
    /**
     * Resolves once each of these has had a first remote look since start (or left the engine) and
     * the outputs of those that finished are saved — bounded, and early when Replicate is unreachable.
     * The CLI uses it so a short command still brings predictions left running up to date.
     */
    async settle(ids: string[], timeoutMs: number): Promise<void> {
      const end = clock.now() + timeoutMs;
      // A plain (ref'd) timer: the clock's are unref'd, and a CLI awaiting only this must not exit early.
      const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
      while (clock.now() < end && health.online && !keyPause && ids.some((id) => tracks.has(id) && !looked.has(id))) await pause(50);
      const saves = ids.map((id) => saving.get(id)).filter((p): p is Promise<void> => !!p);
      if (!saves.length) return;
      let h: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([Promise.allSettled(saves), new Promise<void>((r) => (h = setTimeout(r, Math.max(0, end - clock.now()))))]);
      clearTimeout(h); // a pending ref'd timer would hold the CLI open until the bound
    },
    /** Resolves when the vault has settled this prediction's outputs (immediately if nothing is being saved). */
    whenSaved: (id: string) => saving.get(id) ?? Promise.resolve(),
    /** Resolves once the create is accepted (or queued while offline); rejects with a permanent create error, or `auth` while held for a rejected key. */
    waitSubmitted(id: string, timeoutMs: number): Promise<PredictionRecord | null> {
      return new Promise((resolve, reject) => {
        const check = (rec: PredictionRecord) => {
          if (rec.id !== id) return false;
          const err = createErrors.get(id);
          if (err) return reject(err), true;
          // Held for a rejected key: an answer a host can act on (the CLI exits 3); the run stays queued and goes out once a key is saved.
          if (rec.status === 'queued' && keyPause) return reject(new ProviderError({ code: 'auth', message: `${keyPause}: ${provider.label} refuses the API key. The run is kept and sent once a working key is saved (${provider.keyHint}).` })), true;
          if (rec.providerId || isTerminal(rec.status) || (rec.status === 'queued' && !health.online)) return resolve(rec), true;
          return false;
        };
        const now = history.get(id);
        if (now && check(now)) return;
        const off = onRecord((r) => {
          if (check(r)) done();
        });
        const h = clock.setTimeout(() => {
          done();
          resolve(history.get(id));
        }, timeoutMs);
        function done() {
          off();
          clock.clearTimeout(h);
        }
      });
    },
    /**
     * Asks for a run's end. Throws `not_found` at once; otherwise resolves with what became of the
     * cancel (cancel.ts: accepted, refused with Replicate's reason, key-rejected, …) once Replicate
     * answered — hosts that do not care may ignore the promise.
     */
    cancel(id: string): Promise<CancelOutcome> {
      const rec = history.get(id);
      if (!rec) throw new KilnError({ code: 'not_found', message: 'No such prediction.' });
      if (isTerminal(rec.status)) return Promise.resolve({ outcome: 'already-ended', status: rec.status });
      const t = tracks.get(id);
      if (rec.status === 'queued' && (!t || !t.busy)) {
        // Never sent: nothing to cancel remotely.
        tracks.delete(id);
        write(id, { status: 'canceled', statusSince: clock.now(), completedAt: clock.now(), cancelRequested: true, note: null });
        return Promise.resolve({ outcome: 'canceled-locally' });
      }
      if (!rec.providerId && !t?.providerId) {
        // No create is known to exist (one is out, or its answer was lost and is being reconciled, or
        // another process owns it): the card ends now, and if a create does turn up remotely it is
        // canceled there (foundUnwanted) — never created afresh, never left running.
        write(id, { status: 'canceled', statusSince: clock.now(), completedAt: clock.now(), cancelRequested: true, note: null });
        if (t) {
          t.endedLocally = true;
          t.cancelWanted = true;
        }
        schedule(0);
        return Promise.resolve({ outcome: 'canceled-locally' });
      }
      write(id, { cancelRequested: true });
      if (!t) return Promise.resolve({ outcome: 'pending', message: 'This process does not follow the run; the cancel is kept on it and sent by the one that does.' });
      t.cancelWanted = true;
      t.cancelSent = false;
      t.cancelDueAt = 0;
      t.cancelFailures = 0;
      t.dueAt = clock.now();
      const outcome = cancels.wait(id);
      if (keyPause) cancels.settle(id, { outcome: 'key-rejected', message: keyPause });
      schedule(0);
      return outcome;
    },
    retry(id: string): PredictionRecord {
      const rec = history.get(id);
      if (!rec) throw new KilnError({ code: 'not_found', message: 'No such prediction.' });
      return submit({ model: rec.model, version: rec.version, target: rec.target, input: rec.input, inputSchema: rec.inputSchema, cancelAfter: rec.cancelAfter, retryOf: rec.retryOf ?? rec.id });
    },
    onRecord,
    forget,
    /** Call when a key is saved: runs paused for a rejected key are followed again at once. */
    keyChanged,
    /** The card note while runs are paused for the key ("Paused — key rejected"), else null. */
    keyRejected: (): string | null => keyPause,
    /** Hears the pause (the note) and its end (null). The CLI exits 3 on a pause. */
    onKeyPause(l: (note: string | null) => void): () => void {
      keyListeners.add(l);
      return () => keyListeners.delete(l);
    },
    isOnline: () => health.online,
    inFlight: () => tracks.size,
  };

  function onRecord(l: RecordListener): () => void {
    listeners.add(l);
    return () => listeners.delete(l);
  }
}

export type Engine = ReturnType<typeof createEngine>;
