import type { CostRow } from './ledger.ts';
import { dayOf } from './ledger.ts';

// The ledger as CSV (spend view export). Cells are quoted, and a cell that a spreadsheet would run
// as a formula (= + - @ at the start) is prefixed with ' — model names come from outside.

const cell = (v: unknown): string => {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s) && typeof v !== 'number') s = `'${s}`;
  return /[",\r\n']/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export const CSV_HEADER = ['prediction_id', 'ended_at', 'day', 'provider', 'model', 'status', 'usd', 'estimated', 'basis', 'price_table_date'];

export function ledgerCsv(rows: CostRow[], utcOffsetMinutes: number): string {
  const lines = [CSV_HEADER.join(',')];
  for (const r of rows) {
    lines.push(
      [
        r.predictionId,
        new Date(r.at).toISOString(),
        dayOf(r.at, utcOffsetMinutes),
        r.provider,
        r.model,
        r.status,
        r.usd ?? 'unknown',
        r.estimated ? 'yes' : 'no',
        r.basis,
        r.tableDate,
      ]
        .map(cell)
        .join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}
