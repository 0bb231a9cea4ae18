import type { DatabaseSync } from 'node:sqlite';
import path from 'node:path';
import { isTerminal } from '../../../shared/domain/status.ts';
import type { Logger } from '../types.ts';
import { createOwnerLock, type OwnerLock } from './lock.ts';
import { DB_FILE, connect } from '../history/db.ts';
import { createClaims, liveForeignClaims, type Claims } from './claims.ts';

// One owner per data folder, and the owner notices what others wrote (ARCHITECTURE.md, "Storage";
// docs/DECISIONS.md, "data-folder ownership"). Composed by createBackend around the engine — the engine
// itself knows nothing of other processes:
//  - the owner resumes and reconciles left-over runs at start (engine resumeOnStart), and later
//    adopts runs another process left behind (no live process claims them any more);
//  - a non-owner follows only the runs it started and claims them (claims.ts), and takes over the
//    folder when the owner exits;
//  - every process watches the history for rows written by other connections (PRAGMA data_version,
//    once a second) and publishes them, so an open gallery shows a CLI run live.

/** The slice of the engine ownership needs (its public API only). */
export interface OwnedEngine {
  resume(id: string): void;
  followedIds(): string[];
  onRecord(l: (rec: { id: string; status: string; saveState: string }) => void): () => void;
}

export interface Ownership {
  readonly owner: boolean;
  /** The engine's resumeOnStart for this process: the host's wish if we own the folder, else nothing. */
  resumeOnStart(requested: unknown): unknown;
  /** Starts claiming, watching and (as owner) adopting. */
  attach(engine: OwnedEngine, publish: (id: string) => void): void;
  /** One sweep now (tests; also the first one after attach). */
  sweep(): void;
  /** Stops watching, drops claims (their runs are handed over) and releases the lock. */
  close(): void;
  lockHolder(): ReturnType<OwnerLock['holder']>;
}

export const SWEEP_MS = 1000;

export function createOwnership(opts: { dataDir: string; kind: string; log: Logger; sweepMs?: number }): Ownership {
  const lock = createOwnerLock({ dataDir: opts.dataDir, kind: opts.kind });
  const token = crypto.randomUUID();
  let owner = lock.tryAcquire();
  const claims: Claims = createClaims({ dataDir: opts.dataDir, token });
  let db: DatabaseSync | null = null;
  let engine: OwnedEngine | null = null;
  let publish: (id: string) => void = () => {};
  let timer: ReturnType<typeof setInterval> | null = null;
  let offRecord: (() => void) | null = null;
  let lastVersion = -1;
  let lastSeq = -1;
  /** Rows that need someone to work on them (unfinished, or succeeded and not yet saved). */
  let needWork = new Set<string>();
  /** Rows of others we published last time: published once more after they leave needWork. */
  let shown = new Set<string>();
  /** Unclaimed rows seen at the last sweep: adopted at the next if still unclaimed (a claim is written just after the row). */
  let unclaimedBefore = new Set<string>();
  /** Runs this (non-owner) process claimed: the ones its engine wrote. */
  const claimedIds = new Set<string>();

  if (!owner) opts.log.info('data folder owned by another process: following only the runs started here', { holder: lock.holder() });

  function scan(force: boolean): void {
    if (!db) return;
    const version = Number((db.prepare('PRAGMA data_version').get() as { data_version: number }).data_version);
    if (!force && version === lastVersion) return;
    lastVersion = version;
    const ids = (sql: string, ...args: number[]) => (db!.prepare(sql).all(...args) as { id: string }[]).map((r) => r.id);
    const active = ids(`SELECT id FROM predictions INDEXED BY predictions_active WHERE status NOT IN ('succeeded','failed','canceled','aborted')`);
    // Same WHERE as the predictions_unsaved partial index (so it is used); 'save-failed' is left out
    // after: the engine that saw it fail already said so on the card, and retrying it every sweep
    // would hammer a host that refused it. A row left 'saving' or 'none' was left by a process that died.
    const unsaved = (
      db
        .prepare(
          `SELECT id, save_state FROM predictions INDEXED BY predictions_unsaved WHERE status = 'succeeded' AND save_state IN ('saving','save-failed','none')`,
        )
        .all() as { id: string; save_state: string }[]
    )
      .filter((r) => r.save_state !== 'save-failed')
      .map((r) => r.id);
    // Rows inserted since the last look, even if they ended before we saw them (a 422, a quick run).
    const fresh = lastSeq < 0 ? [] : ids('SELECT id FROM predictions WHERE seq > ?', lastSeq);
    lastSeq = Number((db.prepare('SELECT coalesce(max(seq), 0) AS m FROM predictions').get() as { m: number }).m);
    needWork = new Set([...active, ...unsaved]);
    const followed = new Set(engine?.followedIds() ?? []);
    const now = new Set([...needWork, ...fresh].filter((id) => !followed.has(id)));
    for (const id of new Set([...now, ...shown])) publish(id);
    shown = new Set([...needWork].filter((id) => !followed.has(id)));
  }

  function adopt(): void {
    if (!engine || !owner) return;
    const followed = new Set(engine.followedIds());
    const claimed = liveForeignClaims(opts.dataDir, token);
    const unclaimed = new Set([...needWork].filter((id) => !followed.has(id) && !claimed.has(id) && !claims.has(id)));
    for (const id of unclaimed) {
      if (!unclaimedBefore.has(id)) continue;
      opts.log.info('adopting a run no live process follows', { id });
      engine.resume(id);
    }
    unclaimedBefore = unclaimed;
  }

  function sweep(): void {
    try {
      let force = false;
      if (!owner && lock.tryAcquire()) {
        owner = true;
        force = true;
        opts.log.info('took over the data folder: its previous owner has exited');
      } else if (owner && !lock.held) {
        owner = false; // the lock file was removed or replaced by hand: stop adopting
        opts.log.warn('the data folder lock is no longer ours: following only the runs started here');
      }
      scan(force);
      adopt();
      // Claims of runs this engine no longer follows (ended and saved) are dropped.
      if (engine && claimedIds.size) {
        const followed = new Set(engine.followedIds());
        const done = [...claimedIds].filter((id) => !followed.has(id));
        for (const id of done) claimedIds.delete(id);
        claims.drop(done);
      }
    } catch (err) {
      opts.log.warn('ownership sweep failed', { err: String(err) });
    }
  }

  return {
    get owner() {
      return owner;
    },
    resumeOnStart(requested) {
      if (!owner) return false;
      // Runs claimed by a live process (the CLI kept running while the app restarted) are not ours
      // to resume: leave them to it, and let the sweep adopt whatever is not claimed.
      if (liveForeignClaims(opts.dataDir, token).size > 0) return false;
      return requested === undefined ? true : requested;
    },
    attach(e, p) {
      engine = e;
      publish = p;
      db = connect(path.join(opts.dataDir, DB_FILE));
      // A non-owner claims every run its engine writes, before its create can go out.
      offRecord = e.onRecord((rec) => {
        if (owner || claimedIds.has(rec.id)) return;
        if (isTerminal(rec.status) && rec.saveState !== 'saving' && rec.saveState !== 'none') return;
        claimedIds.add(rec.id);
        claims.add([rec.id]);
      });
      scan(true);
      unclaimedBefore = new Set(); // runs left at start were resumed by the engine (or are claimed)
      timer = setInterval(sweep, opts.sweepMs ?? SWEEP_MS);
      timer.unref(); // watching never keeps a process alive (hosts hold it: host/keepalive.ts)
    },
    sweep,
    close() {
      if (timer) clearInterval(timer);
      timer = null;
      offRecord?.();
      claims.close();
      lock.release();
      owner = false;
      try {
        db?.close();
      } catch {
        // already closed
      }
      db = null;
    },
    lockHolder: () => lock.holder(),
  };
}
