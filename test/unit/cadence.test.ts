import { describe, expect, it } from 'vitest';
import { DEFAULT_CADENCE, nextPollDelay } from '../../electron/backend/engine/cadence.ts';

describe('nextPollDelay', () => {
  it('is quick right after create', () => {
    expect(nextPollDelay('starting', 0, 0)).toBe(DEFAULT_CADENCE.initialMs);
  });
  it('slows down during a long starting, up to the cap', () => {
    const early = nextPollDelay('starting', 10_000, 10_000);
    const late = nextPollDelay('starting', 120_000, 120_000);
    expect(early).toBeGreaterThan(DEFAULT_CADENCE.initialMs);
    expect(early).toBeLessThan(late);
    expect(late).toBe(DEFAULT_CADENCE.startingMaxMs);
  });
  it('is quick again while processing, even after a long boot', () => {
    expect(nextPollDelay('processing', 300_000, 0)).toBe(DEFAULT_CADENCE.processingMs);
  });
  it('eases off during a long run, but stays quicker than a long boot', () => {
    // A run Kiln has no history for: quick at first (most end within seconds), eased later.
    const opts = { ...DEFAULT_CADENCE, processingMaxMs: 3000 };
    expect(nextPollDelay('processing', 300_000, 5_000, opts)).toBe(opts.processingMs);
    const long = nextPollDelay('processing', 300_000, 120_000, opts);
    expect(long).toBe(3000);
    expect(long).toBeLessThan(DEFAULT_CADENCE.startingMaxMs);
  });
  it('eases by default too, but never slower than a long boot', () => {
    expect(nextPollDelay('processing', 300_000, 5_000)).toBe(DEFAULT_CADENCE.processingMs);
    expect(nextPollDelay('processing', 300_000, 120_000)).toBe(DEFAULT_CADENCE.processingMaxMs);
    expect(DEFAULT_CADENCE.processingMaxMs).toBeLessThan(DEFAULT_CADENCE.startingMaxMs);
  });
  it('follows an unknown status patiently rather than giving up', () => {
    expect(nextPollDelay('warming', 120_000, 120_000)).toBe(DEFAULT_CADENCE.startingMaxMs);
  });
});
