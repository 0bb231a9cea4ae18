import type { PredictionView } from '../../shared/domain/prediction.ts';

/** A complete run view for renderer tests: a saved Replicate run, with `over` on top. */
export function predictionView(over: Partial<PredictionView> = {}): PredictionView {
  return {
    id: 'a',
    provider: 'replicate',
    providerId: null,
    model: 'o/m',
    version: null,
    input: {},
    prompt: 'x',
    status: 'succeeded',
    saveState: 'saved',
    createdAt: 0,
    startedAt: null,
    completedAt: null,
    statusSince: 0,
    timeline: [],
    progress: null,
    logsTail: '',
    text: null,
    error: null,
    outputs: [],
    note: null,
    retryOf: null,
    variantCount: 1,
    favourite: false,
    webUrl: null,
    metrics: null,
    expiresAt: null,
    ...over,
  };
}
