import { describe, expect, it } from 'vitest';
import { logsTail, parseProgress } from '../../shared/progress.ts';

describe('parseProgress', () => {
  it('takes the last tqdm line across \\n and \\r', () => {
    const logs = 'Using seed: 1\n  0%|          | 0/5 [00:00<?, ?it/s]\r 20%|██        | 1/5 [00:00<00:01]\r 60%|██████    | 3/5 [00:01<00:01]\nsaving';
    expect(parseProgress(logs)).toEqual({ percent: 60, current: 3, total: 5 });
  });
  it('follows a second stage that restarts at 0%', () => {
    expect(parseProgress('100%|██████████| 5/5\n  0%|          | 0/30 [00:00<?]')).toEqual({ percent: 0, current: 0, total: 30 });
  });
  it('is null without a progress bar', () => {
    expect(parseProgress('')).toBeNull();
    expect(parseProgress(null)).toBeNull();
    expect(parseProgress('loading weights 50% done')).toBeNull();
  });
});

describe('logsTail', () => {
  it('keeps only the final redraw of a carriage-returned line and the last N lines', () => {
    expect(logsTail('a\nb\r c\nd\ne\n', 3)).toBe(' c\nd\ne');
  });
});
