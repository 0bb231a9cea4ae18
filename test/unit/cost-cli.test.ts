import { describe, expect, it } from 'vitest';
import { UsageError, parseCli } from '../../electron/cli/args.ts';
import { periodStarts } from '../../electron/backend/ledger/index.ts';
import { ledgerCsv } from '../../electron/backend/ledger/csv.ts';

// `kiln run --max-cost` and `kiln cost` parsing, local days for budgets, and the CSV export.

describe('money on the command line', () => {
  it('--max-cost takes dollars; kiln cost takes --since YYYY-MM-DD', () => {
    expect(parseCli(['run', 'a/b', '--max-cost', '0.25'])).toMatchObject({ cmd: 'run', maxCost: 0.25 });
    expect(parseCli(['run', 'a/b', '--max-cost', '$2'])).toMatchObject({ maxCost: 2 });
    expect(parseCli(['cost', '--json'])).toEqual({ cmd: 'cost', since: null, json: true });
    expect(parseCli(['cost', '--since', '2026-11-01'])).toEqual({ cmd: 'cost', since: '2026-11-01', json: false });
    for (const bad of [
      ['run', 'a/b', '--max-cost', 'cheap'],
      ['run', 'a/b', '--max-cost', '-1'],
      ['cost', '--since', '2026-13-45'],
      ['cost', '--since', 'last week'],
      ['list', '--max-cost', '1'],
      ['run', 'a/b', '--since', '2026-01-01'],
    ]) {
      expect(() => parseCli(bad), bad.join(' ')).toThrow(UsageError);
    }
  });
});

describe('local days for budgets', () => {
  it('the day and month start where the user lives, not in UTC', () => {
    const at = Date.UTC(2026, 10, 1, 2, 0); // 02:00 UTC on 1 Nov = 21:00 on 31 Oct in UTC-5
    expect(periodStarts(at, 0)).toEqual({ day: Date.UTC(2026, 10, 1), month: Date.UTC(2026, 10, 1) });
    expect(periodStarts(at, -300)).toEqual({ day: Date.UTC(2026, 9, 31, 5), month: Date.UTC(2026, 9, 1, 5) });
  });
});

describe('the CSV export', () => {
  it('quotes what needs it, spells unknown out, and defuses spreadsheet formulas from outside', () => {
    const csv = ledgerCsv(
      [
        {
          predictionId: 'p1',
          provider: 'replicate',
          model: 'a/b',
          status: 'succeeded',
          usd: 0.003,
          estimated: true,
          basis: '1 image × $0.003, table',
          tableDate: '2026-10',
          at: Date.UTC(2026, 10, 30, 12),
        },
        {
          predictionId: 'p2',
          provider: 'fal',
          model: '=HYPERLINK("x")',
          status: 'failed',
          usd: null,
          estimated: true,
          basis: 'no price',
          tableDate: null,
          at: Date.UTC(2026, 10, 30, 23, 30),
        },
      ],
      60,
    );
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[1]).toBe('p1,2026-11-30T12:00:00.000Z,2026-11-30,replicate,a/b,succeeded,0.003,yes,"1 image × $0.003, table",2026-10');
    // 23:30 UTC is already the next day at UTC+1.
    expect(lines[2]).toBe(`p2,2026-11-30T23:30:00.000Z,2026-12-01,fal,"'=HYPERLINK(""x"")",failed,unknown,yes,no price,`);
  });
});
