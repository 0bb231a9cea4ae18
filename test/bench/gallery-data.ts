import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { OutputRecord, PredictionSnapshot } from '../../electron/backend/history/types.ts';

// The gallery benchmark's history (issue 14, "a gallery that scales"): what a long-used Kiln holds
// since the studio workflows — batch and compare groups (stacks), retry families (retryOf),
// multi-output runs (×N), videos (▶ and duration, with a poster thumbnail as the vault keeps one),
// and pictures of mixed shapes (21:9, 9:16, 1:1 ...) so aspect-true rows differ in height.
// Deterministic: the same N gives the same history on every run.

const WORDS = 'cat dog fox owl lighthouse ramen castle forest neon city portrait ocean desert robot dragon garden winter sunset astronaut cabin'.split(' ');
const IMAGE_MODELS = ['black-forest-labs/flux-schnell', 'black-forest-labs/flux-dev', 'stability-ai/sdxl'];
const COMPARE_MODELS = [...IMAGE_MODELS, 'fal-ai/flux/dev'];
const VIDEO_MODEL = 'google/veo-3';
/** [aspect_ratio input, width, height]: square is the most common, then the wide and tall ones. */
const SHAPES: [string, number, number][] = [
  ['1:1', 384, 384],
  ['1:1', 384, 384],
  ['1:1', 384, 384],
  ['16:9', 384, 216],
  ['9:16', 216, 384],
  ['21:9', 384, 165],
  ['3:2', 384, 256],
  ['2:3', 256, 384],
];
const COLOURS = 4;
const STATUSES = ['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded', 'failed', 'canceled'];

export interface HistoryMix {
  groups: number;
  groupMembers: number;
  retries: number;
  multiOutput: number;
  videos: number;
  byShape: Record<string, number>;
}

/** Writes the shared media (thumbnails of every shape, one real MP4) under `dir/media`. */
export async function writeMedia(dir: string, sampleMp4: string): Promise<void> {
  fs.mkdirSync(path.join(dir, 'media', 'thumbs'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'media', 'videos'), { recursive: true });
  fs.copyFileSync(sampleMp4, path.join(dir, 'media', 'videos', 'v.mp4'));
  for (const [s, [, w, h]] of SHAPES.entries()) {
    for (let c = 0; c < COLOURS; c++) {
      const i = s * COLOURS + c;
      const background = { r: (i * 53) % 255, g: (i * 97) % 255, b: (i * 151) % 255 };
      await sharp({ create: { width: w, height: h, channels: 3, background } })
        .webp()
        .toFile(path.join(dir, 'media', 'thumbs', `t${s}-${c}.webp`));
    }
  }
}

const RAN_MS = 13_000;

/** N snapshots, oldest first (created one second apart, ending now), and what they contain. */
export function makeHistory(n: number, t0: number): { snapshots: PredictionSnapshot[]; mix: HistoryMix } {
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = <T>(a: T[]) => a[Math.floor(rand() * a.length)]!;
  const mix: HistoryMix = { groups: 0, groupMembers: 0, retries: 0, multiOutput: 0, videos: 0, byShape: {} };
  const snapshots: PredictionSnapshot[] = [];
  /** The group being written: members left, its id and kind, and (batch) the shared model. */
  let group: { left: number; id: string; kind: 'batch' | 'compare'; model: string; shape: number } | null = null;
  const recentAlone: string[] = [];
  const familyOf = new Map<string, string>();

  for (let i = 0; i < n; i++) {
    const id = `bench-${i}`;
    const createdAt = t0 + i * 1000;
    if (!group && rand() < 1 / 45) {
      const kind = rand() < 0.6 ? 'batch' : 'compare';
      group = {
        left: kind === 'batch' ? 4 + Math.floor(rand() * 9) : 2 + Math.floor(rand() * 3),
        id: `grp-${i}`,
        kind,
        model: pick(IMAGE_MODELS),
        shape: Math.floor(rand() * SHAPES.length),
      };
      mix.groups++;
    }
    let retryOf: string | null = null;
    if (!group && recentAlone.length > 3 && rand() < 0.05) {
      const original = recentAlone[Math.floor(rand() * recentAlone.length)]!;
      retryOf = familyOf.get(original) ?? original;
      mix.retries++;
    }
    const video = !group && rand() < 0.1;
    const model = group
      ? group.kind === 'batch'
        ? group.model
        : COMPARE_MODELS[(group.left - 1) % COMPARE_MODELS.length]!
      : video
        ? VIDEO_MODEL
        : pick(IMAGE_MODELS);
    const shape = group ? group.shape : Math.floor(rand() * SHAPES.length);
    const [aspect, width, height] = SHAPES[shape]!;
    const status = pick(STATUSES);
    const prompt = Array.from({ length: 8 }, () => pick(WORDS)).join(' ') + ` #${i}`;
    const count = status !== 'succeeded' ? 0 : video ? 1 : rand() < 0.15 ? 2 + Math.floor(rand() * 3) : 1;
    const thumb = `thumbs/t${shape}-${i % COLOURS}.webp`;
    const outputs: OutputRecord[] = Array.from({ length: count }, (_, index) => ({
      predictionId: id,
      index,
      kind: video ? 'video' : 'image',
      state: 'saved',
      remoteUrl: null,
      path: video ? 'videos/v.mp4' : thumb,
      thumbPath: thumb,
      mime: video ? 'video/mp4' : 'image/webp',
      size: 1000,
      width,
      height,
      sha256: null,
      error: null,
    }));
    if (count > 1) mix.multiOutput++;
    if (video && count) mix.videos++;
    mix.byShape[aspect] = (mix.byShape[aspect] ?? 0) + 1;
    snapshots.push({
      record: {
        id,
        provider: model.startsWith('fal-ai/') ? 'fal' : 'replicate',
        providerId: `prov${i}`,
        model,
        version: null,
        target: 'model',
        input: { prompt, seed: i, aspect_ratio: aspect },
        inputSchema: null,
        status,
        saveState: status === 'succeeded' ? 'saved' : 'none',
        createdAt,
        providerCreatedAt: createdAt,
        // Past runs of 12 s, like the bench's live flux-dev batch: the engine then follows the live
        // runs (their progress streams to the page while it scrolls) rather than holding their
        // creates for a model its history would call fast (engine/hold.ts).
        startedAt: createdAt + 1000,
        completedAt: createdAt + RAN_MS,
        statusSince: createdAt + RAN_MS,
        timeline: [
          { status: 'queued', at: createdAt },
          { status, at: createdAt + RAN_MS },
        ],
        logs: '',
        progress: null,
        text: null,
        output: null,
        error: status === 'failed' ? { code: 'E6716', message: 'CUDA out of memory' } : null,
        metrics: { predictTime: 1.2, totalTime: 4.8 },
        urls: {},
        cancelAfter: null,
        retryOf,
        favourite: i % 97 === 0,
        note: null,
        submitAttempts: 1,
        cancelRequested: false,
        dataRemoved: false,
        groupId: group?.id ?? null,
        groupKind: group?.kind ?? null,
      },
      outputs,
    });
    if (group) {
      mix.groupMembers++;
      if (--group.left === 0) group = null;
    } else {
      if (retryOf) familyOf.set(id, retryOf);
      recentAlone.push(id);
      if (recentAlone.length > 30) recentAlone.shift();
    }
  }
  return { snapshots, mix };
}
