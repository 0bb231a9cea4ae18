import { describe, expect, it } from 'vitest';
import { createNotifier } from '../../electron/backend/events/notifier.ts';
import type { PredictionRecord } from '../../electron/backend/history/types.ts';
import type { PlatformAdapter } from '../../electron/backend/types.ts';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/domain/settings.ts';

const T0 = 1_000_000;
function rec(over: Partial<PredictionRecord>): PredictionRecord {
  return {
    id: 'p1',
    provider: 'replicate',
    providerId: 'r1',
    model: 'owner/model',
    version: null,
    target: 'model',
    input: { prompt: 'a red fox' },
    inputSchema: null,
    status: 'processing',
    saveState: 'none',
    createdAt: T0,
    providerCreatedAt: null,
    startedAt: null,
    completedAt: null,
    statusSince: T0,
    timeline: [],
    logs: '',
    progress: null,
    text: null,
    output: null,
    error: null,
    metrics: null,
    urls: {},
    cancelAfter: null,
    retryOf: null,
    favourite: false,
    note: null,
    submitAttempts: 1,
    cancelRequested: false,
    dataRemoved: false,
    ...over,
  };
}

function setup(o: { focused?: boolean; platform?: boolean; settings?: Partial<Settings> } = {}) {
  const shown: string[] = [];
  const emitted: unknown[] = [];
  const settings = { ...DEFAULT_SETTINGS, ...o.settings };
  const platform =
    o.platform === false
      ? undefined
      : ({ isFocused: () => o.focused ?? false, notify: (title: string, body: string) => shown.push(`${title}: ${body}`) } as unknown as PlatformAdapter);
  const onRecord = createNotifier({
    settings: { get: () => settings, set: () => settings },
    platform,
    emit: ((_e: string, p: unknown) => emitted.push(p)) as never,
    clock: { now: () => T0, setTimeout: () => 0, clearTimeout: () => {} },
  });
  return { onRecord, shown, emitted };
}

describe('finish notifications', () => {
  it('a long prediction finishing while the window is unfocused is announced once', () => {
    const { onRecord, shown } = setup();
    onRecord(rec({ status: 'processing' }));
    onRecord(rec({ status: 'succeeded', completedAt: T0 + 60_000 }));
    onRecord(rec({ status: 'succeeded', completedAt: T0 + 60_000, saveState: 'saved' }));
    expect(shown).toEqual(['Prediction finished: a red fox']);
  });

  it('stays quiet for quick ones, a focused window, the user’s own cancel, or notifications off', () => {
    for (const [o, r] of [
      [{}, rec({ status: 'succeeded', completedAt: T0 + 1_000 })],
      [{ focused: true }, rec({ status: 'failed', completedAt: T0 + 60_000 })],
      [{}, rec({ status: 'canceled', completedAt: T0 + 60_000, cancelRequested: true })],
      [{ settings: { notifications: false } }, rec({ status: 'succeeded', completedAt: T0 + 60_000 })],
    ] as const) {
      const { onRecord, shown } = setup(o);
      onRecord(r);
      expect(shown).toEqual([]);
    }
  });

  it('browser mode (no platform adapter) sends the notify event for the page to show', () => {
    const { onRecord, emitted } = setup({ platform: false });
    onRecord(rec({ status: 'aborted', completedAt: T0 + 10 * 60_000, input: {} }));
    expect(emitted).toEqual([{ title: 'Prediction never started', body: 'owner/model', predictionId: 'p1' }]);
  });
});
