import type { PredictionRecord } from '../backend/history/types.ts';

// Progress on stderr: a redrawn bar on a terminal, one line per change otherwise (logs, CI).
export function createProgressReporter(stream: NodeJS.WriteStream): (rec: PredictionRecord | null) => void {
  const tty = stream.isTTY === true;
  let last = '';
  return (rec) => {
    if (!rec) {
      if (tty && last) stream.write('\n');
      return;
    }
    const elapsed = Math.max(0, Math.round((Date.now() - rec.statusSince) / 1000));
    const pct = rec.progress ? rec.progress.percent : null;
    if (tty) {
      const width = 24;
      const fill = pct === null ? 0 : Math.round((pct / 100) * width);
      const bar = pct === null ? '' : `[${'#'.repeat(fill)}${' '.repeat(width - fill)}] ${String(pct).padStart(3)}% `;
      const line = `${bar}${rec.status} ${Math.floor(elapsed / 60)}:${String(elapsed % 60).padStart(2, '0')}${rec.note ? ` — ${rec.note}` : ''}`;
      if (line !== last) stream.write(`\r\x1b[2K${line}`);
      last = line;
    } else {
      const line = `kiln: ${rec.status}${pct !== null ? ` ${pct}%` : ''}${rec.note ? ` — ${rec.note}` : ''}`;
      if (line !== last) stream.write(line + '\n');
      last = line;
    }
  };
}
