import { KilnError } from '../../../../shared/ipc.ts';
import { costFor } from '../../ledger/index.ts';
import { ledgerCsv } from '../../ledger/csv.ts';
import type { HandlerMap } from './types.ts';

// Money over IPC (ARCHITECTURE.md, "Money"). `cost:estimate` and `cost:get` read only the cached catalogue and
// the ledger (no network), so a form can ask on every change; `cost:price` may fetch fal's price
// once per model (then daily), which is why it is a separate channel.

const DAY_MS = 24 * 3600 * 1000;

/** Local dates (inclusive) → an epoch-ms range [from, to). */
export function rangeOf(req: { from?: string | null; to?: string | null; utcOffsetMinutes: number }): { from: number | null; to: number | null } {
  const at = (d: string) => {
    const t = Date.parse(`${d}T00:00:00Z`);
    if (!Number.isFinite(t)) throw new KilnError({ code: 'invalid_input', message: `${d} is not a date (use YYYY-MM-DD).` });
    return t - req.utcOffsetMinutes * 60_000;
  };
  return { from: req.from ? at(req.from) : null, to: req.to ? at(req.to) + DAY_MS : null };
}

export const costHandlers: HandlerMap = {
  'cost:price': async (req, s) => {
    const cost = costFor(s);
    await cost.catalogue.ensure([req.ref]);
    return { price: cost.catalogue.price(req.ref) };
  },

  'cost:estimate': (req, s) => {
    const cost = costFor(s);
    if (req.members) return cost.estimateGroup({ members: req.members, utcOffsetMinutes: req.utcOffsetMinutes });
    // The contract's refine guarantees both when members are absent.
    return cost.estimate({ ...req, ref: req.ref!, input: req.input! });
  },

  'cost:get': (req, s) => {
    const rec = s.history.get(req.id);
    if (!rec) {
      // Deleted from the gallery: the ledger still remembers what it cost.
      const row = costFor(s).ledger.get(req.id);
      return row ? { usd: row.usd, estimated: row.estimated, basis: row.basis, tableDate: row.tableDate } : null;
    }
    return costFor(s).costOf(rec);
  },

  'cost:summary': (req, s) => {
    const cost = costFor(s);
    return { ...cost.ledger.summary({ ...rangeOf(req), utcOffsetMinutes: req.utcOffsetMinutes }), budget: cost.budget(0, req.utcOffsetMinutes) };
  },

  'cost:csv': (req, s) => {
    const rows = costFor(s).ledger.rows(rangeOf(req));
    return { csv: ledgerCsv(rows, req.utcOffsetMinutes), rows: rows.length };
  },
};
