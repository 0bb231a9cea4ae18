import type { MetadataTags } from 'mediabunny';

// Which files get Kiln's MP4 tags and what the tags say. Pure, and apart from mp4-meta.ts, so the
// process that saves outputs never loads mediabunny: the remux itself runs in a child process
// (mp4-tag-child.ts).

export const MP4_EXTS = new Set(['.mp4', '.m4v', '.mov']);

/** The tags written for one output; `entries` is finalize.ts's metadata (the PNG text keys). */
export function mp4Tags(entries: Record<string, string>, createdAt: number | string): MetadataTags {
  let prompt = '';
  try {
    const input = JSON.parse(entries.input ?? '{}') as Record<string, unknown>;
    if (typeof input.prompt === 'string') prompt = input.prompt;
  } catch {
    // input is JSON written by finalize.ts; an unparsable one only loses the title.
  }
  const date = new Date(createdAt);
  return {
    title: prompt || undefined,
    description: `${entries.provider ?? ''}:${entries.model ?? ''}`,
    // ©day keeps the day only, so the exact creation time rides in the comment JSON.
    comment: JSON.stringify({ ...entries, created: Number.isNaN(date.getTime()) ? '' : date.toISOString() }),
    date: Number.isNaN(date.getTime()) ? undefined : date,
    raw: { '©too': 'Kiln' },
  };
}
