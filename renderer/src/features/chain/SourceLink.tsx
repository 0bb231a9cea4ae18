import type { PredictionView } from '../../../../shared/domain/prediction.ts';
import { predictionsStore, uiStore } from '../../stores/index.ts';
import { windowApi } from '../../api.ts';

// Chain (issue 14): a run made from another run's output says so, with a link that opens the
// source run's detail. The backend names the source (model, prompt) in the view, so the link works
// even when the source is not in the loaded gallery page; a deleted source shows no link.

export function sourceLabel(s: NonNullable<PredictionView['source']>): string {
  const prompt = s.prompt?.trim();
  return prompt ? `${s.model} — “${prompt.length > 60 ? `${prompt.slice(0, 60)}…` : prompt}”` : s.model;
}

export function SourceLink({ p, className = '' }: { p: PredictionView; className?: string }) {
  const s = p.source;
  if (!s) return null;
  const open = () => {
    const id = s.id;
    if (predictionsStore.getState().byId[id]) {
      uiStore.getState().openDetail(id);
      return;
    }
    // Not in the loaded page: fetch it first, so the detail has something to show.
    windowApi()
      .invoke('predictions:get', { id })
      .then(
        (v) => {
          predictionsStore.getState().upsert(v);
          uiStore.getState().openDetail(id);
        },
        () => uiStore.getState().toast('The source run is no longer in the history.', { tone: 'error' }),
      );
  };
  return (
    <p className={`muted small chain-source ${className}`}>
      From{' '}
      <button
        type="button"
        className="linklike"
        onClick={(e) => {
          e.stopPropagation();
          open();
        }}
        aria-label={`From ${sourceLabel(s)}: open the source run`}
      >
        {sourceLabel(s)}
      </button>
    </p>
  );
}
