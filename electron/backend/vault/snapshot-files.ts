import type { PredictionSnapshot } from '../records/types.ts';

/** Every vault file a prediction owns: outputs, their sidecars and thumbnails (what delete, undo and export move). */
export function snapshotFiles(s: PredictionSnapshot): string[] {
  const out: string[] = [];
  for (const o of s.outputs) {
    if (o.path) out.push(o.path, `${o.path}.json`);
    if (o.thumbPath) out.push(o.thumbPath);
  }
  return out;
}
