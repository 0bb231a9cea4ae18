import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../shared/backoff.ts';
import { RETRY_AFTER_MAX_MS, retryAfterMs } from '../../electron/backend/providers/errors.ts';

describe('backoffDelay', () => {
  const opts = { baseMs: 1000, maxMs: 30_000 };
  it('grows exponentially within [cap/2, cap] and is capped', () => {
    expect(backoffDelay(1, opts, () => 0)).toBe(500);
    expect(backoffDelay(1, opts, () => 1)).toBe(1000);
    expect(backoffDelay(3, opts, () => 0)).toBe(2000);
    expect(backoffDelay(3, opts, () => 1)).toBe(4000);
    expect(backoffDelay(50, opts, () => 1)).toBe(30_000);
    expect(backoffDelay(50, opts, () => 0)).toBe(15_000);
  });
  it('jitters: different random draws give different waits', () => {
    const seen = new Set(Array.from({ length: 20 }, (_, i) => backoffDelay(4, opts, () => i / 20)));
    expect(seen.size).toBeGreaterThan(10);
  });
});

describe('retryAfterMs', () => {
  it('reads Retry-After seconds and dates', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '3' }), null)).toBe(3000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }), null, now)).toBe(5000);
  });
  it('falls back to the throttle body', () => {
    expect(retryAfterMs(new Headers(), { detail: 'Request was throttled. Expected available in 1 second.' })).toBe(1000);
    expect(retryAfterMs(null, { detail: 'Request was throttled. Expected available in 12 seconds.' })).toBe(12_000);
    expect(retryAfterMs(new Headers(), { detail: 'nope' })).toBeNull();
  });
  it('never asks for more than two minutes, however long the server says', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '86400' }), null)).toBe(RETRY_AFTER_MAX_MS);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs(new Headers({ 'retry-after': 'Fri, 01 Jan 2027 00:00:00 GMT' }), null, now)).toBe(RETRY_AFTER_MAX_MS);
    expect(retryAfterMs(null, { retry_after: 1e12 })).toBe(RETRY_AFTER_MAX_MS);
    expect(retryAfterMs(null, { detail: 'Request was throttled. Expected available in 99999 seconds.' })).toBe(RETRY_AFTER_MAX_MS);
    expect(RETRY_AFTER_MAX_MS).toBe(120_000);
  });
});
