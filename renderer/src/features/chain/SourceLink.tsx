import type { PredictionView } from '../../../../shared/domain/prediction.ts';
import { predictionsStore, uiStore } from '../../stores/index.ts';
import { windowApi } from '../../api.ts';
import { useSourceGone } from './source-gone.ts';

// Chain (issue 14): a run made from another run's output says so, with a link that opens the
// source run's detail — on the card (compact, beside the model) and in the detail view. The
// backend names the source (model, prompt) in the view, so the link works even when the source is
// not in the loaded gallery page; a deleted source is said to be deleted, without a link. Rendered
// only for chained runs, and no IPC until it is clicked: the gallery renders thousands of cards.

type Source = NonNullable<PredictionView['source']>;

export function sourceLabel(s: Source): string {
  if (s.deleted || !s.model) return 'a deleted run';
  const prompt = s.prompt?.trim();
  return prompt ? `${s.model} — “${prompt.length > 60 ? `${prompt.slice(0, 60)}…` : prompt}”` : s.model;
}

/** Opens the source run's detail, reading it from the history first when it is not loaded. */
export function openSource(id: string): void {
  if (predictionsStore.getState().byId[id]) {
    uiStore.getState().openDetail(id);
    return;
  }
  windowApi()
    .invoke('predictions:get', { id })
    .then(
      (v) => {
        predictionsStore.getState().upsert(v);
        uiStore.getState().openDetail(id);
      },
      () => uiStore.getState().toast('The source run is no longer in the history (it was deleted).', { tone: 'error' }),
    );
}

const DELETED_TITLE = 'The run this input was made from has been deleted (it may still be in Recently deleted).';

export function SourceLink({ p, compact = false }: { p: PredictionView; compact?: boolean }) {
  const s = p.source;
  return s ? <Link s={s} compact={compact} /> : null;
}

function Link({ s, compact }: { s: Source; compact: boolean }) {
  const goneSince = useSourceGone(s.id);
  const gone = s.deleted || !s.model || goneSince;
  if (compact) {
    // One short phrase beside the model: the model's own name; the full label is the accessible name.
    const short = gone ? 'a deleted run' : (s.model!.split('/').pop() ?? s.model!);
    return gone ? (
      <span className="card-source muted" title={DELETED_TITLE}>
        <span aria-hidden="true">↳ </span>From a deleted run
      </span>
    ) : (
      <span className="card-source">
        <span aria-hidden="true">↳ </span>
        <button
          type="button"
          className="linklike"
          title={`From ${sourceLabel(s)}`}
          onClick={(e) => {
            e.stopPropagation();
            openSource(s.id);
          }}
          // Begins with the words shown (WCAG 2.5.3, label in name), then the whole source.
          aria-label={`From ${short}: open the source run (${sourceLabel(s)})`}
        >
          From {short}
        </button>
      </span>
    );
  }
  return (
    <p className="muted small chain-source">
      {gone ? (
        <span title={DELETED_TITLE}>From a deleted run</span>
      ) : (
        <>
          From{' '}
          <button
            type="button"
            className="linklike"
            onClick={(e) => {
              e.stopPropagation();
              openSource(s.id);
            }}
            aria-label={`From ${sourceLabel(s)}: open the source run`}
          >
            {sourceLabel(s)}
          </button>
        </>
      )}
    </p>
  );
}
