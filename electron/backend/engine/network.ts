import { ProviderError } from '../providers/errors.ts';
import { backoffDelay } from '../../../shared/backoff.ts';
import type { RequestClass } from './health.ts';
import { classifyFailure, keyNote } from './failures.ts';
import { isFollowed, type Core, type EngineOps, type Track } from './core.ts';

// Network health and the key pause (ARCHITECTURE.md, "Runs and their lifecycle"): per kind of request (health.ts), so a partial
// outage degrades the way of following instead of taking every card offline; a rejected key
// pauses the provider's runs until a key is saved; an outage probes slowly, one request at a time.

export function createNetwork(c: Core): Pick<EngineOps, 'noteSuccess' | 'noteFailure' | 'pauseForKey' | 'keyChanged' | 'probe' | 'retryDelay'> {
  function noteSuccess(kind: RequestClass) {
    if (!c.health.success(kind)) return;
    c.offlineDetail = null;
    c.log.info(`${c.provider.label} reachable again`);
    c.deps.emit('network:changed', { online: true, detail: null });
    for (const t of c.tracks.values()) {
      const rec = c.history.get(t.id);
      const sticky = t.phase.kind === 'follow' ? t.phase.stickyNote : null;
      if (rec?.note && rec.note !== sticky) c.tryWrite(t.id, { note: null });
      if (t.phase.kind === 'follow') t.dueAt = c.clock.now();
    }
  }

  /**
   * Hears a failed request of one kind. A rejected key pauses the provider, so nothing more is sent
   * until a key is saved; a network-level failure counts toward "unreachable" unless the kind has a
   * fallback (health.ts). Returns the failure's class for the caller's own decision.
   */
  function noteFailure(err: unknown, kind: RequestClass) {
    const cls = classifyFailure(err);
    if (cls === 'key' && pausesForKey(err, kind)) c.pauseForKey(err);
    if (cls !== 'network') return cls;
    if (c.health.failure(kind)) {
      c.offlineDetail = err instanceof Error ? err.message : String(err);
      c.nextProbeAt = c.clock.now() + Math.min(c.opts.probeMs, backoffDelay(c.health.streak, c.opts.backoff, c.opts.random));
      c.log.warn(`${c.provider.label} unreachable; probing slowly`, { detail: c.offlineDetail });
      c.deps.emit('network:changed', { online: false, detail: c.offlineDetail });
      const secs = Math.ceil((c.nextProbeAt - c.clock.now()) / 1000);
      for (const t of c.tracks.values()) c.tryWrite(t.id, { note: `${c.provider.label} unreachable — retrying in ${secs} s` });
    }
    return cls;
  }

  /**
   * Which key refusals are the key's, for the whole provider. A create's refusal fails that run
   * (the composer and the CLI's exit 3 show it) and, when it is a 401 (the key itself), also holds
   * every later create instead of sending each to be refused; a 403 on a create may be this model's
   * permission alone. An upload's refusal is its file host's; a stream's is not the key's either: its
   * URL is the stream host's capability (Replicate's clients send it no key), and the look that
   * follows a broken stream asks the API itself.
   */
  function pausesForKey(err: unknown, kind: RequestClass): boolean {
    if (kind === 'upload' || kind === 'stream') return false;
    return kind !== 'create' || (err instanceof ProviderError && err.status === 401);
  }

  function pauseForKey(err: unknown) {
    if (c.keyPause) return;
    c.keyPause = keyNote(err);
    c.log.warn(`${c.provider.label} rejected the key; pausing its runs until a key is saved`, { err: String(err) });
    for (const t of c.tracks.values()) {
      c.stopStream(t);
      c.tryWrite(t.id, { note: c.keyPause });
    }
    for (const l of c.keyListeners) l(c.keyPause);
  }

  /** A key was saved (or changed): resume everything the rejected key paused. */
  function keyChanged() {
    // A file uploaded with the old key may be another account's, out of reach of the new one.
    c.uploads.clear();
    if (!c.keyPause) return c.schedule(0);
    const was = c.keyPause;
    c.keyPause = null;
    c.log.info('a key was saved; resuming paused runs');
    const now = c.clock.now();
    for (const t of c.tracks.values()) {
      if (c.history.get(t.id)?.note === was) c.tryWrite(t.id, { note: null });
      if (t.phase.kind === 'follow') {
        t.dueAt = now;
        t.phase.needsFull = true;
        t.phase.cancelDueAt = 0;
      }
    }
    c.listDueAt = now;
    for (const l of c.keyListeners) l(null);
    c.schedule(0);
  }

  /**
   * During an outage: one request at a time, slowly. A GET of one followed run when there is one
   * (a broken list endpoint must not keep the provider "down" while GETs work), else a list page.
   */
  function probe() {
    c.probing = true;
    const target = [...c.tracks.values()].find(isFollowed);
    const request: Promise<unknown> = target
      ? c.provider.get({ id: target.phase.providerId, model: target.intent.model })
      : c.provider.list
        ? c.provider.list(null)
        : Promise.resolve();
    c.run(
      request
        .then(() => c.noteSuccess('probe'))
        .catch((err) => {
          const cls = classifyFailure(err);
          if (cls === 'key') c.pauseForKey(err);
          if (cls !== 'network') return c.noteSuccess('probe'); // reachable, just unhappy (a key, a 404)
          c.health.failure('probe');
          const delay = Math.min(c.opts.probeMs, backoffDelay(c.health.streak, c.opts.backoff, c.opts.random));
          c.nextProbeAt = c.clock.now() + delay;
          const secs = Math.ceil(delay / 1000);
          for (const t of c.tracks.values()) c.tryWrite(t.id, { note: `${c.provider.label} unreachable — retrying in ${secs} s` });
        })
        .finally(() => {
          c.probing = false;
        }),
    );
  }

  function retryDelay(t: Track, err: unknown): number {
    const hinted = err instanceof ProviderError ? err.retryAfterMs : null;
    const permanent = err instanceof ProviderError && !err.transient;
    return hinted ?? (permanent ? c.opts.backoff.maxMs : backoffDelay(t.failures, c.opts.backoff, c.opts.random));
  }

  return { noteSuccess, noteFailure, pauseForKey, keyChanged, probe, retryDelay };
}
