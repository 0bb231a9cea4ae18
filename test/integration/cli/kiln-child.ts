import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

// Runs `kiln` as a user does: a child process, its own event loop, real exit codes and streams.
// KILN_CLI overrides what runs (e.g. the installed copy from a packed tarball).

export const ROOT = path.resolve(import.meta.dirname, '../../..');
/** What runs as `kiln`: the source, or KILN_TEST_CLI (another checkout's main.ts, an installed bin). */
export const CLI_MAIN = process.env.KILN_TEST_CLI ?? path.join(ROOT, 'electron/cli/main.ts');

export interface KilnRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface KilnOptions {
  env: Record<string, string | undefined>;
  onStderr?: (all: string, child: ChildProcess) => void;
  onStdout?: (all: string, child: ChildProcess) => void;
  timeoutMs?: number;
  node?: string;
}

export function kilnChild(args: string[], o: KilnOptions): Promise<KilnRun> {
  return new Promise((resolve, reject) => {
    const [cmd, pre] = /\.(ts|mjs|js)$/.test(CLI_MAIN) ? [o.node ?? process.execPath, [CLI_MAIN]] : [CLI_MAIN, []];
    const child = spawn(cmd, [...pre, ...args], { env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      o.onStdout?.(stdout, child);
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      o.onStderr?.(stderr, child);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kiln ${args.join(' ')} timed out; stderr: ${stderr}`));
    }, o.timeoutMs ?? 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Node's message when a process ends with only unref'd timers left under a top-level await. */
export const UNSETTLED = /unsettled top-level await/i;

/**
 * An onStderr that sends `signal` once, the first time stderr holds `text` — as a user presses
 * Ctrl-C once. Sending it on every later chunk would be a second Ctrl-C, racing the process's exit.
 */
export function onceOn(text: string, signal: NodeJS.Signals) {
  let sent = false;
  return (s: string, c: ChildProcess) => {
    if (!sent && s.includes(text)) {
      sent = true;
      c.kill(signal);
    }
  };
}
