import { memo, type KeyboardEvent, type MouseEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { PredictionView } from '../../../../shared/domain/prediction.ts';
import { predictionsStore, usePredictions } from '../../stores/index.ts';
import { windowApi } from '../../api.ts';
import { excerpt } from '../../components/format.ts';
import { previewPath, primaryOutput } from '../gallery/status.ts';
import * as act from '../gallery/actions.ts';
import { fanoutStore, useFanout } from './store.ts';
import { countStatuses, isRetryStack, needsRetry, stackProgress } from './stack-model.ts';
import { groupProgress, useGroupProgress } from './useGroupProgress.ts';
import { confirmRetryBudget } from '../cost/budget-gate.ts';
import { useFlingShape } from '../scale/fling.ts';
import './stacks.css';

// One batch or compare in the gallery (issue 14): where its newest member would be, a single card
// with the group's progress as a whole, a mosaic of its first results, and the way in — open the
// stack to see every member as an ordinary card, retry only the members that failed, or (compare)
// see them side by side. Members are ordinary runs: their own cards do the rest.

export const StackCard = memo(function StackCard({
  groupId,
  memberIds,
  index,
  setSize,
}: {
  groupId: string;
  memberIds: string[];
  index: number;
  setSize: number;
}) {
  // Re-renders only when one of this stack's members changes, not on every gallery update.
  const members = usePredictions(useShallow((s) => memberIds.map((id) => s.byId[id])));
  const expanded = useFanout((s) => !!s.expanded[groupId]);
  const runs = members.filter((p): p is PredictionView => !!p);
  const local = stackProgress(runs);
  // The whole group's counts from the history (members on other pages, or hidden by a filter,
  // included); the loaded members' own until it answers. A retry family has no group to ask about.
  // Mounted during a fling: the mosaic and its badge only, and no count asked yet; during a racing
  // one, the badge alone (scale/fling.ts).
  const { lite, blank } = useFlingShape();
  const whole = useGroupProgress(lite || isRetryStack(groupId) ? null : groupId);
  if (runs.length === 0) return null;
  const prog = whole ? { ...local, ...countStatuses(whole.byStatus) } : local;
  // A retry family stacks its tries (newest first); it opens like a batch.
  const kind = isRetryStack(groupId) ? 'retry' : (whole?.kind ?? runs[0]!.groupKind) === 'compare' ? 'compare' : 'batch';
  const models = [...new Set(prog.current.map((p) => p.model))];
  const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
  const title =
    kind === 'compare'
      ? `Compare · ${plural(Math.max(models.length, prog.total), 'model')}`
      : kind === 'retry'
        ? `Retried · ${plural(runs.length, 'run')}`
        : `Batch · ${plural(prog.total, 'run')}`;
  const prompt = excerpt(prog.current[0]?.prompt ?? '', 90);
  // What "Retry failed" retries: every failed member the history knows of, loaded or not.
  const failed = whole ? whole.retryable : prog.current.filter(needsRetry).map((p) => p.id);
  const thumbs = (kind === 'retry' ? runs : prog.current).slice(0, 4);
  const pct = prog.total ? Math.round((prog.done / prog.total) * 100) : 0;
  // A family stands for one run: its newest try's state is the stack's.
  const summary = kind === 'retry' ? `latest try ${runs[0]!.status}` : `${prog.done} of ${prog.total} done${prog.failed ? ` · ${prog.failed} failed` : ''}`;

  const toggle = () => fanoutStore.getState().toggleExpanded(groupId);
  const onClick = (e: MouseEvent) => {
    if ((e.target as HTMLElement).closest('button, a')) return;
    if (kind === 'compare') fanoutStore.getState().openView(groupId);
    else toggle();
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.target !== e.currentTarget || e.key !== 'Enter') return;
    e.preventDefault();
    if (kind === 'compare') fanoutStore.getState().openView(groupId);
    else toggle();
  };

  return (
    // A feed article like the cards around it (arrow keys move between them; Enter opens it).
    // eslint-disable-next-line jsx-a11y/no-noninteractive-element-interactions
    <article
      className={`card stack-card${prog.failed ? ' tone-bad' : prog.running ? ' tone-active' : ' tone-good'}`}
      aria-label={`${title} — ${prompt} — ${summary}`}
      aria-posinset={index + 1}
      aria-setsize={setSize}
      // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
      tabIndex={0}
      data-index={index}
      data-group={groupId}
      onClick={onClick}
      onKeyDown={onKey}
    >
      <div className={`card-media stack-mosaic n${Math.min(4, thumbs.length)}`}>
        {!blank && thumbs.map((p) => <StackThumb key={p.id} p={p} />)}
        <span className="stack-badge" aria-hidden="true">
          {kind === 'compare' ? '⇆' : kind === 'retry' ? '↻' : '▤'} {kind === 'retry' ? runs.length : prog.total}
        </span>
      </div>
      {lite ? (
        <div className="card-body card-body-lite" />
      ) : (
        <div className="card-body">
          <div className="card-status-row">
            <strong className="stack-title">{title}</strong>
          </div>
          <div
            className="stack-progress"
            role="progressbar"
            aria-label="Progress of the stack"
            aria-valuemin={0}
            aria-valuemax={prog.total}
            aria-valuenow={prog.done}
            aria-valuetext={summary}
          >
            <span className="stack-bar good" style={{ width: `${prog.total ? (prog.succeeded / prog.total) * 100 : 0}%` }} />
            <span className="stack-bar bad" style={{ width: `${prog.total ? (prog.failed / prog.total) * 100 : 0}%` }} />
          </div>
          <span className="small muted" data-testid="stack-summary">
            {summary}
            {prog.running ? ` · ${pct}%` : ''}
          </span>
          <span className="card-prompt" title={prog.current[0]?.prompt ?? ''}>
            {prompt}
          </span>
          <div className="card-actions">
            {kind === 'compare' && (
              <button type="button" className="btn small primary" onClick={() => fanoutStore.getState().openView(groupId)}>
                Side by side
              </button>
            )}
            <button type="button" className="btn small" aria-expanded={expanded} onClick={toggle}>
              {expanded ? 'Hide runs' : 'Show runs'}
            </button>
            {failed.length > 0 && (
              <button type="button" className="btn small" onClick={() => void retryAll(failed)}>
                {kind === 'retry' ? 'Retry' : `Retry failed (${failed.length})`}
              </button>
            )}
          </div>
        </div>
      )}
    </article>
  );
});

/**
 * Retries the failed members, asking about the budget once for all of them. Members not in the
 * loaded page are read first (bounded: a group holds at most LIMITS.groupMembers).
 */
async function retryAll(ids: string[]): Promise<void> {
  const byId = predictionsStore.getState().byId;
  const views = await Promise.all(
    ids.map(
      (id) =>
        byId[id] ??
        windowApi()
          .invoke('predictions:get', { id })
          .catch(() => null),
    ),
  );
  const runs = views.filter((v): v is PredictionView => !!v);
  if (!(await confirmRetryBudget(runs))) return;
  await Promise.all(runs.map((p) => act.retry(p.id, true)));
  groupProgress.refresh();
}

function StackThumb({ p }: { p: PredictionView }) {
  const out = primaryOutput(p);
  const shown = out?.kind === 'image' ? previewPath(out) : null;
  const src = shown ? windowApi().mediaUrl(shown) : null;
  if (src) return <img src={src} alt="" loading="lazy" decoding="async" draggable={false} />;
  return <span className={`stack-thumb-empty status-${needsRetry(p) ? 'bad' : p.status === 'succeeded' ? 'good' : 'active'}`} aria-hidden="true" />;
}
