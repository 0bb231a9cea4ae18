import type { Progress } from './domain/prediction.ts';

// Progress from a prediction's logs (ARCHITECTURE.md, "The engine"): the LAST tqdm line `NN%|...| a/b` wins. tqdm redraws
// with carriage returns, and Replicate may or may not normalise them, so lines are split on both
// `\r` and `\n`. Multi-stage models restart at 0%; taking the last line follows them honestly.
const TQDM = /^\s*(\d{1,3})%\s*\|.*?\|\s*(\d+)\/(\d+)/;

export function parseProgress(logs: string | null | undefined): Progress | null {
  if (!logs) return null;
  const lines = logs.split(/[\r\n]+/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = TQDM.exec(lines[i]!);
    if (!m) continue;
    const percent = Math.min(100, Number(m[1]));
    return { percent, current: Number(m[2]), total: Number(m[3]) };
  }
  return null;
}

/** The last `maxLines` non-empty lines (after tqdm carriage returns are resolved), for the card's log tail. */
export function logsTail(logs: string | null | undefined, maxLines = 20): string {
  if (!logs) return '';
  const lines = logs.split('\n').map((l) => {
    const parts = l.split('\r').filter((p) => p.length > 0);
    return parts.length ? parts[parts.length - 1]! : '';
  });
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines.slice(-maxLines).join('\n');
}
