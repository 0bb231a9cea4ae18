import { useCallback, useEffect, useMemo, useSyncExternalStore } from 'react';
import { estimateRun } from '../../../../shared/domain/cost.ts';
import { runRef } from '../../../../shared/domain/provider.ts';
import type { PredictionView } from '../../../../shared/domain/prediction.ts';
import { runCosts } from '../../stores/run-costs.ts';
import { costText, retryText } from './format.ts';
import { usePrice } from './use-price.ts';
import './cost.css';

// A run's cost on its card and in the detail view ("$0.006 est." with its basis, "Not billed",
// "Cost unknown"), and what Retry will cost — the Retry button points at it with
// aria-describedby={retryCostId(id, where)}, so its name stays "Retry" (ARCHITECTURE.md, "Fixed interfaces").

export const retryCostId = (id: string, where: 'card' | 'detail'): string => `retry-cost-${where}-${id}`;

/** A run's figure from the cost cache, re-rendering only when that run's figure arrives. */
function useRunCostFigure(id: string) {
  const subscribe = useCallback((fn: () => void) => runCosts.subscribe(id, fn), [id]);
  return useSyncExternalStore(subscribe, () => runCosts.get(id));
}

function useRunCost(p: PredictionView, force = false) {
  useEffect(() => {
    runCosts.ensure(p.id, p.status, force);
  }, [p.id, p.status, force]);
  // fal runs keep their endpoint id without `fal:`: the price is asked by the run's full ref.
  const ref = runRef(p);
  const fig = useRunCostFigure(p.id);
  const price = usePrice(ref);
  const retry = useMemo(
    () => (price === undefined || price === 'loading' ? null : estimateRun(price, { model: ref, input: p.input, count: 1 })),
    [price, ref, p.input],
  );
  return { fig, retry, ended: fig !== undefined };
}

export function CardCost({ p }: { p: PredictionView }) {
  const { fig, retry, ended } = useRunCost(p);
  return (
    <>
      {ended && (
        <p className="card-cost small" title={fig?.basis ?? undefined} data-testid="card-cost">
          {costText(fig)}
          {fig?.basis && <span className="visually-hidden"> ({fig.basis})</span>}
        </p>
      )}
      <span id={retryCostId(p.id, 'card')} hidden>
        {retryText(retry)}
      </span>
    </>
  );
}

export function DetailCost({ p }: { p: PredictionView }) {
  // The detail view asks again: an estimate may have been replaced by the provider's own figure.
  const { fig, retry, ended } = useRunCost(p, true);
  return (
    <>
      {ended && (
        <p className="detail-cost small" data-testid="detail-cost">
          <strong>Cost</strong> {costText(fig)}
          {fig?.basis && <span className="muted"> — {fig.basis}</span>}
        </p>
      )}
      <span id={retryCostId(p.id, 'detail')} hidden>
        {retryText(retry)}
      </span>
    </>
  );
}
