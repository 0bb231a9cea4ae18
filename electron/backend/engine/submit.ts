import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { PredictionRecord } from '../history/types.ts';
import type { RemoteRun, RunRef } from '../providers/types.ts';
import { ProviderError } from '../providers/errors.ts';
import { KilnError } from '../../../shared/ipc.ts';
import { isTerminal } from '../../../shared/domain/status.ts';
import { backoffDelay } from '../../../shared/backoff.ts';
import { type Core, type EngineOps, type Track, WriteFailed } from './core.ts';
import { afterCreateError, following } from './phase.ts';
import { cancelAfterMs } from '../../../shared/domain/settings.ts';
import { createHoldSeconds } from './hold.ts';

// Submitting a run (ARCHITECTURE.md, "Runs and their lifecycle"): the intent is journaled before the request, local files are
// uploaded, an ambiguous failure goes to reconciliation (never a blind re-send), a create nobody
// wants any more is canceled where it turned up.

export function createSubmit(
  c: Core,
): Pick<EngineOps, 'startCreate' | 'doCreate' | 'unwanted' | 'foundUnwanted' | 'cancelDetached' | 'requeue' | 'failCreate' | 'prepareInput' | 'listPage'> {
  function startCreate(t: Track) {
    t.busy = true;
    const hold = createHoldSeconds(
      {
        supported: c.provider.capabilities.holdCreate === true,
        typicalRunMs: c.typicalRun(t.intent.model, t.intent.version),
        streamsText: c.opts.stream && c.streamsText(t.intent.model, t.intent.version),
        held: c.held,
      },
      c.opts,
    );
    // A held create is a connection waiting for the run, not a create being sent: it has its own
    // bound (maxHeldCreates), so the user's createConcurrency keeps meaning "sent at once".
    t.phase = { kind: 'submitting' };
    if (hold !== null) c.held++;
    else c.loop.creating++;
    c.run(
      c.doCreate(t, hold).finally(() => {
        if (hold !== null) c.held--;
        else c.loop.creating--;
        t.busy = false;
      }),
    );
  }

  async function doCreate(t: Track, hold: number | null = null) {
    const before = c.history.get(t.id);
    if (!before || t.forgotten) return void c.tracks.delete(t.id);
    if (t.cancelWanted || before.cancelRequested || isTerminal(before.status)) {
      // Canceled (here or by another process) before anything was sent: nothing exists remotely.
      c.tracks.delete(t.id);
      if (!isTerminal(before.status))
        c.write(t.id, { status: 'canceled', statusSince: c.clock.now(), completedAt: c.clock.now(), cancelRequested: true, note: null });
      return;
    }
    let rec: PredictionRecord | null;
    try {
      rec = c.write(t.id, { status: 'submitting', statusSince: c.clock.now(), submitAttempts: before.submitAttempts + 1, note: null });
    } catch (err) {
      if (!(err instanceof WriteFailed)) throw err;
      // The intent could not be journaled: nothing is sent until it can be (never a create the history does not know of).
      t.phase = { kind: 'queued' };
      t.dueAt = c.clock.now() + c.writeRetryDelay();
      return;
    }
    if (!rec) return;
    t.intent = { model: rec.model, version: rec.version, input: rec.input, since: rec.statusSince };
    let input: Record<string, unknown>;
    try {
      input = await c.prepareInput(rec.input);
    } catch (err) {
      if (t.forgotten || t.endedLocally) return void c.tracks.delete(t.id); // never sent, and nobody wants it now
      if (err instanceof KilnError && !(err instanceof ProviderError && err.transient)) return c.failCreate(t, err);
      // The upload failed in transit: the create was never sent, so queue it again.
      t.failures++;
      c.noteFailure(err, 'upload');
      return c.requeue(t, c.retryDelay(t, err), err);
    }
    if (c.dead) return;
    try {
      // The same setting bounds the wait for a start where the provider takes a start deadline (fal's x-fal-request-timeout).
      const giveUpMs = cancelAfterMs(rec.cancelAfter);
      const startDeadlineAt = giveUpMs === null ? null : c.clock.now() + giveUpMs;
      if (hold !== null) {
        // Sent now (its files, if any, are up), answered when the run ends: the phase lets
        // waitSubmitted free the composer, the note says why the card shows no status meanwhile.
        t.phase = { kind: 'submitting', held: true };
        if (!t.endedLocally && !t.forgotten) c.tryWrite(t.id, { note: `Sent — ${c.provider.label} answers with the result when it is done` });
      }
      const p = await c.provider.submit({
        model: rec.model,
        version: rec.version,
        target: rec.target,
        input,
        cancelAfter: rec.cancelAfter,
        waitSeconds: hold,
        startDeadlineAt,
      });
      if (c.dead) return;
      c.noteSuccess('create');
      t.failures = 0;
      if (c.unwanted(t)) return c.foundUnwanted(t, p);
      // The create answer is a full view of the run: no GET needed before the next look.
      c.applyRemote(c.follow(t, following(p.id, c.clock.now(), { needsFull: false })), p);
    } catch (err) {
      if (c.dead) return;
      t.failures++;
      c.noteFailure(err, 'create');
      if (!(err instanceof ProviderError && err.ambiguous) && c.unwanted(t)) {
        // Refused or not sent: nothing to cancel, and the card has already ended (or is gone).
        return void c.tracks.delete(t.id);
      }
      const next = afterCreateError(err);
      if (next === 'reconcile') {
        // The server may have created it: find it before even thinking of sending it again.
        t.phase = { kind: 'reconcile', tries: 0 };
        t.dueAt = c.clock.now() + Math.max(c.opts.reconcileDelayMs, (err instanceof ProviderError ? err.retryAfterMs : null) ?? 0);
        if (!t.endedLocally && !t.forgotten) c.tryWrite(t.id, { note: `Connection lost while submitting — checking with ${c.provider.label}` });
      } else if (next === 'requeue') {
        c.requeue(t, c.retryDelay(t, err), err);
      } else {
        c.failCreate(t, err);
      }
    }
  }

  /**
   * Whether a create that is out (or being reconciled) is still wanted. Also notices a row deleted
   * or canceled by someone else (another process on the same history) while the request was out.
   */
  function unwanted(t: Track): boolean {
    const rec = c.history.get(t.id);
    if (!rec) t.forgotten = true;
    else if (rec.cancelRequested && isTerminal(rec.status)) t.endedLocally = true;
    return t.forgotten || t.endedLocally;
  }

  /** A create nobody wants any more turned out to exist remotely: cancel it there, so it does not run and bill unseen. */
  function foundUnwanted(t: Track, p: RemoteRun) {
    if (t.forgotten) {
      c.tracks.delete(t.id);
      if (!isTerminal(p.status)) c.cancelDetached(t.id, { id: p.id, model: t.intent.model });
      return;
    }
    // Canceled on the card already: keep the provider id with it and cancel through the usual path
    // (retried on transient errors); the card stays canceled unless Replicate says it finished first.
    const f = c.follow(t, following(p.id, c.clock.now()));
    t.cancelWanted = true;
    t.dueAt = c.clock.now();
    c.applyRemote(f, p);
  }

  /** Cancels a prediction no row follows any more (deleted): best effort, a few tries on transient errors. */
  function cancelDetached(id: string, ref: RunRef, attempt = 1) {
    c.run(
      c.provider.cancel(ref).then(
        () => undefined,
        (err) => {
          const transient = err instanceof ProviderError && err.transient;
          if (c.dead || !c.running || !transient || attempt >= 5) return c.log.warn('cancel of a deleted prediction failed', { id, err: String(err) });
          const h = c.clock.setTimeout(
            () => {
              c.detachedTimers.delete(h);
              if (c.running) c.cancelDetached(id, ref, attempt + 1);
            },
            (err as ProviderError).retryAfterMs ?? backoffDelay(attempt, c.opts.backoff, c.opts.random),
          );
          c.detachedTimers.add(h);
        },
      ),
    );
  }

  function requeue(t: Track, delay: number, err: unknown) {
    t.phase = { kind: 'queued' };
    t.dueAt = c.clock.now() + delay;
    const rl = err instanceof ProviderError && err.code === 'rate_limited';
    c.tryWrite(t.id, {
      status: 'queued',
      statusSince: c.clock.now(),
      note: rl
        ? // The provider's words say by whom, and why when it is more than a throttle (a low credit).
          `${err.message.replace(/\.$/, '')} — retrying in ${Math.ceil(delay / 1000)} s`
        : c.health.online
          ? `Retrying in ${Math.ceil(delay / 1000)} s`
          : `${c.provider.label} unreachable — will send when it is back`,
    });
  }

  /** The typed reason a create was refused, for waitSubmitted; only the most recent few are kept. */
  function failCreate(t: Track, err: unknown) {
    const kerr = err instanceof KilnError ? err : new KilnError({ code: 'internal', message: String(err) });
    c.tracks.delete(t.id);
    c.createErrors.set(t.id, kerr);
    if (c.createErrors.size > 500) c.createErrors.delete(c.createErrors.keys().next().value!);
    c.write(t.id, { status: 'failed', statusSince: c.clock.now(), completedAt: c.clock.now(), error: { code: kerr.code, message: kerr.message }, note: null });
  }

  /**
   * One upload per file of late, by content (options.ts `uploadReuseMs`; kept in `c.uploads`). The
   * promise is kept, so the runs of a batch created at once share one upload in flight; a failed
   * one is forgotten.
   */
  function uploadOnce(bytes: Buffer, name: string, mime: string): Promise<string> {
    const now = c.clock.now();
    const uploads = c.uploads;
    for (const [k, u] of uploads) if (now - u.at >= c.opts.uploadReuseMs) uploads.delete(k);
    const key = `${createHash('sha256').update(bytes).digest('hex')} ${mime}`;
    const hit = uploads.get(key);
    if (hit) return hit.url;
    const url = c.provider.upload(bytes, name, mime);
    uploads.set(key, { url, at: now });
    url.catch(() => {
      if (uploads.get(key)?.url === url) uploads.delete(key);
    });
    return url;
  }

  /** kiln-file refs → an uploaded file URL (or a data URI when small). A retry re-uploads the kept copy unless it was uploaded moments ago. */
  async function prepareInput(input: Record<string, unknown>): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    const conv = async (v: unknown): Promise<unknown> => {
      if (typeof v === 'string' && v.startsWith('kiln-file:')) {
        const staged = c.vault.resolveStaged(v);
        if (!staged) throw new KilnError({ code: 'invalid_input', message: `The input file ${v} is no longer in the vault.` });
        const bytes = await readFile(staged.absPath);
        if (bytes.byteLength <= c.opts.dataUriMaxBytes) return `data:${staged.mime};base64,${bytes.toString('base64')}`;
        return uploadOnce(bytes, staged.path.split('/').pop() ?? 'input', staged.mime);
      }
      if (Array.isArray(v)) return Promise.all(v.map(conv));
      return v;
    };
    for (const [k, v] of Object.entries(input)) out[k] = await conv(v);
    return out;
  }

  /** One page of the provider's runs, newest first (list and reconcile need capabilities.list). */
  function listPage(next: string | null, query?: { createdAfter?: string }) {
    if (!c.provider.list) throw new ProviderError({ code: 'internal', message: `${c.provider.label} has no run list.` });
    return c.provider.list(next, query);
  }

  return { startCreate, doCreate, unwanted, foundUnwanted, cancelDetached, requeue, failCreate, prepareInput, listPage };
}
