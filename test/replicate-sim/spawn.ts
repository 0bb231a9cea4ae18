import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Scenario } from './types.ts';

const MAIN = path.join(import.meta.dirname, 'main.ts');

export interface SpawnedSimulator {
  baseUrl: string;
  token: string;
  child: ChildProcess;
  /** SIGTERM, resolved once the process has exited. */
  stop(): Promise<void>;
}

/**
 * `npm run sim` in its own process (port 0), resolved once it prints its base URL and token. For
 * tests and benchmarks whose measurements must not include the simulator's own CPU or memory.
 */
export function spawnSimulator(opts: { scenario?: Scenario; args?: string[] } = {}): Promise<SpawnedSimulator> {
  const args = ['--port', '0', ...(opts.args ?? [])];
  if (opts.scenario) {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-sim-')), 'scenario.json');
    fs.writeFileSync(file, JSON.stringify(opts.scenario));
    args.push('--scenario', file);
  }
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`simulator did not start: ${out}`));
    }, 20_000);
    child.once('exit', (code) => reject(new Error(`simulator exited ${code}: ${out}`)));
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const baseUrl = /Replicate simulator: (\S+)/.exec(out)?.[1];
      const token = /Token: (\S+)/.exec(out)?.[1];
      if (!baseUrl || !token) return;
      clearTimeout(timer);
      resolve({
        baseUrl,
        token,
        child,
        stop: () =>
          new Promise<void>((r) => {
            if (child.exitCode !== null || child.signalCode !== null) return r();
            child.removeAllListeners('exit');
            child.once('exit', () => r());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}
