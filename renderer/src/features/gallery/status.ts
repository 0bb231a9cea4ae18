import type { OutputView, PredictionView } from '../../../../shared/domain/prediction.ts';
import { LIMITS } from '../../../../shared/limits.ts';
import { isTerminal } from '../../../../shared/domain/status.ts';
import { formatElapsed } from '../../components/format.ts';

// What a card says about its prediction. Pure, so the wording of every state is unit-tested.

export type Tone = 'neutral' | 'active' | 'good' | 'bad' | 'warn';

/** Past this, `starting` reads as a cold boot rather than a normal queue blip. */
export const COLD_BOOT_AFTER_MS = 8_000;

/** Time left before the provider deletes the outputs: Replicate's hour in minutes, fal's days in hours or days. */
export function expiresIn(leftMs: number): string {
  const min = Math.max(1, Math.ceil(leftMs / 60_000));
  if (min <= 90) return `${min} min`;
  const hours = Math.ceil(min / 60);
  return hours <= 48 ? `${hours} h` : `${Math.ceil(hours / 24)} days`;
}

export function statusBadge(p: PredictionView, now: number, online = true): { text: string; tone: Tone; ticking: boolean } {
  const since = now - p.statusSince;
  switch (p.status) {
    case 'queued':
      return { text: online ? 'Queued' : 'Queued — offline', tone: 'neutral', ticking: false };
    case 'submitting':
      return { text: 'Submitting', tone: 'active', ticking: false };
    case 'starting':
      return since >= COLD_BOOT_AFTER_MS
        ? { text: `Cold boot — starting ${formatElapsed(since)}`, tone: 'active', ticking: true }
        : { text: 'Starting', tone: 'active', ticking: true };
    case 'processing':
      return {
        text: p.progress ? `Processing ${Math.round(p.progress.percent)}%` : `Processing ${formatElapsed(since)}`,
        tone: 'active',
        ticking: !p.progress,
      };
    case 'succeeded':
      // The vault noticed a saved file was deleted outside Kiln: "Saved" over a broken image would lie.
      if (hasMissingFile(p) && p.saveState !== 'saving') return { text: 'File missing', tone: 'bad', ticking: false };
      switch (p.saveState) {
        case 'saving':
          return { text: 'Saving', tone: 'active', ticking: false };
        case 'saved':
          return { text: 'Saved', tone: 'good', ticking: false };
        case 'save-failed':
          return { text: 'Save failed', tone: 'bad', ticking: false };
        case 'expired':
          return { text: 'Expired', tone: 'warn', ticking: false };
        default:
          if (p.expiresAt != null) {
            const left = p.expiresAt - now;
            return left > 0
              ? { text: `Succeeded — expires in ${expiresIn(left)}`, tone: 'warn', ticking: true }
              : { text: 'Expired', tone: 'warn', ticking: false };
          }
          return { text: 'Succeeded', tone: 'good', ticking: false };
      }
    case 'failed':
      return { text: 'Failed', tone: 'bad', ticking: false };
    case 'canceled':
      return { text: 'Canceled', tone: 'neutral', ticking: false };
    case 'aborted':
      return { text: 'Aborted — did not start in time', tone: 'neutral', ticking: false };
    default:
      // A status we have never seen: show it as-is and keep treating it as in flight.
      return { text: p.status, tone: 'active', ticking: false };
  }
}

/**
 * What an in-flight card's empty media area says while there is nothing to show yet. Decorative
 * (the card's name and badge already carry the status), so it may tick and be a little warmer.
 */
export function pendingCaption(p: PredictionView, now: number, online = true): { title: string; detail: string | null; percent: number | null } | null {
  const since = now - p.statusSince;
  switch (p.status) {
    case 'queued':
      return online
        ? { title: 'Queued', detail: 'Goes out in a moment', percent: null }
        : { title: 'Waiting for the network', detail: 'Sends by itself when you are back online', percent: null };
    case 'submitting':
      return { title: 'Sending…', detail: null, percent: null };
    case 'starting':
      return since >= COLD_BOOT_AFTER_MS
        ? { title: `Cold boot — ${formatElapsed(since)}`, detail: 'The model is warming up', percent: null }
        : { title: 'Starting…', detail: null, percent: null };
    case 'processing':
      return p.progress
        ? { title: `${Math.round(p.progress.percent)}%`, detail: 'Processing', percent: p.progress.percent }
        : { title: 'Processing', detail: formatElapsed(since), percent: null };
    case 'succeeded':
      return p.saveState === 'saving' ? { title: 'Saving…', detail: 'Copying the output to your library', percent: null } : null;
    default:
      return isTerminal(p.status) ? null : { title: p.status, detail: null, percent: null };
  }
}

/** The stable words of a card's accessible name (no ticking numbers: screen readers hate those). */
export function cardLabel(p: PredictionView): string {
  const what = p.prompt?.trim() ? p.prompt.replace(/\s+/g, ' ').trim().slice(0, 140) : p.model;
  const save = p.status === 'succeeded' && hasMissingFile(p) && p.saveState !== 'saving' ? ', file missing' : p.saveState !== 'none' ? `, ${p.saveState}` : '';
  return `${what} — ${p.status}${save}`;
}

export function canCancel(p: PredictionView): boolean {
  return !isTerminal(p.status);
}

export function runTimeMs(p: PredictionView): number | null {
  if (p.metrics?.predictTime != null) return p.metrics.predictTime * 1000;
  if (p.startedAt != null && p.completedAt != null) return p.completedAt - p.startedAt;
  return null;
}

/**
 * How many outputs a person counts, and which one the detail opens on: the files and the text. An
 * answer object's JSON is kept as an output too (fal's `{images, seed, timings}` beside its
 * pictures; the vault files it first), but it is the run's output only when nothing else is.
 */
export function countedOutputs(p: Pick<PredictionView, 'outputs'>): number {
  return p.outputs.filter((o) => o.kind !== 'json').length || p.outputs.length;
}

export function firstShownOutput(p: Pick<PredictionView, 'outputs'>): number {
  return Math.max(
    0,
    p.outputs.findIndex((o) => o.kind !== 'json'),
  );
}

export function primaryOutput(p: PredictionView) {
  return p.outputs.find((o) => o.kind === 'image' || o.kind === 'video') ?? p.outputs[0] ?? null;
}

/**
 * A saved picture without a thumbnail that is too large to decode whole in a card (LIMITS.previewPixels):
 * the vault refused it a thumbnail for the memory its decode would take, and the page would pay the same.
 */
export function tooLargeToPreview(o: Pick<OutputView, 'kind' | 'thumbPath' | 'width' | 'height'>): boolean {
  return o.kind === 'image' && !o.thumbPath && o.width !== null && o.height !== null && o.width * o.height > LIMITS.previewPixels;
}

/** The file a small picture of this output shows: its thumbnail, else the saved file unless it is too large to decode; null for none. */
export function previewPath(o: Pick<OutputView, 'kind' | 'path' | 'thumbPath' | 'width' | 'height'>): string | null {
  if (o.thumbPath) return o.thumbPath;
  return o.path && !tooLargeToPreview(o) ? o.path : null;
}

/** A saved output whose file is gone from the vault (deleted outside the app); a re-download can bring it back. */
export function hasMissingFile(p: PredictionView): boolean {
  return p.outputs.some((o) => o.state === 'missing');
}

/** Re-download is the manual retry for a missing file and for a save Kiln gave up on (the note says why). */
export function canRedownload(p: PredictionView): boolean {
  return hasMissingFile(p) || (p.status === 'succeeded' && p.saveState === 'save-failed');
}

/**
 * The run's page on replicate.com: the server's `urls.web` when it is one (a server's answer is
 * untrusted, and the menu item promises replicate.com), else built from the prediction id. Only
 * Replicate runs have one: a fal request id is no Replicate prediction.
 */
export function replicatePageUrl(p: Pick<PredictionView, 'provider' | 'webUrl' | 'providerId'>): string | null {
  if (p.provider !== 'replicate') return null;
  try {
    const u = p.webUrl ? new URL(p.webUrl) : null;
    if (u && u.protocol === 'https:' && !u.username && !u.password && (u.hostname === 'replicate.com' || u.hostname.endsWith('.replicate.com'))) return u.href;
  } catch {
    /* not a URL: built from the id below */
  }
  return p.providerId ? `https://replicate.com/p/${encodeURIComponent(p.providerId)}` : null;
}

export type FileAction = 'copy-image' | 'open-default' | 'save-as' | 'reveal' | 'open-replicate';

/** Which file actions one output offers (gallery/actions.ts `fileActions` gives them labels and effects). */
export function fileActionsFor(p: PredictionView, out: OutputView | null): FileAction[] {
  const saved = out?.path && out.state !== 'missing' ? out : null;
  const media = saved && (saved.kind === 'image' || saved.kind === 'video') ? saved : null;
  const list: FileAction[] = [];
  // Copying decodes the whole picture (in the app's main process): not for one too large to preview.
  if (media?.kind === 'image' && !tooLargeToPreview(media)) list.push('copy-image');
  if (media) list.push('open-default');
  if (saved) list.push('save-as', 'reveal');
  if (replicatePageUrl(p)) list.push('open-replicate');
  return list;
}
