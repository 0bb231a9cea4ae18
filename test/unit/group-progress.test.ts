import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryKiln } from '../../renderer/src/platform/memory-kiln.ts';
import { createGroupProgress } from '../../renderer/src/features/stacks/group-progress.ts';

// The stacks' whole-group counts (issue 14) against the in-memory transport: one call for every
// stack on screen, debounced; asked again when a member's status changes, not for every log line;
// nothing asked for a stack no longer on screen.

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function setup() {
  const calls: string[][] = [];
  let done = 0;
  const kiln = createMemoryKiln({
    'predictions:groupProgress': (req) => {
      calls.push(req.groupIds);
      return { groups: req.groupIds.map((g) => ({ groupId: g, kind: 'batch' as const, byStatus: { succeeded: done, processing: 3 - done }, retryable: [] })) };
    },
  });
  const gp = createGroupProgress(
    () => kiln,
    (id) => (id.startsWith('a') ? 'grp_a' : null),
  );
  return { kiln, gp, calls, finish: () => done++ };
}

describe('group progress', () => {
  it('asks once for every stack on screen, and again only when a member’s status changes', async () => {
    const { kiln, gp, calls, finish } = setup();
    gp.watch('grp_a');
    gp.watch('grp_b');
    expect(calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(300);
    expect(calls).toEqual([['grp_a', 'grp_b']]);
    expect(gp.store.getState().byGroup.grp_a?.byStatus).toEqual({ succeeded: 0, processing: 3 });

    // Logs and progress of a member: no new question.
    kiln.emit('prediction:updated', { id: 'a1', changes: { logsTail: 'step 3/20' } });
    await vi.advanceTimersByTimeAsync(300);
    expect(calls).toHaveLength(1);
    // A burst of status changes: one question, for that group only.
    finish();
    kiln.emit('prediction:updated', { id: 'a1', changes: { status: 'succeeded' } });
    kiln.emit('prediction:updated', { id: 'a2', changes: { status: 'processing' } });
    await vi.advanceTimersByTimeAsync(300);
    expect(calls).toEqual([['grp_a', 'grp_b'], ['grp_a']]);
    expect(gp.store.getState().byGroup.grp_a?.byStatus).toEqual({ succeeded: 1, processing: 2 });
    // A new member's first (full) view names its group itself.
    kiln.emit('prediction:updated', { id: 'x9', changes: { groupId: 'grp_b', status: 'queued' }, full: true });
    await vi.advanceTimersByTimeAsync(300);
    expect(calls.at(-1)).toEqual(['grp_b']);
  });

  it('forgets a stack that left the screen: its changes ask nothing', async () => {
    const { kiln, gp, calls } = setup();
    gp.watch('grp_a');
    gp.unwatch('grp_a');
    await vi.advanceTimersByTimeAsync(300);
    kiln.emit('prediction:updated', { id: 'a1', changes: { status: 'succeeded' } });
    await vi.advanceTimersByTimeAsync(300);
    expect(calls).toEqual([]);
  });
});
