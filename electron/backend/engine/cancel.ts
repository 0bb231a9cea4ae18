// What became of a cancel the user asked for (ARCHITECTURE.md, "Runs and their lifecycle": "a refused cancel is an answer"). The
// engine's `cancel(id)` returns a promise of one of these, so a host can say what happened: the CLI
// maps `refused` and `key-rejected` to its own message and exit code, the app shows the card note.

export type CancelOutcome =
  /** No create was known to exist: the card ended here; anything that turns up remotely is canceled there. */
  | { outcome: 'canceled-locally' }
  /** The run had already ended (its status). */
  | { outcome: 'already-ended'; status: string }
  /** Replicate accepted the cancel; the status it reported (usually `canceled`, or the end it had reached). */
  | { outcome: 'accepted'; status: string }
  /** Replicate refused (a 4xx other than 401/403): not canceled, the run is still followed to its end. */
  | { outcome: 'refused'; message: string }
  /** 401/403: the provider's runs are paused; the cancel is sent once a key is saved. */
  | { outcome: 'key-rejected'; message: string }
  /** No answer before this engine stopped (or it does not follow the run): the cancel is kept on the record. */
  | { outcome: 'pending'; message: string };

/** Waiters per run id, settled once by the first answer. */
export function createCancelWaiters() {
  const waiters = new Map<string, ((o: CancelOutcome) => void)[]>();
  return {
    wait(id: string): Promise<CancelOutcome> {
      return new Promise((resolve) => {
        const list = waiters.get(id) ?? [];
        list.push(resolve);
        waiters.set(id, list);
      });
    },
    settle(id: string, o: CancelOutcome) {
      const list = waiters.get(id);
      if (!list) return;
      waiters.delete(id);
      for (const r of list) r(o);
    },
    settleAll(o: CancelOutcome) {
      for (const id of [...waiters.keys()]) this.settle(id, o);
    },
  };
}
