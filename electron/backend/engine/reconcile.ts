import type { RemoteRun } from '../providers/types.ts';
import { inputsMatch, modelsMatch } from './match.ts';
import { type Core, type EngineOps, type Track } from './core.ts';
import { afterReconcile, following } from './phase.ts';
import { cancelAfterMs } from '../../../shared/domain/settings.ts';
import { KilnError } from '../../../shared/ipc.ts';

// Reconciliation (ARCHITECTURE.md, "Runs and their lifecycle"): a create whose answer never arrived is looked for in the provider's
// own recent runs (matched by model, input and time) before it is ever sent again.

export function createReconcile(c: Core): Pick<EngineOps, 'reconcileSweep' | 'doReconcile'> {
  function reconcileSweep() {
    const batch = [...c.tracks.values()].filter((t) => t.phase.kind === 'reconcile' && !t.busy && t.dueAt <= c.clock.now());
    if (!batch.length) return;
    for (const t of batch) t.busy = true;
    c.listBusy = true;
    c.run(
      c.doReconcile(batch).finally(() => {
        c.listBusy = false;
        for (const t of batch) t.busy = false;
      }),
    );
  }

  async function doReconcile(batch: Track[]) {
    // From the tracks, not the rows: a deleted or locally canceled one is still looked for, so that a
    // create that did reach Replicate is canceled there instead of running (and billing) unseen.
    const recs = batch.map((t) => ({ id: t.id, model: t.intent.model, input: t.intent.input, statusSince: t.intent.since }));
    const earliest = Math.min(...recs.map((r) => r.statusSince)) - c.opts.reconcileSkewMs;
    const claimed = new Set<string>();
    const found = new Map<string, RemoteRun>();
    try {
      if (!c.provider.list && c.provider.findSubmitted) {
        // No run list (fal): the provider's request history, asked per intent (ARCHITECTURE.md, "Runs and their lifecycle").
        for (const rec of recs) {
          const hits = await c.provider.findSubmitted({ model: rec.model, input: rec.input, since: rec.statusSince - c.opts.reconcileSkewMs });
          if (c.dead) return;
          c.noteSuccess('reconcile');
          const match = hits.find((r) => !claimed.has(r.id) && inputsMatch(rec.input, r.input) && !c.history.getByProviderId(r.id));
          if (match) {
            claimed.add(match.id);
            found.set(rec.id, match);
          }
        }
      } else {
        let next: string | null = null;
        for (let page = 0; page < c.opts.listMaxPages; page++) {
          const res = await c.listPage(next, { createdAfter: new Date(earliest).toISOString() });
          if (c.dead) return;
          c.noteSuccess('reconcile');
          // Oldest first within the page so identical inputs clicked twice pair up in click order.
          const results = [...res.results].reverse();
          for (const rec of recs) {
            if (found.has(rec.id)) continue;
            const match = results.find(
              (r) =>
                !claimed.has(r.id) &&
                modelsMatch(rec.model, r.model) &&
                inputsMatch(rec.input, r.input) &&
                (r.createdAt ?? NaN) >= rec.statusSince - c.opts.reconcileSkewMs &&
                !c.history.getByProviderId(r.id),
            );
            if (match) {
              claimed.add(match.id);
              found.set(rec.id, match);
            }
          }
          const oldest = res.results.length ? (res.results[res.results.length - 1]!.createdAt ?? NaN) : NaN;
          if (!res.next || found.size === recs.length || oldest < earliest) break;
          next = res.next;
        }
      }
    } catch (err) {
      if (c.dead) return;
      c.noteFailure(err, 'reconcile');
      for (const t of batch) {
        t.failures++;
        t.dueAt = c.clock.now() + c.retryDelay(t, err);
      }
      return;
    }
    for (const t of batch) {
      if (t.phase.kind !== 'reconcile') continue; // moved on meanwhile (never, today: the batch is busy)
      const remote = found.get(t.id);
      const tries = t.phase.tries;
      switch (afterReconcile({ found: !!remote, unwanted: c.unwanted(t), tries, attempts: c.opts.reconcileAttempts, ...notFoundProves(t) })) {
        case 'cancel-found':
          c.log.info('a create canceled or deleted before its answer exists remotely: canceling it', { id: t.id, providerId: remote!.id });
          c.foundUnwanted(t, remote!);
          break;
        case 'follow': {
          c.log.info('reconciled a create whose response was lost', { id: t.id, providerId: remote!.id });
          const f = c.follow(t, following(remote!.id, c.clock.now()));
          t.failures = 0;
          c.tryWrite(t.id, { note: null });
          c.applyRemote(f, remote!);
          f.phase.needsFull = true; // the history item is not a full view: one GET now
          t.dueAt = c.clock.now();
          break;
        }
        case 'look-again':
          t.phase = { kind: 'reconcile', tries: tries + 1 };
          t.dueAt = c.clock.now() + c.opts.reconcileDelayMs;
          break;
        case 'wait':
          // Not found, and not proof: a queued request is not in fal's history until it starts.
          t.phase = { kind: 'reconcile', tries: tries + 1, waiting: true };
          t.dueAt = c.clock.now() + c.opts.reconcileWaitMs;
          if (!t.endedLocally && !t.forgotten)
            c.tryWrite(t.id, { note: `${c.provider.label}'s answer to this submit was lost — looking for it in ${c.provider.label}'s history` });
          break;
        case 'give-up':
          c.log.warn('lost submit never found; failing it rather than risk a second job', { id: t.id });
          c.failCreate(
            t,
            new KilnError({
              code: 'provider',
              message: `${c.provider.label}'s answer to this submit was lost, and the request never showed in its history. It may not exist; Retry sends it again.`,
            }),
          );
          break;
        case 'drop':
          // Provably never created, and no longer wanted: done (never re-sent).
          c.tracks.delete(t.id);
          break;
        case 'resend':
          // Provably not created (not listed after waiting): sending it again cannot pay twice.
          c.log.info('lost create not found at the provider; sending again', { id: t.id });
          t.phase = { kind: 'queued' };
          t.dueAt = c.clock.now();
          c.tryWrite(t.id, { status: 'queued', statusSince: c.clock.now(), note: null });
          break;
      }
    }
  }

  /**
   * Whether not finding a lost submit now proves it was never created: always where the provider's
   * history lists queued runs; elsewhere only once the run's start deadline (sent with it) and a
   * margin have passed — it can never start then. `expired`: Kiln has looked as long as it looks.
   */
  function notFoundProves(t: Track): { proven: boolean; expired: boolean } {
    const now = c.clock.now();
    const expired = now - t.intent.since >= c.opts.reconcileGiveUpMs;
    if (c.provider.capabilities.historyListsQueued !== false) return { proven: true, expired };
    const deadline = cancelAfterMs(c.history.get(t.id)?.cancelAfter);
    return { proven: deadline !== null && now - t.intent.since >= deadline + c.opts.reconcileDeadlineMarginMs, expired };
  }

  return { reconcileSweep, doReconcile };
}
