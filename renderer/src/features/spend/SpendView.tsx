import { useEffect, useState } from 'react';
import type { z } from 'zod';
import { formatUsd } from '../../../../shared/domain/cost.ts';
import type { SpendSummary } from '../../../../shared/ipc.ts';
import { PROVIDER_LABELS, runRef, type ProviderId } from '../../../../shared/domain/provider.ts';
import { windowApi, errorMessage } from '../../api.ts';
import { uiStore } from '../../stores/index.ts';
import { costStore, useCost } from '../../stores/cost.ts';
import { Dialog } from '../../ui/Dialog.tsx';
import { utcOffsetMinutes } from '../cost/budget-gate.ts';
import { SpendChart } from './SpendChart.tsx';
import '../cost/cost.css';

// What has been spent (ARCHITECTURE.md, "Money"): totals per day and month, per provider and model, between two
// local dates, with a bar chart of the days and the ledger as CSV. Runs whose cost is unknown are
// counted beside the totals, so a total never silently reads low.

type Summary = z.infer<typeof SpendSummary>;

const money = (usd: number | null) => (usd === null ? 'unknown' : formatUsd(usd));
const unknownNote = (n: number) => (n ? ` (+${n} unknown)` : '');

/** The Header's "Spend" button; the view itself opens over everything. */
export function SpendButton() {
  const open = useCost((s) => s.spendOpen);
  return (
    <>
      <button type="button" className="btn ghost" aria-pressed={open} onClick={() => costStore.getState().setSpendOpen(!open)}>
        <span aria-hidden="true">$</span> Spend
      </button>
      {open && <SpendView />}
    </>
  );
}

/** The request for two local dates ('' = open end); the offset is read when asked, so it follows DST. */
const rangeOf = (from: string, to: string) => ({ from: from || null, to: to || null, utcOffsetMinutes: utcOffsetMinutes() });

/** The answer for one range: the view shows the newest data it has, and an error only for the range shown. */
type Loaded = { key: string; data: Summary | null; error: string | null };

export function SpendView() {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const key = `${from}|${to}`;

  useEffect(() => {
    let live = true;
    const k = `${from}|${to}`;
    windowApi()
      .invoke('cost:summary', rangeOf(from, to))
      .then(
        (s) => {
          if (live) setLoaded({ key: k, data: s, error: null });
        },
        (e) => {
          if (live) setLoaded((prev) => ({ key: k, data: prev?.data ?? null, error: errorMessage(e) }));
        },
      );
    return () => {
      live = false;
    };
  }, [from, to]);
  const data = loaded?.data ?? null;
  const error = loaded?.key === key ? loaded.error : null;

  const exportCsv = async () => {
    try {
      const { csv, rows } = await windowApi().invoke('cost:csv', rangeOf(from, to));
      // A Blob link works in the browser and in Electron (which asks where to save a download).
      const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `kiln-spend${from ? `-from-${from}` : ''}${to ? `-to-${to}` : ''}.csv`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      uiStore.getState().toast(`Exported ${rows} row${rows === 1 ? '' : 's'}`, { timeout: 2500 });
    } catch (e) {
      uiStore.getState().toast(`Could not export: ${errorMessage(e)}`, { tone: 'error' });
    }
  };

  const badRange = from && to && from > to;
  return (
    <Dialog title="Spend" onClose={() => costStore.getState().setSpendOpen(false)} className="spend-view">
      <div className="spend-filter" role="group" aria-label="Dates">
        <label>
          From <input type="date" value={from} max={to || undefined} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          To <input type="date" value={to} min={from || undefined} onChange={(e) => setTo(e.target.value)} />
        </label>
        {(from || to) && (
          <button
            type="button"
            className="btn small"
            onClick={() => {
              setFrom('');
              setTo('');
            }}
          >
            All time
          </button>
        )}
        <button type="button" className="btn small push-end" onClick={() => void exportCsv()}>
          Export CSV
        </button>
      </div>
      {badRange && (
        <p className="field-error" role="alert">
          “From” is after “To”: nothing can be in that range.
        </p>
      )}
      {error && (
        <p className="field-error" role="alert">
          Could not load the spend: {error}
        </p>
      )}
      {data && <SpendBody s={data} />}
    </Dialog>
  );
}

function SpendBody({ s }: { s: Summary }) {
  if (!s.runs) return <p className="muted spend-empty">No runs with a cost in this range.</p>;
  const b = s.budget;
  return (
    <>
      <p className="spend-total" data-testid="spend-total">
        <strong>{formatUsd(s.totalUsd)}</strong>
        {s.estimated ? ' est.' : ''} over {s.runs} run{s.runs === 1 ? '' : 's'}
        {unknownNote(s.unknownRuns)}
      </p>
      {(b.dailyUsd !== null || b.monthlyUsd !== null) && (
        <p className="small muted">
          {b.dailyUsd !== null && (
            <>
              Today {formatUsd(b.spentTodayUsd)} of {formatUsd(b.dailyUsd)}.{' '}
            </>
          )}
          {b.monthlyUsd !== null && (
            <>
              This month {formatUsd(b.spentMonthUsd)} of {formatUsd(b.monthlyUsd)}.
            </>
          )}
        </p>
      )}
      <SpendChart
        bars={s.byDay.map((d) => ({ key: d.key, usd: d.usd }))}
        label={`Spend per day, ${s.byDay.length} day${s.byDay.length === 1 ? '' : 's'}, highest ${formatUsd(Math.max(0, ...s.byDay.map((d) => d.usd)))}`}
      />
      <div className="spend-tables">
        <Table caption="Per day" head="Day" rows={s.byDay.map((d) => [d.key, money(d.usd) + unknownNote(d.unknownRuns), d.runs])} />
        <Table caption="Per month" head="Month" rows={s.byMonth.map((d) => [d.key, money(d.usd) + unknownNote(d.unknownRuns), d.runs])} />
        <Table
          caption="Per provider"
          head="Provider"
          rows={s.byProvider.map((d) => [PROVIDER_LABELS[d.key as ProviderId] ?? d.key, money(d.usd) + unknownNote(d.unknownRuns), d.runs])}
        />
        <Table
          caption="Per model"
          head="Model"
          rows={s.byModel.map((m) => [runRef(m), money(m.usd) + (m.estimated && m.usd !== null ? ' est.' : '') + unknownNote(m.unknownRuns), m.runs])}
        />
      </div>
    </>
  );
}

function Table({ caption, head, rows }: { caption: string; head: string; rows: (string | number)[][] }) {
  return (
    <table className="kv spend-table">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{head}</th>
          <th scope="col">Spent</th>
          <th scope="col">Runs</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={i}>
            <th scope="row">{r[0]}</th>
            <td>{r[1]}</td>
            <td>{r[2]}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
