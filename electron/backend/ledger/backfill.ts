import type { DatabaseSync } from 'node:sqlite';
import { costOfRun } from '../../../shared/domain/cost.ts';
import { replicateTablePrice } from '../pricing/replicate-table.ts';
import { toOutcome } from './outcome.ts';

// Migration 6's back-fill: a ledger row for every run that ended before the ledger existed, where
// Replicate's shipped table knows the model (fal's prices live in a cache a migration cannot
// trust to be there; those runs stay without a row, i.e. unknown).

const parse = (s: unknown, fallback: unknown) => {
  if (typeof s !== 'string') return fallback;
  try {
    return JSON.parse(s);
  } catch {
    return fallback;
  }
};

export function backfillCosts(db: DatabaseSync): number {
  const rows = db
    .prepare(
      `
    SELECT p.id, p.provider, p.model, p.status, p.input, p.output, p.error, p.metrics, p.completed_at, p.status_since,
           (SELECT count(*) FROM outputs o WHERE o.prediction_id = p.id) AS n
    FROM predictions p WHERE p.status IN ('succeeded','failed','canceled','aborted')`,
    )
    .all() as Record<string, unknown>[];
  const insert = db.prepare(
    'INSERT OR IGNORE INTO costs(prediction_id, provider, model, status, usd, estimated, basis, table_date, at) VALUES (?,?,?,?,?,?,?,?,?)',
  );
  let added = 0;
  for (const r of rows) {
    if (r.provider !== 'replicate') continue;
    const price = replicateTablePrice(String(r.model));
    if (!price) continue;
    const metrics = parse(r.metrics, null) as { predictTime?: number | null } | null;
    const fig = costOfRun(
      price,
      toOutcome({
        provider: 'replicate',
        model: String(r.model),
        status: String(r.status),
        input: parse(r.input, {}) as Record<string, unknown>,
        output: parse(r.output, null),
        error: parse(r.error, null) as { code: string | null; message: string } | null,
        metrics: { predictTime: metrics?.predictTime ?? null },
        outputRows: Number(r.n),
      }),
    );
    insert.run(
      String(r.id),
      'replicate',
      String(r.model),
      String(r.status),
      fig.usd,
      fig.estimated ? 1 : 0,
      fig.basis,
      fig.tableDate,
      Number(r.completed_at ?? r.status_since),
    );
    added++;
  }
  return added;
}
