import { fork } from 'node:child_process';
import { workerExecArgv, type StartWorker } from '../types.ts';

// Node's way to start a worker script (types.ts StartWorker): `child_process.fork`, for the CLI,
// browser mode and tests. Structured-clone messages ('advanced'), so a Date crosses as a Date; no
// inherited execArgv (a test runner's or inspector's flags are not the worker's), only its limits; stderr kept
// (its last line says why a child died), bounded.
export function forkWorker(execPath: string = process.execPath): StartWorker {
  return (script, env, events, limits) => {
    let started = false;
    const child = fork(script, [], { execPath, execArgv: workerExecArgv(limits), env, serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const said = lastWords(child.stderr);
    child.on('spawn', () => {
      started = true;
      events.onSpawn();
    });
    child.on('message', (m) => events.onMessage(m));
    child.on('error', (err) => (started ? events.onExit(`failed: ${err.message}`) : events.onStartError(err)));
    // 'close', not 'exit': it comes after the child's pipes, the IPC channel with its answer included.
    child.on('close', (code, signal) => {
      if (started) events.onExit(said(signal ?? `exit ${code}`));
    });
    return {
      send: (m) => child.send(m as object),
      kill: () => void (child.exitCode === null && child.signalCode === null && child.kill('SIGKILL')),
    };
  };
}

/**
 * Keeps the end of a child's stderr (bounded) and returns how to describe its end with the last
 * line it printed: that line is usually why it died. Shared by every StartWorker.
 */
export function lastWords(stderr: NodeJS.ReadableStream | null | undefined): (how: string) => string {
  let tail = '';
  stderr?.on('data', (b: Buffer) => {
    tail = (tail + b.toString('utf8')).slice(-2000);
  });
  return (how) => {
    // V8's own verdict ("FATAL ERROR: Reached heap limit … out of memory") comes before the native
    // stack it prints: that line, not the stack's last frame, says why.
    const last = /FATAL ERROR:[^\n]*/.exec(tail)?.[0] ?? tail.trim().split('\n').at(-1) ?? '';
    return last ? `${how}: ${last.slice(0, 300)}` : how;
  };
}
