import { afterAll, describe, expect, it } from 'vitest';
import { FAL_MEDIA_LIFETIME_S, RETENTION_MS, outputsExpireAt, retentionMs } from '../../electron/backend/records/retention.ts';
import { expiresAt } from '../../electron/backend/history/rows.ts';
import { openHistory } from '../../electron/backend/history/store.ts';
import { manualClock, recordingLog, tempDir, removeTempDirs } from './history-helpers.ts';

afterAll(removeTempDirs);

// Output retention, one policy per provider (records/retention.ts): Replicate's hour, fal's days
// (the lifetime Kiln asks fal for on submit). History's expiresAt and the card read it per run.

const HOUR = 3600_000;
const DAY = 24 * HOUR;

describe('retention per provider', () => {
  it('Replicate keeps outputs an hour; fal the 7 days Kiln asks for', () => {
    expect(RETENTION_MS).toEqual({ replicate: HOUR, fal: 7 * DAY });
    expect(FAL_MEDIA_LIFETIME_S * 1000).toBe(RETENTION_MS.fal);
    expect(retentionMs('fal')).toBe(7 * DAY);
    expect(retentionMs(undefined)).toBe(HOUR); // older rows are Replicate's
    expect(outputsExpireAt({ provider: 'fal', providerCreatedAt: null, createdAt: 1000 })).toBe(1000 + 7 * DAY);
    expect(outputsExpireAt({ provider: 'replicate', providerCreatedAt: 2000, createdAt: 1000 })).toBe(2000 + HOUR);
  });

  it("a run's expiresAt follows its provider while its outputs are not saved", () => {
    const base = { status: 'succeeded', saveState: 'none' as const, providerCreatedAt: null, createdAt: 1000 };
    expect(expiresAt({ ...base, provider: 'fal' })).toBe(1000 + 7 * DAY);
    expect(expiresAt({ ...base, provider: 'replicate' })).toBe(1000 + HOUR);
    expect(expiresAt({ ...base, provider: 'fal', saveState: 'saved' })).toBeNull();
    expect(expiresAt({ ...base, provider: 'fal', status: 'failed' })).toBeNull();
  });

  it("the history's view of a fal run (what the card shows) expires in days, a Replicate run in an hour", () => {
    const clock = manualClock();
    const h = openHistory({ dataDir: tempDir(), log: recordingLog(), clock });
    try {
      h.insertIntent({ id: 'f', provider: 'fal', model: 'fal-ai/flux/dev', version: null, target: 'model', input: { prompt: 'x' } });
      h.insertIntent({ id: 'r', provider: 'replicate', model: 'o/n', version: null, target: 'model', input: { prompt: 'y' } });
      h.update('f', { status: 'succeeded', providerCreatedAt: clock.now() });
      h.update('r', { status: 'succeeded', providerCreatedAt: clock.now() });
      expect(h.view('f')!.expiresAt).toBe(clock.now() + 7 * DAY);
      expect(h.view('r')!.expiresAt).toBe(clock.now() + HOUR);
    } finally {
      h.close();
    }
  });
});
