import { utilityProcess } from 'electron';
import { workerExecArgv, type StartWorker } from '../../backend/types.ts';
import { lastWords } from '../../backend/host/fork-worker.ts';

// Electron's way to start a backend worker script (types.ts StartWorker): utilityProcess, a Node
// child managed by Chromium. Not child_process.fork: a packaged build has the RunAsNode fuse off
// (electron-builder.yml), so a fork would start the app again instead of Node.
export const startUtilityWorker: StartWorker = (script, env, events, limits) => {
  let started = false;
  // The utility process runs Node: its V8 takes the same `--max-old-space-size` as a fork's.
  const child = utilityProcess.fork(script, [], { env, execArgv: workerExecArgv(limits), stdio: ['ignore', 'ignore', 'pipe'], serviceName: 'Kiln worker' });
  const said = lastWords(child.stderr);
  child.on('spawn', () => {
    started = true;
    events.onSpawn();
  });
  child.on('message', (m) => events.onMessage(m));
  child.on('exit', (code) => {
    if (!started) return events.onStartError(new Error(`the worker process could not start (exit ${code})`));
    events.onExit(said(`exit ${code}`));
  });
  return {
    send: (m) => child.postMessage(m),
    kill: () => void child.kill(),
  };
};
