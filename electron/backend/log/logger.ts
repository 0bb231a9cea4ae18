import fs from 'node:fs';
import path from 'node:path';
import type { LogFields, Logger } from '../types.ts';
import { redact, redactString } from './redact.ts';
import { privateDirSync } from '../data-dir.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface FileLoggerOptions {
  /** Directory for `kiln-YYYY-MM-DD.jsonl`; null logs to stderr only. */
  dir: string | null;
  /** Lowest level written to the file. */
  level?: LogLevel;
  /** Lowest level echoed to stderr (warn+ by default, so the terminal stays quiet). */
  stderrLevel?: LogLevel;
  /** Secrets known right now (e.g. the stored key); redacted wherever they appear. */
  knownSecrets?: () => readonly string[];
  now?: () => number;
  stderr?: (line: string) => void;
}

// JSON lines, appended synchronously: log volume is small (state changes, errors), and a sync append
// means the line is on disk even if the process dies right after — the very case logs are for.
export function createFileLogger(opts: FileLoggerOptions): Logger {
  const minFile = RANK[opts.level ?? 'info'];
  const minErr = RANK[opts.stderrLevel ?? 'warn'];
  const now = opts.now ?? Date.now;
  const stderr = opts.stderr ?? ((line: string) => process.stderr.write(line + '\n'));
  let dirReady = false;

  function write(level: LogLevel, msg: string, fields?: LogFields) {
    const rank = RANK[level];
    if (rank < minFile && rank < minErr) return;
    const known = opts.knownSecrets?.() ?? [];
    const t = now();
    const entry = { t: new Date(t).toISOString(), level, msg: redactString(msg, known), ...(fields ? (redact(fields, known) as object) : {}) };
    let line: string;
    try {
      line = JSON.stringify(entry);
    } catch {
      line = JSON.stringify({ t: entry.t, level, msg: entry.msg, note: 'unserialisable fields' });
    }
    if (rank >= minFile && opts.dir) {
      try {
        if (!dirReady) {
          privateDirSync(opts.dir); // 0700, like the rest of the data folder
          dirReady = true;
        }
        fs.appendFileSync(path.join(opts.dir, `kiln-${entry.t.slice(0, 10)}.jsonl`), line + '\n', { mode: 0o600 });
      } catch {
        // A full disk must not take the app down with it; stderr still gets warnings.
      }
    }
    if (rank >= minErr) stderr(`[kiln] ${level}: ${line}`);
  }

  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}

/** A logger that drops everything (unit tests that do not care). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
