import { useEffect, useMemo, useRef, useState } from 'react';
import type { PredictionFilter, OutputKind } from '../../../../shared/domain/prediction.ts';
import { usePredictions, predictionsStore, useSettings } from '../../stores/index.ts';
import * as act from './actions.ts';
import { PROVIDER_IDS, type ProviderId } from '../../../../shared/domain/provider.ts';
import { PROVIDER_LABELS } from '../../../../shared/domain/provider.ts';

export const STATUS_GROUPS: { key: string; label: string; statuses: string[] }[] = [
  { key: 'active', label: 'In progress', statuses: ['queued', 'submitting', 'starting', 'processing'] },
  { key: 'succeeded', label: 'Succeeded', statuses: ['succeeded'] },
  { key: 'failed', label: 'Failed', statuses: ['failed', 'aborted'] },
  { key: 'canceled', label: 'Canceled', statuses: ['canceled'] },
];

const DAY = 86_400_000;
const DATES: { label: string; ms: number | null }[] = [
  { label: 'Any time', ms: null },
  { label: 'Today', ms: DAY },
  { label: 'Last 7 days', ms: 7 * DAY },
  { label: 'Last 30 days', ms: 30 * DAY },
];

function sameSet(a: string[] | undefined, b: string[]) {
  return !!a && a.length === b.length && b.every((x) => a.includes(x));
}

export function Toolbar() {
  const filter = usePredictions((s) => s.filter);
  const counts = usePredictions((s) => s.counts);
  const recent = useSettings((s) => s.settings.recentModels);
  const pinned = useSettings((s) => s.settings.pinnedModels);
  const [q, setQ] = useState(filter.query ?? '');
  const [dateIdx, setDateIdx] = useState(0);
  const first = useRef(true);

  const apply = (patch: Partial<PredictionFilter>) => void predictionsStore.getState().setFilter({ ...predictionsStore.getState().filter, ...patch });

  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const h = setTimeout(() => apply({ query: q.trim() || undefined }), 220);
    return () => clearTimeout(h);
  }, [q]);

  const models = useMemo(() => [...new Set([...pinned, ...recent, ...(filter.model ? [filter.model] : [])])], [pinned, recent, filter.model]);
  const groupCount = (statuses: string[]) => statuses.reduce((a, s) => a + (counts?.byStatus[s] ?? 0), 0);

  return (
    <div className="toolbar">
      <div className="search">
        <input
          type="search"
          aria-label="Search prompts"
          placeholder="Search prompts…"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') setQ('');
          }}
        />
      </div>
      <div className="chips" role="group" aria-label="Status filter">
        <button
          type="button"
          className={`chip${!filter.status && !filter.favourite ? ' on' : ''}`}
          aria-pressed={!filter.status && !filter.favourite}
          onClick={() => apply({ status: undefined, favourite: undefined })}
        >
          All <span className="count">{counts?.total ?? ''}</span>
        </button>
        {STATUS_GROUPS.map((g) => {
          const on = sameSet(filter.status, g.statuses);
          return (
            <button
              key={g.key}
              type="button"
              className={`chip${on ? ' on' : ''}`}
              aria-pressed={on}
              onClick={() => apply({ status: on ? undefined : g.statuses })}
            >
              {g.label} <span className="count">{counts ? groupCount(g.statuses) : ''}</span>
            </button>
          );
        })}
        <button
          type="button"
          className={`chip${filter.favourite ? ' on' : ''}`}
          aria-pressed={!!filter.favourite}
          onClick={() => apply({ favourite: filter.favourite ? undefined : true })}
        >
          ★ Favourites <span className="count">{counts?.favourites ?? ''}</span>
        </button>
      </div>
      <div className="filters">
        <select aria-label="Model filter" value={filter.model ?? ''} onChange={(e) => apply({ model: e.target.value || undefined })}>
          <option value="">All models</option>
          {models.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
        <select
          aria-label="Provider filter"
          value={filter.provider ?? ''}
          onChange={(e) => apply({ provider: (e.target.value || undefined) as ProviderId | undefined })}
        >
          <option value="">All providers</option>
          {PROVIDER_IDS.map((p) => (
            <option key={p} value={p}>
              {PROVIDER_LABELS[p]}
            </option>
          ))}
        </select>
        <select
          aria-label="Output kind filter"
          value={filter.kind ?? ''}
          onChange={(e) => apply({ kind: (e.target.value || undefined) as OutputKind | undefined })}
        >
          <option value="">All kinds</option>
          <option value="image">Images</option>
          <option value="video">Videos</option>
          <option value="text">Text</option>
          <option value="audio">Audio</option>
        </select>
        <select
          aria-label="Date filter"
          value={dateIdx}
          onChange={(e) => {
            const i = Number(e.target.value);
            setDateIdx(i);
            const ms = DATES[i]!.ms;
            apply({ from: ms == null ? undefined : Date.now() - ms });
          }}
        >
          {DATES.map((d, i) => (
            <option key={d.label} value={i}>
              {d.label}
            </option>
          ))}
        </select>
        <button type="button" className="btn small ghost" onClick={() => void act.exportItems()} title="Export the whole history as a zip">
          Export all
        </button>
      </div>
    </div>
  );
}
