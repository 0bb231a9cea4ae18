import fs from 'node:fs';
import path from 'node:path';
import { KilnError } from '../../../../shared/ipc.ts';
import type { Services } from '../../services.ts';
import type { HandlerMap } from './types.ts';
import { hasAdmin, type HistoryStoreFull } from '../../history/types.ts';
import { hasVaultAdmin, type MediaVaultFull } from '../../vault/types.ts';
import { exportHistory, importHistory } from '../../transfer/transfer.ts';
import { dismissRecoveryNotice, readRecoveryNotice } from '../../history/recovery.ts';

// predictions:* channels that read or edit the history (create/cancel/retry are in predictions.ts).

function history(s: Services): HistoryStoreFull {
  if (!hasAdmin(s.history)) throw new KilnError({ code: 'not_implemented', message: 'This history store cannot do that.' });
  return s.history;
}
function vault(s: Services): MediaVaultFull {
  if (!hasVaultAdmin(s.vault)) throw new KilnError({ code: 'not_implemented', message: 'This media vault cannot do that.' });
  return s.vault;
}
const fileExists = (abs: string | null) => abs !== null && fs.existsSync(abs);
const notFound = (id: string) => new KilnError({ code: 'not_found', message: `No prediction ${id} in the history.` });

export const historyHandlers: HandlerMap = {
  'predictions:list': (req, s) => {
    const { cursor, limit, ...filter } = req;
    const page = s.history.list(filter, cursor ?? null, limit);
    // The first page is what the user is looking at: notice files deleted outside the app there
    // (one stat per saved output), so the card says "missing" and offers a re-download.
    if (!cursor && hasVaultAdmin(s.vault)) {
      const v = s.vault;
      page.items = page.items.map((item) => {
        const gone = item.outputs.some((o) => o.state === 'saved' && o.path && !fileExists(v.resolve(o.path)));
        return gone && v.checkFiles(item.id) > 0 ? (s.history.view(item.id) ?? item) : item;
      });
    }
    return page;
  },

  'predictions:get': (req, s) => {
    // A detail view is the moment to notice a file the user deleted outside the app.
    if (hasVaultAdmin(s.vault)) s.vault.checkFiles(req.id);
    const v = s.history.view(req.id);
    if (!v) throw notFound(req.id);
    return v;
  },

  'predictions:counts': (_req, s) => s.history.counts(),

  'predictions:groupProgress': (req, s) => ({ groups: history(s).groupProgress(req.groupIds) }),

  'predictions:delete': (req, s) => {
    const r = vault(s).deletePredictions(req.ids);
    s.engine.forget(r.ids);
    return { undoToken: r.undoToken, deleted: r.deleted, skippedFavourites: r.skippedFavourites };
  },

  'predictions:undoDelete': (req, s) => {
    const r = vault(s).undoDelete(req.undoToken);
    // A prediction deleted mid-flight was canceled at the provider; following it again shows that.
    for (const id of r.ids) s.engine.resume(id);
    return { restored: r.restored };
  },

  'predictions:favourite': (req, s) => {
    if (!history(s).setFavourite(req.id, req.favourite)) throw notFound(req.id);
    s.publisher.changed(req.id);
    return { ok: true as const };
  },

  'predictions:export': async (req, s) => {
    const h = history(s);
    const now = s.clock.now();
    const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
    const dest = req.dest ?? path.join(s.dataDir, 'exports', `kiln-export-${stamp}.zip`);
    if (!path.isAbsolute(dest)) throw new KilnError({ code: 'bad_request', message: 'Export destination must be an absolute path.' });
    try {
      return await exportHistory({ history: h, vaultRoot: s.vault.root, dest, ids: req.ids, now });
    } catch (err) {
      throw new KilnError({ code: 'bad_request', message: `Export failed: ${String((err as Error)?.message ?? err)}` });
    }
  },

  'predictions:import': async (req, s) => {
    const h = history(s);
    if (!req.path) throw new KilnError({ code: 'bad_request', message: 'Choose an export folder or .zip to import.' });
    if (!path.isAbsolute(req.path)) throw new KilnError({ code: 'bad_request', message: 'Import path must be an absolute path.' });
    if (!fs.existsSync(req.path))
      throw new KilnError({ code: 'bad_request', message: `Nothing to import at ${req.path}: choose a folder or .zip made by "Export all".` });
    try {
      const r = await importHistory({
        history: h,
        vaultRoot: s.vault.root,
        source: req.path,
        tmpParent: path.join(s.dataDir, '.vault-tmp', String(process.pid)),
      });
      return r;
    } catch (err) {
      throw new KilnError({ code: 'bad_request', message: importFailure(req.path, err) });
    }
  },

  'predictions:redownload': (req, s) => {
    const v = vault(s);
    if (!s.history.get(req.id)) throw notFound(req.id);
    // Runs in the background: the card follows it through prediction:updated events.
    v.redownload(req.id).catch((err) => s.log.warn('redownload failed', { id: req.id, err: String(err) }));
    return { ok: true as const };
  },

  'history:recoveryNotice': (_req, s) => readRecoveryNotice(s.dataDir),

  'history:dismissRecoveryNotice': (_req, s) => {
    dismissRecoveryNotice(s.dataDir);
    return { ok: true as const };
  },
};

/**
 * An import error in the user's words: the path they chose, never a raw errno or the temp folder a
 * zip was unpacked into (those mean nothing to them and leak internals).
 */
function importFailure(source: string, err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT' && /manifest\.json/.test(String(e.path ?? e.message))) {
    return `${source} is not a Kiln export: it has no manifest.json (choose a folder or .zip made by "Export all").`;
  }
  if (e?.code) return `Import failed: ${source} could not be read (${e.code === 'EACCES' || e.code === 'EPERM' ? 'permission denied' : e.code}).`;
  return `Import failed: ${String(e?.message ?? err)}`;
}
