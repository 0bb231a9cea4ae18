import { describe, it, expect } from 'vitest';
import {
  statusBadge,
  pendingCaption,
  cardLabel,
  canCancel,
  fileActionsFor,
  previewPath,
  replicatePageUrl,
  tooLargeToPreview,
  countedOutputs,
  firstShownOutput,
} from '../../renderer/src/features/gallery/status.ts';
import type { OutputKind, OutputView } from '../../shared/domain/prediction.ts';
import type { PredictionView } from '../../shared/domain/prediction.ts';
import { predictionView } from './view-fixture.ts';

const base = predictionView({ prompt: 'a red fox in snow', status: 'starting', saveState: 'none' });
const p = (o: Partial<PredictionView>) => ({ ...base, ...o });

describe('card status wording', () => {
  it('shows a ticking cold-boot counter for a long start, never an error', () => {
    expect(statusBadge(p({}), 2_000).text).toBe('Starting');
    const b = statusBadge(p({}), 134_000);
    expect(b).toMatchObject({ text: 'Cold boot — starting 2:14', tone: 'active', ticking: true });
  });

  it('covers the local and save states', () => {
    expect(statusBadge(p({ status: 'queued' }), 0, false).text).toBe('Queued — offline');
    expect(statusBadge(p({ status: 'processing', progress: { percent: 42.4, current: 4, total: 10 } }), 0).text).toBe('Processing 42%');
    expect(statusBadge(p({ status: 'succeeded', saveState: 'saving' }), 0).text).toBe('Saving');
    expect(statusBadge(p({ status: 'succeeded', saveState: 'saved' }), 0).tone).toBe('good');
    expect(statusBadge(p({ status: 'succeeded', saveState: 'expired' }), 0).text).toBe('Expired');
    expect(statusBadge(p({ status: 'succeeded', expiresAt: 42 * 60_000 }), 0).text).toBe('Succeeded — expires in 42 min');
    // fal keeps media for days (records/retention.ts): hours, then days, never "10080 min".
    expect(statusBadge(p({ status: 'succeeded', expiresAt: 7 * 24 * 3600_000 }), 0).text).toBe('Succeeded — expires in 7 days');
    expect(statusBadge(p({ status: 'succeeded', expiresAt: 5 * 3600_000 }), 0).text).toBe('Succeeded — expires in 5 h');
    expect(statusBadge(p({ status: 'failed' }), 0).tone).toBe('bad');
  });

  it('shows an unknown status as-is and keeps it cancellable', () => {
    const q = p({ status: 'warming_up' });
    expect(statusBadge(q, 0).text).toBe('warming_up');
    expect(canCancel(q)).toBe(true);
    expect(canCancel(p({ status: 'aborted' }))).toBe(false);
  });

  it('says "File missing" (not "Saved") when a saved file was deleted outside the app', () => {
    const out = { index: 0, kind: 'image' as const, mime: 'image/webp', size: 1, width: 1, height: 1, path: 'x.webp', thumbPath: null, remoteUrl: null };
    const gone = p({ status: 'succeeded', saveState: 'saved', outputs: [{ ...out, state: 'missing' }] });
    expect(statusBadge(gone, 0)).toMatchObject({ text: 'File missing', tone: 'bad' });
    expect(cardLabel(gone)).toBe('a red fox in snow — succeeded, file missing');
    const back = p({ status: 'succeeded', saveState: 'saved', outputs: [{ ...out, state: 'saved' }] });
    expect(statusBadge(back, 0).text).toBe('Saved');
  });

  it('shows a picture by its thumbnail, else whole unless it is too large to decode (a bomb the vault refused)', () => {
    const pic = { kind: 'image' as const, path: 'a.gif', thumbPath: null, width: 6000, height: 6000 };
    expect(tooLargeToPreview(pic)).toBe(true);
    expect(previewPath(pic)).toBeNull();
    expect(previewPath({ ...pic, thumbPath: 't.webp' })).toBe('t.webp');
    expect(previewPath({ ...pic, width: 1024, height: 1024 })).toBe('a.gif');
    // Size unknown (the thumbnail failed on a broken header): the file, as before.
    expect(previewPath({ ...pic, width: null, height: null })).toBe('a.gif');
    expect(tooLargeToPreview({ ...pic, kind: 'video' })).toBe(false);
  });

  it('names a card by prompt (or model) and status', () => {
    expect(cardLabel(p({ status: 'succeeded', saveState: 'saved' }))).toBe('a red fox in snow — succeeded, saved');
    expect(cardLabel(p({ prompt: null }))).toBe('o/m — starting');
  });

  it('says what an in-flight card is waiting for where its image will be', () => {
    expect(pendingCaption(p({ status: 'queued' }), 0, false)?.title).toBe('Waiting for the network');
    expect(pendingCaption(p({ status: 'queued' }), 0, true)?.title).toBe('Queued');
    expect(pendingCaption(p({ status: 'submitting' }), 0)?.title).toBe('Sending…');
    expect(pendingCaption(p({}), 3_000)?.title).toBe('Starting…');
    expect(pendingCaption(p({ statusSince: 1_000 }), 135_000)).toMatchObject({ title: 'Cold boot — 2:14', detail: 'The model is warming up' });
    expect(pendingCaption(p({ status: 'processing', progress: { percent: 42.4, current: 4, total: 10 } }), 0)).toMatchObject({ title: '42%', percent: 42.4 });
    expect(pendingCaption(p({ status: 'processing', statusSince: 0 }), 12_000)).toMatchObject({ title: 'Processing', detail: '0:12' });
    expect(pendingCaption(p({ status: 'succeeded', saveState: 'saving' }), 0)?.title).toBe('Saving…');
    expect(pendingCaption(p({ status: 'succeeded', saveState: 'saved' }), 0)).toBeNull();
    expect(pendingCaption(p({ status: 'failed' }), 0)).toBeNull();
    // The caption is decorative: the card's accessible name stays the stable prompt + status.
    expect(cardLabel(p({ statusSince: 1_000 }))).toBe('a red fox in snow — starting');
  });
});

describe("a card's file actions", () => {
  const pic = { index: 0, kind: 'image' as const, state: 'saved' as const, mime: 'image/gif', size: 1, path: 'a.gif', thumbPath: null, remoteUrl: null };
  const labels = (q: PredictionView) => fileActionsFor(q, q.outputs[0] ?? null);
  const done = (o: Partial<PredictionView>, width = 1024, height = 1024) =>
    p({ status: 'succeeded', saveState: 'saved', providerId: 'abc123', outputs: [{ ...pic, width, height }], ...o });

  it('links a Replicate run to its page on replicate.com only, never a fal run or a server-chosen host', () => {
    expect(replicatePageUrl(done({ webUrl: 'https://replicate.com/p/abc123' }))).toBe('https://replicate.com/p/abc123');
    expect(replicatePageUrl(done({ webUrl: 'https://replicate.com.evil.example/p/abc123' }))).toBe('https://replicate.com/p/abc123');
    expect(replicatePageUrl(done({ webUrl: 'http://replicate.com/p/abc123' }))).toBe('https://replicate.com/p/abc123');
    expect(replicatePageUrl(done({ webUrl: 'not a url', providerId: 'a/../b' }))).toBe('https://replicate.com/p/a%2F..%2Fb');
    expect(labels(done({}))).toContain('open-replicate');
    expect(labels(done({ provider: 'fal', model: 'fal-ai/flux/dev' }))).not.toContain('open-replicate');
  });

  it('offers Copy image except for a picture too large to decode', () => {
    expect(labels(done({}))).toContain('copy-image');
    expect(labels(done({}, 6000, 6000))).not.toContain('copy-image');
    expect(labels(done({}, 6000, 6000))).toEqual(['open-default', 'save-as', 'reveal', 'open-replicate']);
  });
});

describe('which outputs count, and which the detail opens on', () => {
  const outs = (...kinds: OutputKind[]): OutputView[] =>
    kinds.map((kind, index) => ({
      index,
      kind,
      state: 'saved',
      mime: null,
      size: null,
      width: null,
      height: null,
      path: `o${index}`,
      thumbPath: null,
      remoteUrl: null,
    }));
  const table: { name: string; kinds: OutputKind[]; counted: number; first: number }[] = [
    { name: "fal's answer object beside one picture", kinds: ['json', 'image'], counted: 1, first: 1 },
    { name: 'four pictures and the answer object', kinds: ['json', 'image', 'image', 'image', 'image'], counted: 4, first: 1 },
    { name: 'a transcript and its segments', kinds: ['text', 'json'], counted: 1, first: 0 },
    { name: 'data only (an embedding)', kinds: ['json'], counted: 1, first: 0 },
    { name: 'records, each with its file', kinds: ['json', 'image', 'json', 'image'], counted: 2, first: 1 },
    { name: 'nothing yet', kinds: [], counted: 0, first: 0 },
  ];
  it.each(table)('$name: $counted counted, opens on #$first', ({ kinds, counted, first }) => {
    expect(countedOutputs({ outputs: outs(...kinds) })).toBe(counted);
    expect(firstShownOutput({ outputs: outs(...kinds) })).toBe(first);
  });
});
