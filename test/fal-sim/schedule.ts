// When each job starts and ends, from the submit order, the runner pool and the cancels so far.
// Pure: recomputed from scratch whenever a job is added or canceled, so simulated time can jump
// and every later read agrees. Recomputing never rewrites the past: a cancel at time t only moves
// things that had not happened by t (jobs behind a canceled one had not started either).
import type { SimJob } from './lifecycle.ts';

export type EndKind = 'done' | 'timeout' | 'canceled-queued' | 'canceled-running';

export interface Slot {
  /** When a runner picked the job up; null when it never started. */
  startAt: number | null;
  endAt: number;
  endKind: EndKind;
}

/**
 * List scheduling in submit order over `concurrency` runners per account: a job starts when it is
 * ready (submit + startup) and a runner is free. Only running jobs hold a runner (fal counts only
 * IN_PROGRESS against the concurrency limit); a job whose start would pass its start deadline never
 * starts and ends at the deadline; a cancel before the start removes it from the queue.
 */
export function computeSchedule(jobs: readonly SimJob[], concurrency: number, cancelRunning: 'stops' | 'ignored'): Map<SimJob, Slot> {
  const out = new Map<SimJob, Slot>();
  const pools = new Map<string, number[]>();
  const n = Math.max(1, Math.floor(concurrency));
  for (const j of jobs) {
    let free = pools.get(j.account);
    if (!free) {
      free = new Array<number>(n).fill(-Infinity);
      pools.set(j.account, free);
    }
    let best = 0;
    for (let i = 1; i < free.length; i++) if (free[i]! < free[best]!) best = i;
    const ready = j.outcome === 'start-timeout' ? Infinity : j.submittedAt + j.startupMs;
    const start = Math.max(ready, free[best]!);
    const cancel = j.canceledAt;
    if (cancel !== undefined && cancel < start && cancel <= j.startDeadlineAt) {
      out.set(j, { startAt: null, endAt: cancel, endKind: 'canceled-queued' });
      continue;
    }
    if (start > j.startDeadlineAt) {
      out.set(j, { startAt: null, endAt: j.startDeadlineAt, endKind: 'timeout' });
      continue;
    }
    let end = start + j.runMs;
    let kind: EndKind = 'done';
    if (cancel !== undefined && cancel < end && cancelRunning === 'stops') {
      end = cancel;
      kind = 'canceled-running';
    }
    free[best] = end;
    out.set(j, { startAt: start, endAt: end, endKind: kind });
  }
  return out;
}
