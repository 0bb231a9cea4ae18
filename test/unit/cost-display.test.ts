import { describe, expect, it } from 'vitest';
import { costText, estimateText, retryText, parseBudget } from '../../renderer/src/features/cost/format.ts';

// How money reads in the studio (ARCHITECTURE.md, "Money"): unknown is never $0, $0 only when not billed, and
// a budget field refuses what it cannot keep, saying why.

const fig = (usd: number | null, estimated = true, basis = 'b') => ({ usd, estimated, basis, tableDate: null });

describe('cost text', () => {
  it('marks estimates, says "Not billed" for an unbilled run and "unknown" for no figure', () => {
    expect(costText(fig(0.006))).toBe('$0.006 est.');
    expect(costText(fig(0.04, false))).toBe('$0.04');
    expect(costText(fig(0, false))).toBe('Not billed');
    expect(costText(fig(0, true))).toBe('$0 est.'); // nothing produced, priced per output
    expect(costText(fig(null))).toBe('Cost unknown');
    expect(costText(null)).toBe('Cost unknown');
  });
  it('shows an unknown estimate as "Price unknown", never $0', () => {
    expect(estimateText(fig(null))).toBe('Price unknown');
    expect(estimateText(fig(0.012))).toBe('≈ $0.012');
    expect(retryText(fig(null, true, 'No price known for x/y'))).toBe('Price unknown: No price known for x/y');
    expect(retryText(fig(0.003, true, '1 image × $0.003'))).toBe('Costs about $0.003: 1 image × $0.003');
  });
});

describe('budget field', () => {
  it.each([
    ['', null],
    ['  ', null],
    ['5', 5],
    ['12.50', 12.5],
    ['$7', 7],
    ['0.01', 0.01],
    ['1000000', 1_000_000],
  ])('keeps %j as %j', (text, usd) => expect(parseBudget(text)).toEqual({ ok: true, usd }));
  it.each([
    ['-5', /in dollars/],
    ['abc', /in dollars/],
    ['1e3', /in dollars/],
    ['5,00', /in dollars/],
    ['0', /more than \$0/],
    ['0.00', /more than \$0/],
    ['1000001', /At most \$1,000,000/],
    ['1.005', /two decimals/],
  ])('refuses %j, saying why', (text, why) => {
    const r = parseBudget(text);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.reason).toMatch(why);
  });
});
