import type { PredictionRecord } from '../history/types.ts';
import { isTerminal } from '../../../shared/domain/status.ts';
import { type Core, type EngineOps, type FollowedTrack, type Phase, type Track } from './core.ts';
import { phaseOnResume, type Following } from './phase.ts';

// The in-memory side of the journal: which runs this engine follows (a Track each), resuming one
// from whatever step it stopped at, forgetting deleted ones, saving outputs, and halting.

export function createTracks(c: Core): Pick<EngineOps, 'track' | 'follow' | 'save' | 'resume' | 'stopStream' | 'forget' | 'halt'> {
  function track(rec: PredictionRecord, phase: Phase, dueAt = c.clock.now()): Track {
    const t: Track = {
      id: rec.id,
      phase,
      dueAt,
      busy: false,
      failures: 0,
      cancelWanted: rec.cancelRequested,
      intent: { model: rec.model, version: rec.version, input: rec.input, since: rec.statusSince },
      endedLocally: false,
      forgotten: false,
    };
    c.tracks.set(rec.id, t);
    return t;
  }

  function follow(t: Track, phase: Following): FollowedTrack {
    t.phase = phase;
    return t as FollowedTrack;
  }

  /** Predictions seen remotely since start (settle() waits for a first look at resumed ones). */
  function save(rec: PredictionRecord) {
    const p = c.vault.saveOutputs(rec).finally(() => c.saving.delete(rec.id));
    c.saving.set(rec.id, p);
    c.run(p);
  }

  /** Starts following one record from the journal, whatever step it stopped at. */
  function resume(rec: PredictionRecord) {
    const existing = c.tracks.get(rec.id);
    if (existing) {
      // Deleted while its create was out, then restored (undo) before the answer: wanted again.
      existing.forgotten = false;
      return;
    }
    const phase = phaseOnResume(rec, c.clock.now());
    if (phase) c.track(rec, phase, phase.kind === 'queued' ? rec.createdAt : c.clock.now());
  }

  function stopStream(t: Track) {
    if (t.phase.kind === 'follow') t.phase.stream?.abort();
  }

  /**
   * Stops following predictions whose rows were deleted. One still running at the provider is
   * canceled there (best effort): nobody will ever see its output, so it should not keep costing.
   */
  function forget(ids: string[]) {
    for (const id of ids) {
      const t = c.tracks.get(id);
      if (!t) continue;
      c.stopStream(t);
      if (t.phase.kind === 'follow') {
        c.tracks.delete(id);
        if (!(t.phase.seenStatus && isTerminal(t.phase.seenStatus))) c.cancelDetached(id, { id: t.phase.providerId, model: t.intent.model });
      } else if ((t.phase.kind === 'submitting' && t.busy) || t.phase.kind === 'reconcile') {
        // The create is out, or its answer was lost: keep the track until the answer (or the
        // reconciliation) says whether something runs remotely, and cancel it then (foundUnwanted).
        t.forgotten = true;
      } else {
        c.tracks.delete(id); // never sent
      }
    }
  }

  /** No more ticks, timers or streams (stop and kill both start here). */
  function halt() {
    c.running = false;
    for (const h of c.detachedTimers) c.clock.clearTimeout(h);
    c.detachedTimers.clear();
    for (const t of c.tracks.values()) c.stopStream(t);
    c.cancels.settleAll({
      outcome: 'pending',
      message: `Kiln stopped before ${c.provider.label} answered the cancel; it is kept on the run and sent when Kiln follows it again.`,
    });
  }

  return { track, follow, save, resume, stopStream, forget, halt };
}
