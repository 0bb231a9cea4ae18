import { describe, expect, it } from 'vitest';
import { runOfFalResult } from '../../electron/backend/providers/fal/provider.ts';

// fal's language models report token usage in their output (reference §8); the fal provider keeps
// it with the run's metrics, so a per-token price gives a cost. Untrusted values are dropped.

const st: Parameters<typeof runOfFalResult>[1] = { status: 'COMPLETED', queuePosition: null, inferenceTimeS: 1.25, logs: null, error: null, errorType: null };
const ok = (output: Record<string, unknown>) => runOfFalResult('req-1', st, { outcome: 'succeeded', output, requestId: 'req-1' });

describe('fal usage → token counts', () => {
  it('keeps input and output tokens with the inference time', () => {
    expect(ok({ output: 'hi', usage: { input_tokens: 12, output_tokens: 34, ttft_ms: 5 } }).metrics).toEqual({
      predictTime: 1.25,
      totalTime: null,
      inputTokens: 12,
      outputTokens: 34,
    });
  });
  it('without usage (or with nonsense in it) the metrics carry no token counts', () => {
    expect(ok({ images: [] }).metrics).toEqual({ predictTime: 1.25, totalTime: null });
    expect(ok({ output: 'x', usage: { input_tokens: -1, output_tokens: '9' } }).metrics).toEqual({ predictTime: 1.25, totalTime: null });
  });
  it('a 5xx failure says its status (fal never bills it)', () => {
    const r = runOfFalResult('req-1', st, {
      outcome: 'failed',
      message: 'Unhandled exception',
      httpStatus: 500,
      errorType: null,
      invalidInput: false,
      retryable: null,
    });
    expect(r.error).toBe('Unhandled exception (HTTP 500)');
  });
});
