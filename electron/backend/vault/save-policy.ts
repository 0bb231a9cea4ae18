import type { OutputKind } from '../../../shared/domain/prediction.ts';
import { LIMITS, formatBytes, type DownloadKind } from '../../../shared/limits.ts';
import type { OutputRecord } from '../records/types.ts';
import { DISK_FULL_MESSAGE } from './download.ts';

// When the vault stops trying to save an output, how big a download may be, and what the card says
// about it. Pure, so the rules are table-tested without a network.

/** `failure` of an output the vault will not retry on its own (the user's Re-download does). */
export const GIVE_UP = 'gave-up';

/** Save passes (each with its own quick retries) for a transient failure before giving up. */
export const MAX_SAVE_PASSES = 6;

const KIND_NAMES: Record<DownloadKind, string> = { image: 'images', text: 'text', audio: 'audio', video: 'videos', other: 'other files' };

export function downloadKind(kind: OutputKind): DownloadKind {
  if (kind === 'image' || kind === 'video' || kind === 'audio' || kind === 'text') return kind;
  return kind === 'json' ? 'text' : 'other';
}

/** The cap for one output, from the settings when they give one, else LIMITS.download. */
export function downloadCap(kind: OutputKind, limits: Partial<Record<DownloadKind, number>> | undefined): { bytes: number; name: string } {
  const k = downloadKind(kind);
  const bytes = limits?.[k] ?? LIMITS.download[k];
  return { bytes, name: `the ${formatBytes(bytes)} limit for ${KIND_NAMES[k]}` };
}

/**
 * The card's note after a save pass: null clears it, undefined leaves it. A given-up output says
 * what went wrong and what to do (Re-download); a full disk says so and that Kiln retries.
 */
export function saveNote(outputs: Pick<OutputRecord, 'state' | 'failure' | 'error'>[]): string | null | undefined {
  const failed = outputs.filter((o) => o.state === 'failed');
  if (failed.length === 0) return outputs.length > 0 && outputs.every((o) => o.state === 'saved') ? null : undefined;
  const gaveUp = failed.find((o) => o.failure === GIVE_UP);
  if (gaveUp) return `Not saved: ${gaveUp.error ?? 'the download failed'}. Re-download to try again.`;
  if (failed.some((o) => o.failure === 'disk-full')) return DISK_FULL_MESSAGE;
  return `Saving failed: ${failed[0]!.error ?? 'the download failed'} — Kiln will retry`;
}
