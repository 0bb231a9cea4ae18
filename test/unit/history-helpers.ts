import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Clock, Logger } from '../../electron/backend/types.ts';

// Shared by the history/vault tests: a temp data dir, a manual clock, a logger that records.
const made: string[] = [];
export function tempDir(prefix = 'kiln-hist-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Every test file using tempDir calls this in afterAll: tests leave nothing behind in /tmp. */
export function removeTempDirs(): void {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

export function manualClock(start = 1_700_000_000_000): Clock & { advance(ms: number): void; set(ms: number): void } {
  let now = start;
  const timers = new Set<{ at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const t = { at: now + ms, fn };
      timers.add(t);
      return t;
    },
    clearTimeout(h) {
      timers.delete(h as { at: number; fn: () => void });
    },
    advance(ms) {
      now += ms;
      for (const t of [...timers].sort((a, b) => a.at - b.at)) {
        if (t.at <= now) {
          timers.delete(t);
          t.fn();
        }
      }
    },
    set(ms) {
      now = ms;
    },
  };
}

export function recordingLog(): Logger & { lines: { level: string; msg: string; fields?: Record<string, unknown> }[] } {
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) => void lines.push({ level, msg, fields });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
