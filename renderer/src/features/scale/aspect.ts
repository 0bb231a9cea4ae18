import type { PredictionView } from '../../../../shared/domain/prediction.ts';

// The shape a card's picture is shown in (issue 14, "a gallery that scales"): the output's real
// size when the vault has measured it, else the size the input asked for (so a card does not
// jump when its image arrives), else square. Bounded, so one panorama or one tall strip cannot
// make a row a sliver or a tower.

/** Widest and tallest shapes a card takes: 21:9 and 9:16 (anything beyond is letterboxed). */
export const MIN_ASPECT = 9 / 16;
export const MAX_ASPECT = 21 / 9;

const clamp = (a: number) => Math.min(MAX_ASPECT, Math.max(MIN_ASPECT, a));
const ratio = (w: unknown, h: unknown) => (typeof w === 'number' && typeof h === 'number' && w > 0 && h > 0 ? w / h : null);

/** "16:9", "9:16", "1:1" (Replicate's aspect_ratio inputs), or null. */
function parseRatio(v: unknown): number | null {
  const m = typeof v === 'string' ? /^(\d{1,3}(?:\.\d+)?):(\d{1,3}(?:\.\d+)?)$/.exec(v.trim()) : null;
  return m ? ratio(Number(m[1]), Number(m[2])) : null;
}

/**
 * Width / height of the card's picture. Computed once per changed view by the predictions store
 * (its `shapes`), which the grid's row heights read: see `reshape` in stores/predictions.ts.
 */
export function cardAspect(p: PredictionView): number {
  const out = p.outputs.find((o) => o.kind === 'image' || o.kind === 'video');
  return clamp(ratio(out?.width, out?.height) ?? parseRatio(p.input.aspect_ratio) ?? ratio(p.input.width, p.input.height) ?? 1);
}

/**
 * The tallest a row's pictures get: 3:4. A 9:16 picture shows whole inside it (narrower, still
 * clearly tall), and one tall picture does not make every other card in its row a letterbox.
 */
export const MIN_ROW_ASPECT = 3 / 4;

/**
 * Each row's picture height for cards `cardW` wide: the tallest shape in the row, so every picture
 * in it fits whole (the others are letterboxed), within [cardW / MAX_ASPECT, cardW / MIN_ROW_ASPECT].
 * `shapes` holds each run's cardAspect (a slot without one, e.g. a stack, does not set the height).
 */
export function rowMediaHeights(ids: string[], shapes: Readonly<Record<string, number | undefined>>, cols: number, cardW: number): number[] {
  const rows = Math.ceil(ids.length / cols);
  const out = new Array<number>(rows);
  for (let r = 0; r < rows; r++) {
    let minAspect = MAX_ASPECT;
    for (let i = r * cols; i < Math.min(ids.length, r * cols + cols); i++) {
      const a = shapes[ids[i]!];
      if (a !== undefined && a < minAspect) minAspect = a;
    }
    out[r] = Math.round(cardW / Math.max(MIN_ROW_ASPECT, minAspect));
  }
  return out;
}
