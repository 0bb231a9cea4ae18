import fs from 'node:fs';
import path from 'node:path';
import { pidAlive } from './lock.ts';

// Which runs a live process is following (ARCHITECTURE.md, "Storage"). A process that does not own the data folder
// (the CLI beside the open app) lists the runs it started in `<dataDir>/claims/<pid>-<token>.json`;
// the owner leaves those alone — two engines sending or reconciling one intent could create it
// twice — and adopts a run only once no live process claims it (its CLI exited, was killed, or
// was interrupted and handed the run over).

export const CLAIMS_DIR = 'claims';
/** A claims file bigger than this is not ours (ids are UUIDs; a CLI claims a handful). */
const MAX_CLAIMS_BYTES = 4 * 1024 * 1024;

export interface Claims {
  /** Claims these ids for this process (written at once: the owner may look any moment). */
  add(ids: Iterable<string>): void;
  /** Stops claiming these (ended and saved, or handed over). */
  drop(ids: Iterable<string>): void;
  has(id: string): boolean;
  /** Removes this process's claims file (on stop: whatever is left is handed over). */
  close(): void;
}

export function createClaims(opts: { dataDir: string; token: string }): Claims {
  const dir = path.join(opts.dataDir, CLAIMS_DIR);
  const file = path.join(dir, `${process.pid}-${opts.token}.json`);
  const ids = new Set<string>();
  const write = () => {
    if (ids.size === 0) return void fs.rmSync(file, { force: true });
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ pid: process.pid, token: opts.token, ids: [...ids] }), { mode: 0o600 });
    fs.renameSync(tmp, file); // readers see the old list or the new one, never half of one
  };
  return {
    add(list) {
      let changed = false;
      for (const id of list) {
        if (ids.has(id)) continue;
        ids.add(id);
        changed = true;
      }
      if (changed) write();
    },
    drop(list) {
      let changed = false;
      for (const id of list) if (ids.delete(id)) changed = true;
      if (changed) write();
    },
    has: (id) => ids.has(id),
    close() {
      ids.clear();
      fs.rmSync(file, { force: true });
    },
  };
}

/**
 * Ids claimed by live processes other than this backend (`ownToken`). Files of dead processes are
 * removed, and so are those of older backends in this very process (one backend per data folder per
 * process: an older one has been stopped or crashed on purpose in a test).
 */
export function liveForeignClaims(dataDir: string, ownToken: string): Set<string> {
  const dir = path.join(dataDir, CLAIMS_DIR);
  const out = new Set<string>();
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const m = /^(\d+)-([\w-]+)\.json$/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    const token = m[2]!;
    if (token === ownToken) continue;
    const full = path.join(dir, name);
    if (pid === process.pid || !pidAlive(pid)) {
      fs.rmSync(full, { force: true });
      continue;
    }
    try {
      if (fs.statSync(full).size > MAX_CLAIMS_BYTES) continue;
      const doc = JSON.parse(fs.readFileSync(full, 'utf8')) as { ids?: unknown };
      if (Array.isArray(doc.ids)) for (const id of doc.ids) if (typeof id === 'string') out.add(id);
    } catch {
      // Replaced while we read it (rename): the next sweep reads the new one.
    }
  }
  return out;
}
