import type { StatementSync } from 'node:sqlite';
import type { GroupProgress } from './types.ts';
import { TERMINAL_STATUSES, isRetryable } from '../../../shared/domain/status.ts';
import { LIMITS } from '../../../shared/limits.ts';
import type { Row } from './rows.ts';

// A stack's progress over the whole group (issue 14): the gallery loads the history a page at a
// time, so a batch whose members straddle pages (or sit behind a filter) cannot be counted from
// what the renderer has. One indexed read per group (predictions_group), bounded by the caller.

const RETRYABLE = TERMINAL_STATUSES.filter(isRetryable);

// The newest try of each member: a retry (same family) replaces the try it was made from, as the
// renderer's stack-model does for the members it has loaded.
const CURRENT_TRIES = `
  SELECT p.id, p.status, p.group_kind FROM predictions p
  WHERE p.group_id = ?
    AND NOT EXISTS (
      SELECT 1 FROM predictions q
      WHERE q.group_id = p.group_id AND q.family_id = p.family_id
        AND (q.created_at > p.created_at OR (q.created_at = p.created_at AND q.seq > p.seq))
    )`;

export function groupProgress(stmt: (sql: string) => StatementSync, groupIds: string[]): GroupProgress[] {
  const out: GroupProgress[] = [];
  for (const groupId of new Set(groupIds)) {
    const rows = stmt(CURRENT_TRIES).all(groupId) as Row[];
    if (rows.length === 0) continue;
    const byStatus: Record<string, number> = {};
    const retryable: string[] = [];
    for (const r of rows) {
      const status = String(r.status);
      byStatus[status] = (byStatus[status] ?? 0) + 1;
      // A group holds at most LIMITS.groupMembers members, so this bound is never the one that bites.
      if ((RETRYABLE as readonly string[]).includes(status) && retryable.length < LIMITS.groupMembers) retryable.push(String(r.id));
    }
    const kind = rows[0]!.group_kind;
    out.push({ groupId, kind: kind === 'batch' || kind === 'compare' || kind === 'retry' ? kind : null, byStatus, retryable });
  }
  return out;
}
