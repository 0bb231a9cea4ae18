import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Scenario } from './types.ts';

const MAIN = path.join(import.meta.dirname, 'main.ts');

export interface SpawnedFalSimulator {
  origin: string;
  queueUrl: string;
  apiUrl: string;
  storageUrl: string;
  cdnUrl: string;
  key: string;
  child: ChildProcess;
  /** SIGTERM, resolved once the process has exited. */
  stop(): Promise<void>;
}

/**
 * `npm run sim:fal` in its own process (port 0), resolved once it has printed its URLs and key.
 * For tests and benchmarks whose measurements must not include the simulator's own CPU or memory.
 */
export function spawnFalSimulator(opts: { scenario?: Scenario; args?: string[] } = {}): Promise<SpawnedFalSimulator> {
  const args = ['--port', '0', ...(opts.args ?? [])];
  if (opts.scenario) {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-fal-sim-')), 'scenario.json');
    fs.writeFileSync(file, JSON.stringify(opts.scenario));
    args.push('--scenario', file);
  }
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`fal simulator did not start: ${out}`));
    }, 20_000);
    child.once('exit', (code) => reject(new Error(`fal simulator exited ${code}: ${out}`)));
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const field = (label: string) => new RegExp(`^${label}: (\\S+)$`, 'm').exec(out)?.[1];
      const [origin, queueUrl, apiUrl, storageUrl, cdnUrl, key] = ['fal simulator', 'Queue URL', 'API URL', 'Storage URL', 'CDN URL', 'Key'].map(field);
      if (!origin || !queueUrl || !apiUrl || !storageUrl || !cdnUrl || !key) return;
      clearTimeout(timer);
      resolve({
        origin,
        queueUrl,
        apiUrl,
        storageUrl,
        cdnUrl,
        key,
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
