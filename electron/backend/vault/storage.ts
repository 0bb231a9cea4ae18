import fs from 'node:fs';
import path from 'node:path';
import type { HistoryStore } from '../records/types.ts';
import { hasAdmin } from '../records/types.ts';
import type { StorageUsage } from './types.ts';
import { kindForMime, mimeForExt } from './mime.ts';

// Storage use per kind for the settings page, and the two clean-ups it offers.

const MAX_FILES = 2_000_000; // a bound on the walk, far above any real vault

async function* walk(dir: string): AsyncGenerator<{ abs: string; size: number }> {
  let seen = 0;
  const stack = [dir];
  while (stack.length > 0 && seen < MAX_FILES) {
    const d = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(d, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const abs = path.join(d, e.name);
      if (e.isDirectory()) stack.push(abs);
      else if (e.isFile()) {
        seen++;
        yield { abs, size: (await fs.promises.stat(abs)).size };
      }
    }
  }
}

export async function storageUsage(opts: { root: string; dataDir: string; history: HistoryStore }): Promise<StorageUsage> {
  const byKind: StorageUsage['byKind'] = {};
  const thumbnails = { files: 0, bytes: 0 };
  const thumbsDir = path.join(opts.root, 'thumbs') + path.sep;
  const inputsDir = path.join(opts.root, 'inputs') + path.sep;
  for await (const f of walk(opts.root)) {
    if (f.abs.startsWith(thumbsDir)) {
      thumbnails.files++;
      thumbnails.bytes += f.size;
      continue;
    }
    const kind = f.abs.startsWith(inputsDir)
      ? 'input'
      : f.abs.endsWith('.json') && fs.existsSync(f.abs.slice(0, -5))
        ? 'sidecar'
        : kindForMime(mimeForExt(path.extname(f.abs)));
    const k = (byKind[kind] ??= { files: 0, bytes: 0 });
    k.files++;
    k.bytes += f.size;
  }
  return { byKind, thumbnails, database: hasAdmin(opts.history) ? opts.history.databaseBytes() : 0, dataDir: opts.dataDir };
}

export async function clearStorage(opts: {
  root: string;
  tmpDir: string;
  history: HistoryStore;
  what: 'thumbnails' | 'unsaved';
  busy: () => boolean;
}): Promise<{ freedBytes: number }> {
  let freed = 0;
  if (opts.what === 'thumbnails') {
    const dir = path.join(opts.root, 'thumbs');
    for await (const f of walk(dir)) freed += f.size;
    await fs.promises.rm(dir, { recursive: true, force: true });
    if (hasAdmin(opts.history)) opts.history.clearThumbPaths();
    return { freedBytes: freed };
  }
  // Files nothing references: interrupted downloads and leftovers from outside edits. Skipped while
  // a save is running, because a file is renamed into place a moment before its row is updated.
  if (opts.busy() || !hasAdmin(opts.history)) return { freedBytes: 0 };
  for await (const f of walk(opts.tmpDir)) {
    freed += f.size;
    await fs.promises.rm(f.abs, { force: true });
  }
  const refs = opts.history.referencedPaths();
  for await (const f of walk(opts.root)) {
    const rel = path.relative(opts.root, f.abs).split(path.sep).join('/');
    if (refs.has(rel) || (rel.endsWith('.json') && refs.has(rel.slice(0, -5)))) continue;
    freed += f.size;
    await fs.promises.rm(f.abs, { force: true });
  }
  return { freedBytes: freed };
}
