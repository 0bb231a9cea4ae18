import type { SQLInputValue, StatementSync } from 'node:sqlite';
import type { OutputRecord } from './types.ts';
import type { PredictionFilter, PredictionView } from '../../../shared/domain/prediction.ts';
import { splitModelRef } from '../../../shared/domain/provider.ts';
import { COLUMNS, rowToOutput, rowToRecord, toView, type Row } from './rows.ts';
import { decodeCursor, encodeCursor, ftsQuery } from './query.ts';

// Reading cards out of the history (ARCHITECTURE.md, "Storage"): the columns a view needs, one
// view or a page of them with their outputs in one query, the filtered and searched list, and the
// counts. Apart from store.ts, which writes: this side only reads, through the store's cached
// statements.

// Columns the list/view needs: everything but the full logs (only their tail crosses IPC) and what
// no view shows (the input schema snapshot, the raw output: the view has the saved outputs). The
// publisher reads one view per card update, thousands of them when many runs finish together, and
// each parsed the run's schema and output only to drop them (garbage that counts while it waits
// for V8's next full collection: docs/DECISIONS.md, "Memory when 1,000 finish").
const NOT_IN_VIEW = new Set(['logs', 'input_schema', 'output']);
const VIEW_COLS = [
  'p.seq',
  'p.id',
  'p.family_id',
  'p.prompt',
  'p.seed',
  'p.cost_amount',
  'p.cost_currency',
  ...Object.values(COLUMNS)
    .filter((c) => !NOT_IN_VIEW.has(c.col))
    .map((c) => `p.${c.col}`),
  'substr(p.logs, -4000) AS logs',
  '(SELECT count(*) FROM predictions f WHERE f.family_id = p.family_id) AS variant_count',
  // Chain: what the card's "From …" link names; NULL when the source run was deleted.
  '(SELECT s.model FROM predictions s WHERE s.id = p.source_id) AS source_model',
  '(SELECT s.prompt FROM predictions s WHERE s.id = p.source_id) AS source_prompt',
].join(', ');

export function createViews(stmt: (sql: string) => StatementSync, isOpen: () => boolean) {
  function viewsFor(rows: Row[]): PredictionView[] {
    if (rows.length === 0) return [];
    const byId = new Map<string, OutputRecord[]>();
    // One query for the whole page's outputs instead of one per card; the ids go in as one JSON
    // array so the statement is prepared once and cached: a statement prepared per call holds
    // native memory until V8 collects it, and the publisher asks for a view per card update.
    const ids = rows.map((r) => String(r.id));
    const outs =
      ids.length === 1
        ? (stmt('SELECT * FROM outputs WHERE prediction_id = ? ORDER BY idx').all(ids[0]!) as Row[])
        : (stmt('SELECT * FROM outputs WHERE prediction_id IN (SELECT value FROM json_each(?)) ORDER BY prediction_id, idx').all(JSON.stringify(ids)) as Row[]);
    for (const o of outs) {
      const rec = rowToOutput(o);
      const list = byId.get(rec.predictionId) ?? [];
      list.push(rec);
      byId.set(rec.predictionId, list);
    }
    return rows.map((r) =>
      toView(rowToRecord(r), byId.get(String(r.id)) ?? [], Number(r.variant_count), r.prompt === null ? null : String(r.prompt), sourceOf(r)),
    );
  }

  function sourceOf(r: Row): PredictionView['source'] {
    if (r.source_id === null || r.source_id === undefined) return null;
    // The source run was deleted: the link stays, saying so, rather than vanishing without a word.
    if (r.source_model === null || r.source_model === undefined) return { id: String(r.source_id), model: null, prompt: null, deleted: true };
    return {
      id: String(r.source_id),
      model: String(r.source_model),
      prompt: r.source_prompt === null || r.source_prompt === undefined ? null : String(r.source_prompt),
    };
  }

  function view(id: string): PredictionView | null {
    // The publisher's coalescing timer may fire after stop() closed the db: nothing to show then.
    if (!isOpen()) return null;
    const row = stmt(`SELECT ${VIEW_COLS} FROM predictions p WHERE p.id = ?`).get(id) as Row | undefined;
    return row ? viewsFor([row])[0]! : null;
  }

  function list(filter: PredictionFilter, cursor: string | null, limit: number): { items: PredictionView[]; nextCursor: string | null } {
    const where: string[] = [];
    const vals: SQLInputValue[] = [];
    if (filter.status && filter.status.length > 0) {
      where.push(`p.status IN (${filter.status.map(() => '?').join(',')})`);
      vals.push(...filter.status);
    }
    if (filter.model) {
      // A model filter may be a full reference (`fal:fal-ai/flux/dev`, ARCHITECTURE.md, "Fixed interfaces"): the column holds the provider's own id.
      const m = splitModelRef(filter.model);
      where.push('p.model = ?');
      vals.push(m.ref);
      if (m.ref !== filter.model.trim()) {
        where.push('p.provider = ?');
        vals.push(m.provider);
      }
    }
    if (filter.provider) {
      where.push('p.provider = ?');
      vals.push(filter.provider);
    }
    if (filter.favourite !== undefined) {
      where.push('p.favourite = ?');
      vals.push(filter.favourite ? 1 : 0);
    }
    if (filter.from !== undefined) {
      where.push('p.created_at >= ?');
      vals.push(filter.from);
    }
    if (filter.to !== undefined) {
      where.push('p.created_at <= ?');
      vals.push(filter.to);
    }
    if (filter.groupId) {
      where.push('p.group_id = ?');
      vals.push(filter.groupId);
    }
    if (filter.kind) {
      where.push('EXISTS (SELECT 1 FROM outputs o WHERE o.prediction_id = p.id AND o.kind = ?)');
      vals.push(filter.kind);
    }
    const match = filter.query ? ftsQuery(filter.query) : null;
    const c = cursor ? decodeCursor(cursor) : null;
    const lim = Math.max(1, Math.min(500, Math.floor(limit)));
    let sql: string;
    if (match) {
      // Search walks the FTS index newest-first by rowid (= insertion order, which is click
      // order) and stops at the page size: a common word matching a third of 100k rows costs
      // the same as a rare one. Ordering by created_at instead would have to collect every match.
      where.unshift('predictions_fts MATCH ?');
      vals.unshift(match);
      if (c) {
        where.push('predictions_fts.rowid < ?');
        vals.push(c.seq);
      }
      sql = `SELECT ${VIEW_COLS} FROM predictions_fts JOIN predictions p ON p.seq = predictions_fts.rowid WHERE ${where.join(' AND ')} ORDER BY predictions_fts.rowid DESC LIMIT ?`;
    } else {
      if (c) {
        where.push('(p.created_at < ? OR (p.created_at = ? AND p.seq < ?))');
        vals.push(c.createdAt, c.createdAt, c.seq);
      }
      sql = `SELECT ${VIEW_COLS} FROM predictions p ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY p.created_at DESC, p.seq DESC LIMIT ?`;
    }
    const rows = stmt(sql).all(...vals, lim + 1) as Row[];
    const more = rows.length > lim;
    const page = more ? rows.slice(0, lim) : rows;
    const last = page[page.length - 1];
    return { items: viewsFor(page), nextCursor: more && last ? encodeCursor(Number(last.created_at), Number(last.seq)) : null };
  }

  function counts(): { total: number; byStatus: Record<string, number>; favourites: number } {
    const byStatus: Record<string, number> = {};
    let total = 0;
    for (const r of stmt('SELECT status, count(*) AS n FROM predictions GROUP BY status').all() as Row[]) {
      byStatus[String(r.status)] = Number(r.n);
      total += Number(r.n);
    }
    const fav = stmt('SELECT count(*) AS n FROM predictions WHERE favourite = 1').get() as Row;
    return { total, byStatus, favourites: Number(fav.n) };
  }

  return { view, list, counts };
}
