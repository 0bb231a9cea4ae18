import { test as base, expect } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator } from '../replicate-sim/index.ts';
import type { Sim, SimOptions } from '../replicate-sim/types.ts';
import { startFalSimulator } from '../fal-sim/index.ts';
import type { FalSim, SimOptions as FalSimOptions } from '../fal-sim/types.ts';

// Playwright fixtures shared by every e2e spec: a Replicate simulator on 127.0.0.1 and Kiln's
// browser mode as a real child process (`node electron/web/main.ts`), exactly as a user runs it.
// Kiln can be stopped, killed and restarted on the same data dir (and the same port and token, so
// an open page reconnects by itself), and the simulator can be closed while Kiln keeps running.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WEB_MAIN = path.join(ROOT, 'electron', 'web', 'main.ts');
const LINE_RE = /^Kiln web: (http:\/\/\S+)$/m;

export interface KilnLaunchOptions {
  dataDir: string;
  replicateBaseUrl?: string;
  /** Put into REPLICATE_API_TOKEN; otherwise the variable is removed, so keys come from the UI. */
  apiToken?: string;
  port?: number;
  /** Reuse a token across restarts (KILN_WEB_TOKEN) so open pages keep working. */
  webToken?: string;
  extraEnv?: Record<string, string>;
  startTimeoutMs?: number;
}

export interface KilnWeb {
  /** Page URL with the token, as printed on the `Kiln web:` line. */
  url: string;
  origin: string;
  port: number;
  token: string;
  dataDir: string;
  /** stdout and stderr lines of every run so far (prefixed `out:`/`err:`). */
  logs: string[];
  running(): boolean;
  /** Graceful stop (SIGTERM → backend.stop()); SIGKILL after 10 s. */
  stop(): Promise<void>;
  /** Crash: SIGKILL, no cleanup — for resume-after-crash tests. */
  kill(): Promise<void>;
  /** Stops if running, then starts again on the same data dir, port and token. */
  restart(opts?: Partial<Pick<KilnLaunchOptions, 'replicateBaseUrl' | 'apiToken' | 'extraEnv'>>): Promise<void>;
}

export async function launchKiln(opts: KilnLaunchOptions): Promise<KilnWeb> {
  const logs: string[] = [];
  let child: ChildProcess | null = null;
  let current = { ...opts };
  const state = { url: '', origin: '', port: opts.port ?? 0, token: opts.webToken ?? '' };

  async function start() {
    const env: Record<string, string | undefined> = { ...process.env };
    // fal's key and bases come only from the test (extraEnv), never from the shell that runs it.
    for (const name of ['FAL_KEY', 'KILN_FAL_QUEUE_URL', 'KILN_FAL_API_URL', 'KILN_FAL_STORAGE_URL']) delete env[name];
    Object.assign(env, current.extraEnv);
    delete env.REPLICATE_API_TOKEN;
    delete env.KILN_REPLICATE_BASE_URL;
    if (current.apiToken) env.REPLICATE_API_TOKEN = current.apiToken;
    if (state.token) env.KILN_WEB_TOKEN = state.token;
    const args = [WEB_MAIN, '--port', String(state.port), '--data-dir', current.dataDir];
    if (current.replicateBaseUrl) args.push('--replicate-base-url', current.replicateBaseUrl);
    const proc = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(
        () => reject(new Error(`Kiln web did not print its URL within ${current.startTimeoutMs ?? 30_000} ms:\n${logs.join('\n')}`)),
        current.startTimeoutMs ?? 30_000,
      );
      proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        for (const l of chunk.split('\n')) if (l.trim()) logs.push(`out: ${l}`);
        const m = LINE_RE.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
        for (const l of chunk.split('\n')) if (l.trim()) logs.push(`err: ${l}`);
      });
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`Kiln web exited (code ${code}) before printing its URL:\n${logs.join('\n')}`));
      });
    });
    const u = new URL(url);
    state.url = url;
    state.origin = u.origin;
    state.port = Number(u.port);
    state.token = u.searchParams.get('token') ?? '';
  }

  async function end(signal: NodeJS.Signals) {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  await start();
  return {
    get url() {
      return state.url;
    },
    get origin() {
      return state.origin;
    },
    get port() {
      return state.port;
    },
    get token() {
      return state.token;
    },
    dataDir: opts.dataDir,
    logs,
    running: () => child !== null && child.exitCode === null && child.signalCode === null,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
    async restart(patch = {}) {
      await end('SIGTERM');
      current = { ...current, ...patch };
      await start();
    },
  };
}

export function startSim(options: SimOptions = {}): Promise<Sim> {
  return startSimulator(options);
}

export interface KilnFixtureOptions {
  /** 'sim' puts the simulator's token into REPLICATE_API_TOKEN; another string puts that; unset: no variable (keys come from the UI). */
  apiToken?: 'sim' | string;
}

/** The environment that points Kiln's fal client at a fal simulator (ARCHITECTURE.md, "Fixed interfaces"), with FAL_KEY if `key` is given. */
export function falEnv(fal: FalSim, key?: string): Record<string, string> {
  return { KILN_FAL_QUEUE_URL: fal.queueUrl, KILN_FAL_API_URL: fal.apiUrl, KILN_FAL_STORAGE_URL: fal.storageUrl, ...(key ? { FAL_KEY: key } : {}) };
}

export interface FalFixtureOptions {
  /** 'sim' puts the fal simulator's key into FAL_KEY; unset: no variable (the key is saved in Settings). */
  falKey?: 'sim';
}

type Fixtures = {
  falSimOptions: FalSimOptions;
  falOptions: FalFixtureOptions;
  /** A fal simulator; tests may `await falSim.close()` to simulate an outage. */
  falSim: FalSim;
  /**
   * Kiln browser mode against `falSim` (KILN_FAL_*_URL). Its Replicate base URL is a path on the fal
   * simulator's origin, which answers 404 there: the vault accepts http downloads only from the
   * configured provider origin (net/trust.ts is given Replicate's base alone for now), and fal's
   * media are served from the simulator's origin. Replicate's models are simply absent.
   */
  kilnFal: KilnWeb;
  simOptions: SimOptions;
  kilnOptions: KilnFixtureOptions;
  /** The simulator; tests may `await sim.close()` to simulate an outage. */
  sim: Sim;
  /** Kiln browser mode against `sim`, on a fresh temp data dir (kept and attached on failure). */
  kiln: KilnWeb;
  /** Kiln browser mode with no simulator (provider URL points at a closed port). */
  kilnAlone: KilnWeb;
};

async function runKiln(opts: Omit<KilnLaunchOptions, 'dataDir'>, use: (k: KilnWeb) => Promise<void>, testInfo: import('@playwright/test').TestInfo) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-e2e-'));
  const kiln = await launchKiln({ ...opts, dataDir });
  try {
    await use(kiln);
  } finally {
    await kiln.stop();
    if (testInfo.status !== testInfo.expectedStatus) {
      await testInfo.attach('kiln-logs', { body: kiln.logs.join('\n'), contentType: 'text/plain' });
      console.log(`Kiln data dir kept for inspection: ${dataDir}`);
    } else fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export const test = base.extend<Fixtures>({
  falSimOptions: [{}, { option: true }],
  falOptions: [{}, { option: true }],

  falSim: async ({ falSimOptions }, use) => {
    const fal = await startFalSimulator(falSimOptions);
    await use(fal);
    await fal.close().catch(() => {});
  },

  // The Replicate simulator runs beside fal's (no Replicate key): fal's media origin is trusted as
  // fal's own (net/trust.ts), not by posing as Replicate's base URL.
  kilnFal: async ({ falSim, sim, falOptions }, use, testInfo) => {
    const extraEnv = falEnv(falSim, falOptions.falKey === 'sim' ? falSim.key : undefined);
    await runKiln({ replicateBaseUrl: sim.baseUrl, extraEnv }, use, testInfo);
  },

  simOptions: [{}, { option: true }],
  kilnOptions: [{}, { option: true }],

  sim: async ({ simOptions }, use) => {
    const sim = await startSim(simOptions);
    await use(sim);
    // Closing twice (a test that simulated an outage) must be harmless.
    await sim.close().catch(() => {});
  },

  kiln: async ({ sim, kilnOptions }, use, testInfo) => {
    const apiToken = kilnOptions.apiToken === 'sim' ? sim.token : kilnOptions.apiToken;
    await runKiln({ replicateBaseUrl: sim.baseUrl, apiToken }, use, testInfo);
  },

  kilnAlone: async ({ kilnOptions }, use, testInfo) => {
    const apiToken = kilnOptions.apiToken === 'sim' ? undefined : kilnOptions.apiToken;
    await runKiln({ replicateBaseUrl: 'http://127.0.0.1:9/v1', apiToken }, use, testInfo);
  },
});

export { expect };
