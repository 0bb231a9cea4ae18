import { isTerminal } from '../../../shared/domain/status.ts';
import type { PredictionRecord } from '../history/types.ts';
import type { Clock, PlatformAdapter, SettingsAdapter } from '../types.ts';
import type { Emit } from './publisher.ts';

/** Shorter than this and the user is still looking at the card: no notification. */
export const NOTIFY_AFTER_MS = 5_000;

// "Your prediction finished" for the ones worth interrupting someone for: it ran for a while and
// it finished during this session. In Electron the main process shows a native notification when
// the window is not focused; in browser mode the page decides (it alone knows its focus).
export function createNotifier(opts: { settings: SettingsAdapter; platform?: PlatformAdapter; emit: Emit; clock: Clock; minDurationMs?: number }) {
  const since = opts.clock.now();
  const min = opts.minDurationMs ?? NOTIFY_AFTER_MS;
  const notified = new Set<string>();

  return function onRecord(rec: PredictionRecord): void {
    if (!isTerminal(rec.status) || notified.has(rec.id)) return;
    const done = rec.completedAt ?? opts.clock.now();
    // A user's own cancel needs no announcement; one that finished before this session started was not awaited.
    if (rec.cancelRequested || done < since || done - rec.createdAt < min) return;
    notified.add(rec.id);
    if (notified.size > 5_000) notified.delete(notified.values().next().value!);
    if (!opts.settings.get().notifications) return;

    const subject = typeof rec.input.prompt === 'string' && rec.input.prompt.trim() ? rec.input.prompt.trim().slice(0, 80) : rec.model;
    const title = { succeeded: 'Prediction finished', failed: 'Prediction failed', canceled: 'Prediction canceled', aborted: 'Prediction never started' }[
      rec.status
    ];
    if (opts.platform) {
      if (!opts.platform.isFocused()) opts.platform.notify(title, subject, rec.id);
    } else {
      opts.emit('notify', { title, body: subject, predictionId: rec.id });
    }
  };
}
