import { describe, expect, it } from 'vitest';
import {
  countStatuses,
  familyGroup,
  groupOfKey,
  isRetryStack,
  stackGroupOf,
  stackIds,
  stackKey,
  stackProgress,
} from '../../renderer/src/features/stacks/stack-model.ts';
import type { PredictionView } from '../../shared/domain/prediction.ts';
import { predictionView } from './view-fixture.ts';

// How a group shows in the gallery: one stack where its newest member is, the others only while it
// is open; its progress counts each member's newest try, so a retried failure stops counting as one.

const view = (id: string, o: Partial<PredictionView> = {}): PredictionView =>
  predictionView({ id, model: 'm/x', prompt: id, groupId: null, groupKind: null, ...o });

describe('stackIds', () => {
  const groups: Record<string, string> = { b1: 'g', b2: 'g', b3: 'g', c1: 'h', c2: 'h' };
  const ids = ['a', 'b3', 'x', 'b2', 'c2', 'b1', 'c1', 'y'];
  it('folds each group into one slot where its newest member is', () => {
    const { shown, members } = stackIds(ids, (id) => groups[id], {});
    expect(shown).toEqual(['a', stackKey('g'), 'x', stackKey('h'), 'y']);
    expect(members.get('g')).toEqual(['b3', 'b2', 'b1']);
  });
  it('an open stack is followed by its members, in order', () => {
    expect(stackIds(ids, (id) => groups[id], { g: true }).shown).toEqual(['a', stackKey('g'), 'b3', 'b2', 'b1', 'x', stackKey('h'), 'y']);
  });
  it('no groups: the same array, untouched', () => {
    const plain = ['a', 'b'];
    expect(stackIds(plain, () => null, {}).shown).toBe(plain);
  });
});

describe('stackProgress', () => {
  it('counts done, failed and running over the newest try of each member', () => {
    const runs = [
      view('1', { createdAt: 1 }),
      view('2', { createdAt: 2, status: 'failed' }),
      view('3', { createdAt: 3, status: 'processing', saveState: 'none' }),
      view('4', { createdAt: 4, status: 'canceled' }),
    ];
    expect(stackProgress(runs)).toMatchObject({ total: 4, done: 3, succeeded: 1, failed: 2, running: 1 });
    // Member 2 retried: the retry replaces it; still running, then succeeded.
    const retry = view('5', { createdAt: 5, retryOf: '2', status: 'starting', saveState: 'none' });
    expect(stackProgress([...runs, retry])).toMatchObject({ total: 4, done: 2, failed: 1, running: 2 });
    expect(stackProgress([...runs, { ...retry, status: 'succeeded' }]).current.map((p) => p.id)).toEqual(['1', '3', '4', '5']);
  });
});

describe('group order and counts', () => {
  it('members made in the same millisecond keep the order they were made in, by their index in the group; a retry takes its original’s place', () => {
    // Ids are random (UUIDs): sorted by id, these would read c, a, b.
    const runs = [view('b', { createdAt: 7, groupIndex: 2 }), view('c', { createdAt: 7, groupIndex: 0 }), view('a', { createdAt: 7, groupIndex: 1 })];
    expect(stackProgress(runs).current.map((p) => p.id)).toEqual(['c', 'a', 'b']);
    const retry = view('0', { createdAt: 9, retryOf: 'c', groupIndex: 0 });
    expect(stackProgress([...runs, retry]).current.map((p) => p.id)).toEqual(['0', 'a', 'b']);
  });
  it('counts from the history’s statuses follow the same rule as loaded members', () => {
    expect(countStatuses({ succeeded: 3, failed: 1, aborted: 1, processing: 2, 'some-new-status': 1 })).toEqual({
      total: 8,
      done: 5,
      succeeded: 3,
      failed: 2,
      running: 3,
    });
  });
});

describe('retry families stack like batches', () => {
  // Newest first, as the gallery lists them: r2 and r1 are retries of f (a failed run), b1 a batch
  // member with a retry of its own (kept in its batch), s a single run, o a retry whose original is gone.
  const byId: Record<string, Partial<PredictionView>> = {
    r2: { retryOf: 'f', groupId: null },
    a: {},
    r1: { retryOf: 'f' },
    f: {},
    br: { retryOf: 'b1', groupId: 'g' },
    b1: { groupId: 'g' },
    s: {},
    o: { retryOf: 'gone' },
  };
  const ids = ['r2', 'a', 'r1', 'f', 'br', 'b1', 's', 'o'];
  const groupOf = stackGroupOf(ids, byId as Record<string, PredictionView>);
  it('a family of more than one loaded run is one stack, newest first, where its newest run is', () => {
    const { shown, members } = stackIds(ids, groupOf, {});
    expect(shown).toEqual([stackKey(familyGroup('f')), 'a', stackKey('g'), 's', 'o']);
    expect(members.get(familyGroup('f'))).toEqual(['r2', 'r1', 'f']);
    expect(members.get('g')).toEqual(['br', 'b1']);
  });
  it('opens like a batch, and its key says it is a retry family', () => {
    expect(stackIds(ids, groupOf, { [familyGroup('f')]: true }).shown.slice(0, 4)).toEqual([stackKey(familyGroup('f')), 'r2', 'r1', 'f']);
    expect(isRetryStack(groupOfKey(stackKey(familyGroup('f')))!)).toBe(true);
    expect(isRetryStack('g')).toBe(false);
  });
  it('a run tried once, or a lone retry whose original is gone, is not a stack', () => {
    expect(groupOf('s')).toBeNull();
    expect(groupOf('o')).toBeNull();
  });
});
