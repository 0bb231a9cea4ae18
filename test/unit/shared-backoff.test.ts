import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../shared/backoff.ts';
import { DEFAULT_BACKOFF } from '../../shared/backoff.ts';

// The one back-off formula (shared/backoff.ts), as a table: the engine, the vault and the page all use it.
describe('backoffDelay (shared)', () => {
  const opts = { baseMs: 1000, maxMs: 30_000 };
  it.each([
    [1, 0, 500],
    [1, 1, 1000],
    [2, 0, 1000],
    [3, 0, 2000],
    [3, 1, 4000],
    [5, 0.5, 12_000],
    [6, 1, 30_000], // 32 s capped at 30 s
    [50, 0, 15_000],
    [50, 1, 30_000],
    [0, 1, 1000], // "no failures yet" is treated as the first
  ])('failures %d, random %d → %d ms', (failures, r, ms) => {
    expect(backoffDelay(failures, opts, () => r)).toBe(ms);
  });

  it("the vault's later save passes: base 60 s, at most 64× — never more", () => {
    const later = { baseMs: 60_000, maxMs: 60_000 * 64 };
    expect(backoffDelay(1, later, () => 1)).toBe(60_000);
    expect(backoffDelay(7, later, () => 1)).toBe(3_840_000);
    expect(backoffDelay(20, later, () => 1)).toBe(3_840_000);
  });

  it("the engine's default: 1 s doubling, capped at 30 s", () => {
    expect(backoffDelay(1, DEFAULT_BACKOFF, () => 1)).toBe(1000);
    expect(backoffDelay(10, DEFAULT_BACKOFF, () => 1)).toBe(30_000);
  });
});
