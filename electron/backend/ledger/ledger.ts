import type { StatementSync } from 'node:sqlite';
import path from 'node:path';
import { costOfRun, roundUsd, type CostFigure, type CostProvider } from '../../../shared/domain/cost.ts';
import { isTerminal } from '../../../shared/domain/status.ts';
import { runRef } from '../../../shared/domain/provider.ts';
import type { Clock, Logger } from '../types.ts';
import type { Catalogue } from '../pricing/catalogue.ts';
import { DB_FILE, connect } from '../history/db.ts';
import { toOutcome, type EndedRun } from './outcome.ts';

// The cost ledger (ARCHITECTURE.md, "Storage", §9): one row per ended run in the history database's `costs` table
// (migration 6), written when the run ends. It has its own connection to the file (WAL lets
// several connections and processes share it), so the history store stays unaware of money.

export interface CostRow extends CostFigure {
  predictionId: string;
  provider: CostProvider;
  model: string;
  status: string;
  /** When the run ended (epoch ms): the day its money counts for. */
  at: number;
}

export interface SpendBucket {
  key: string;
  usd: number;
  runs: number;
  unknownRuns: number;
}
export interface ModelSpend {
  provider: CostProvider;
  model: string;
  usd: number | null;
  runs: number;
  unknownRuns: number;
  estimated: boolean;
}
export interface SpendSummary {
  totalUsd: number;
  runs: number;
  /** Runs whose cost is unknown: not in totalUsd, and said so. */
  unknownRuns: number;
  estimated: boolean;
  byDay: SpendBucket[];
  byMonth: SpendBucket[];
  /** key: provider name. */
  byProvider: SpendBucket[];
  byModel: ModelSpend[];
}

export interface RecordLike extends Omit<EndedRun, 'outputRows'> {
  id: string;
  providerId: string | null;
  createdAt: number;
  completedAt: number | null;
  statusSince: number;
}

/** Fal's actual charge for a request (fal client `charges()`), null when the key may not read billing. */
export type FalChargesSource = (requestIds: string[], o: { since: number }) => Promise<{ requestId: string; usd: number }[] | null>;

const MAX_SUMMARY_ROWS = 1_000_000;

/** Local calendar day (YYYY-MM-DD) of an instant, for a UTC offset in minutes (east positive). */
export const dayOf = (at: number, utcOffsetMinutes: number) => new Date(at + utcOffsetMinutes * 60_000).toISOString().slice(0, 10);

export function createLedger(opts: {
  dataDir: string;
  clock: Clock;
  log: Logger;
  catalogue: Catalogue;
  outputCount: (id: string) => number | null;
  falCharges: () => FalChargesSource | null;
}) {
  const db = connect(path.join(opts.dataDir, DB_FILE));
  const stmts = new Map<string, StatementSync>();
  const q = (sql: string) => {
    let s = stmts.get(sql);
    if (!s) stmts.set(sql, (s = db.prepare(sql)));
    return s;
  };
  const pending = new Set<Promise<unknown>>();

  const toRow = (r: Record<string, unknown>): CostRow => ({
    predictionId: String(r.prediction_id),
    provider: r.provider === 'fal' ? 'fal' : 'replicate',
    model: String(r.model),
    status: String(r.status),
    usd: r.usd === null ? null : Number(r.usd),
    estimated: Number(r.estimated) === 1,
    basis: String(r.basis),
    tableDate: r.table_date === null ? null : String(r.table_date),
    at: Number(r.at),
  });

  function write(row: CostRow) {
    q('INSERT OR REPLACE INTO costs(prediction_id, provider, model, status, usd, estimated, basis, table_date, at) VALUES (?,?,?,?,?,?,?,?,?)').run(
      row.predictionId,
      row.provider,
      row.model,
      row.status,
      row.usd,
      row.estimated ? 1 : 0,
      row.basis,
      row.tableDate,
      row.at,
    );
  }

  function get(id: string): CostRow | null {
    if (!db.isOpen) return null;
    const r = q('SELECT * FROM costs WHERE prediction_id = ?').get(id) as Record<string, unknown> | undefined;
    return r ? toRow(r) : null;
  }

  // fal answers billing-events only to an Admin key; with another key (403) the estimate stays and
  // billing is not asked again for this long, so a normal key costs one refused request an hour.
  const BILLING_DENIED_MS = 3600_000;
  let billingDeniedAt = -Infinity;

  /**
   * fal, in the background once the run has ended: fetch the endpoint's price if the cache lacks it
   * (a run started from the CLI or before the picker asked), re-price the estimate with it, then
   * replace the estimate with what fal billed where the key may read billing (Admin key).
   */
  function settleFal(rec: RecordLike, row: CostRow) {
    if (rec.provider !== 'fal' || (!row.estimated && row.usd !== null)) return;
    const job = (async () => {
      let cur = row;
      if (opts.catalogue.falPrices.stale(rec.model)) {
        await opts.catalogue.ensure([runRef(rec)]);
        const fig = costOfRun(opts.catalogue.priceOf('fal', rec.model), toOutcome({ ...rec, outputRows: opts.outputCount(rec.id) }));
        if (db.isOpen && (fig.usd !== cur.usd || fig.basis !== cur.basis)) write((cur = { ...cur, ...fig }));
      }
      const charges = opts.falCharges();
      if (!charges || !rec.providerId || opts.clock.now() - billingDeniedAt < BILLING_DENIED_MS) return;
      const found = await charges([rec.providerId], { since: rec.createdAt - 60_000 });
      if (found === null) billingDeniedAt = opts.clock.now();
      const hit = found?.find((c) => c.requestId === rec.providerId);
      if (!hit || !db.isOpen) return;
      write({ ...cur, ...costOfRun(opts.catalogue.priceOf('fal', rec.model), toOutcome({ ...rec, outputRows: null }, hit.usd)) });
    })()
      .catch((err: unknown) => opts.log.warn('fal price or billing not read; the estimate stays', { id: rec.id, err: String((err as Error)?.message ?? err) }))
      .finally(() => pending.delete(job));
    pending.add(job);
  }

  return {
    /**
     * The run's row, written if it has ended and has none yet (idempotent: the engine calls this on
     * every record; the CLI calls it once more before printing). Returns null while it is running.
     */
    record(rec: RecordLike): CostRow | null {
      if (!isTerminal(rec.status) || !db.isOpen) return null;
      const had = get(rec.id);
      if (had && had.status === rec.status) return had;
      const provider: CostProvider = rec.provider === 'fal' ? 'fal' : 'replicate';
      const price = opts.catalogue.priceOf(provider, rec.model);
      const fig = costOfRun(price, toOutcome({ ...rec, outputRows: opts.outputCount(rec.id) }));
      const row: CostRow = { predictionId: rec.id, provider, model: rec.model, status: rec.status, at: rec.completedAt ?? rec.statusSince, ...fig };
      write(row);
      settleFal(rec, row);
      return row;
    },
    get,
    /** Known spend (USD) of runs that ended at or after `since`. */
    spentSince(since: number): number {
      const r = q('SELECT coalesce(sum(usd), 0) AS usd FROM costs WHERE at >= ?').get(since) as { usd: number };
      return roundUsd(Number(r.usd));
    },
    rows(f: { from?: number | null; to?: number | null }): CostRow[] {
      return (
        q('SELECT * FROM costs WHERE at >= ? AND at < ? ORDER BY at LIMIT ?').all(f.from ?? 0, f.to ?? Number.MAX_SAFE_INTEGER, MAX_SUMMARY_ROWS) as Record<
          string,
          unknown
        >[]
      ).map(toRow);
    },
    summary(f: { from?: number | null; to?: number | null; utcOffsetMinutes?: number }): SpendSummary {
      const off = f.utcOffsetMinutes ?? 0;
      const days = new Map<string, SpendBucket>();
      const months = new Map<string, SpendBucket>();
      const models = new Map<string, ModelSpend>();
      const providers = new Map<string, SpendBucket>();
      const s: SpendSummary = { totalUsd: 0, runs: 0, unknownRuns: 0, estimated: false, byDay: [], byMonth: [], byProvider: [], byModel: [] };
      const add = (m: Map<string, SpendBucket>, key: string, usd: number | null) => {
        const b = m.get(key) ?? { key, usd: 0, runs: 0, unknownRuns: 0 };
        b.runs++;
        if (usd === null) b.unknownRuns++;
        else b.usd = roundUsd(b.usd + usd);
        m.set(key, b);
      };
      for (const r of this.rows(f)) {
        s.runs++;
        if (r.usd === null) s.unknownRuns++;
        else s.totalUsd = roundUsd(s.totalUsd + r.usd);
        if (r.estimated) s.estimated = true;
        const day = dayOf(r.at, off);
        add(days, day, r.usd);
        add(months, day.slice(0, 7), r.usd);
        add(providers, r.provider, r.usd);
        const k = `${r.provider}:${r.model}`;
        const m = models.get(k) ?? { provider: r.provider, model: r.model, usd: null, runs: 0, unknownRuns: 0, estimated: false };
        m.runs++;
        if (r.usd === null) m.unknownRuns++;
        else m.usd = roundUsd((m.usd ?? 0) + r.usd);
        if (r.estimated) m.estimated = true;
        models.set(k, m);
      }
      s.byDay = [...days.values()].sort((a, b) => a.key.localeCompare(b.key));
      s.byMonth = [...months.values()].sort((a, b) => a.key.localeCompare(b.key));
      s.byProvider = [...providers.values()].sort((a, b) => a.key.localeCompare(b.key));
      s.byModel = [...models.values()].sort((a, b) => (b.usd ?? -1) - (a.usd ?? -1) || a.model.localeCompare(b.model));
      return s;
    },
    /** Waits for background billing look-ups (tests, and the CLI before it prints). */
    async idle(): Promise<void> {
      while (pending.size) await Promise.all([...pending]);
    },
    close() {
      if (db.isOpen) db.close();
    },
  };
}

export type Ledger = ReturnType<typeof createLedger>;
