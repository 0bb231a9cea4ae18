import type { PredictionView } from '../../../../shared/domain/prediction.ts';
import { isRetryable, isTerminal } from '../../../../shared/domain/status.ts';

// How a group of runs shows in the gallery (issue 14): one stack where its newest member would be,
// its other members hidden until the stack is opened; and the stack's progress as a whole. Pure, so
// the rules are tested without a browser.

/** The gallery slot a stack takes: not a prediction id, so it never collides with one. */
export const stackKey = (groupId: string) => `stack:${groupId}`;
export const groupOfKey = (key: string): string | null => (key.startsWith('stack:') ? key.slice(6) : null);

/** A retry family's stack: keyed by the family's original run, apart from group ids. */
const RETRY_PREFIX = 'retry:';
export const familyGroup = (rootId: string) => `${RETRY_PREFIX}${rootId}`;
export const isRetryStack = (groupId: string) => groupId.startsWith(RETRY_PREFIX);

/**
 * Which stack each run belongs to: its batch or compare group; else, for a run tried more than once
 * (a Retry makes a linked run whose retryOf names the family's original), its retry family — only
 * when at least two of the family's runs are loaded, so a single run never shows as a stack.
 */
export function stackGroupOf(ids: string[], byId: Record<string, Pick<PredictionView, 'groupId' | 'retryOf'> | undefined>): (id: string) => string | null {
  const familySize = new Map<string, number>();
  const rootOf = (id: string) => byId[id]?.retryOf ?? id;
  for (const id of ids) {
    const p = byId[id];
    if (!p || p.groupId) continue;
    familySize.set(rootOf(id), (familySize.get(rootOf(id)) ?? 0) + 1);
  }
  return (id) => {
    const p = byId[id];
    if (!p) return null;
    if (p.groupId) return p.groupId;
    return (familySize.get(rootOf(id)) ?? 0) > 1 ? familyGroup(rootOf(id)) : null;
  };
}

/**
 * The ids the gallery shows, in order: a group's first (newest) member is replaced by its stack;
 * the other members follow the stack only while it is open. Ungrouped runs are untouched.
 */
export function stackIds(
  ids: string[],
  groupOf: (id: string) => string | null | undefined,
  expanded: Record<string, true>,
): { shown: string[]; members: Map<string, string[]> } {
  const members = new Map<string, string[]>();
  for (const id of ids) {
    const g = groupOf(id);
    if (!g) continue;
    const list = members.get(g);
    if (list) list.push(id);
    else members.set(g, [id]);
  }
  if (members.size === 0) return { shown: ids, members };
  const shown: string[] = [];
  for (const id of ids) {
    const g = groupOf(id);
    if (!g) {
      shown.push(id);
      continue;
    }
    const list = members.get(g)!;
    if (list[0] !== id) continue; // placed with its stack
    shown.push(stackKey(g));
    if (expanded[g]) shown.push(...list);
  }
  return { shown, members };
}

export interface StackProgress {
  /** The runs that stand for the group: the newest try of each member (a retry replaces its original). */
  current: PredictionView[];
  total: number;
  done: number;
  succeeded: number;
  failed: number;
  running: number;
}

/** Failed, canceled or aborted: a member the person may want to retry. */
export const needsRetry = (p: PredictionView) => isRetryable(p.status);

/** The counts of a stack from its members' statuses: one rule for loaded members and the history's counts. */
export function countStatuses(byStatus: Record<string, number>): Omit<StackProgress, 'current'> {
  let total = 0;
  let done = 0;
  let succeeded = 0;
  let failed = 0;
  for (const [status, n] of Object.entries(byStatus)) {
    total += n;
    if (!isTerminal(status)) continue;
    done += n;
    if (status === 'succeeded') succeeded += n;
    else if (isRetryable(status)) failed += n;
  }
  return { total, done, succeeded, failed, running: total - done };
}

/**
 * Members in their group's order: the index each was made with (a compare's models in the order they
 * were added), then creation time and id for members without one (older groups, retry families).
 */
export function byGroupOrder(a: PredictionView, b: PredictionView): number {
  const ia = a.groupIndex ?? Number.MAX_SAFE_INTEGER;
  const ib = b.groupIndex ?? Number.MAX_SAFE_INTEGER;
  return ia - ib || a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function stackProgress(members: PredictionView[]): StackProgress {
  // A retry points at its family's original (retryOf); the newest try stands for the member.
  const newest = new Map<string, PredictionView>();
  for (const p of members) {
    const family = p.retryOf ?? p.id;
    const seen = newest.get(family);
    if (!seen || p.createdAt > seen.createdAt || (p.createdAt === seen.createdAt && p.id > seen.id)) newest.set(family, p);
  }
  const current = [...newest.values()].sort(byGroupOrder);
  const byStatus: Record<string, number> = {};
  for (const p of current) byStatus[p.status] = (byStatus[p.status] ?? 0) + 1;
  return { current, ...countStatuses(byStatus) };
}
