import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSimulator, type Sim } from '../../replicate-sim/index.ts';
import { openHistory } from '../../../electron/backend/history/store.ts';
import { systemClock } from '../../../electron/backend/types.ts';
import { setup, silentLog, until, type Harness } from '../engine/harness.ts';
import { kilnChild, onceOn } from './kiln-child.ts';

// Issue 9 item 7, ARCHITECTURE.md, "Storage": one process owns a data folder. Real processes on one folder: the
// test's own backend (the harness) and a second backend or the `kiln` command as child processes.

const FAST = 'black-forest-labs/flux-schnell';
const DEV = 'black-forest-labs/flux-dev';
const CHILD = path.join(import.meta.dirname, 'backend-child.ts');
let sim: Sim;
let dataDir: string;
let h: Harness | null = null;
const children: ChildProcess[] = [];

beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.control.reset();
  sim.control.loadScenario({ models: { [FAST]: { coldBootMs: 300, runMs: 2_500 }, [DEV]: { coldBootMs: 60_000, runMs: 300 } } });
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'kiln-owner-'));
});
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await h?.close();
  h = null;
  rmSync(dataDir, { recursive: true, force: true });
});

/** A second backend in its own process; resolves once it has started (with its ownership). */
function backendChild(): Promise<{ child: ChildProcess; owner: boolean; lines: Record<string, unknown>[] }> {
  const child = spawn(process.execPath, [CHILD, dataDir, sim.baseUrl, sim.token], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const lines: Record<string, unknown>[] = [];
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const l = JSON.parse(buf.slice(0, nl)) as Record<string, unknown>;
        buf = buf.slice(nl + 1);
        lines.push(l);
        if (l.ready) resolve({ child, owner: l.owner as boolean, lines });
      }
    });
    child.once('exit', (code) => reject(new Error(`backend child exited ${code}`)));
  });
}

/** An intent nobody has sent yet, as a process that died before its create leaves it. */
function leaveIntent(prompt: string): string {
  const history = openHistory({ dataDir, log: silentLog, clock: systemClock });
  const id = crypto.randomUUID();
  history.insertIntent({ id, provider: 'replicate', model: FAST, version: null, target: 'model', input: { prompt } });
  history.close();
  return id;
}

const creates = () => Object.values(sim.control.counters().createsByInputHash);

describe('data-folder ownership', () => {
  it('two backends on one folder: one owner, and an intent whose create is out is created once', async () => {
    const id = leaveIntent('left by a crash');
    // The create the first backend sends takes a while to be answered; meanwhile a second process
    // opens the folder and finds the intent `submitting` without an answer.
    sim.control.loadScenario({
      models: { [FAST]: { coldBootMs: 300, runMs: 2_500 } },
      faults: [{ endpoint: 'create', kind: 'slow', delayMs: 4000, count: 1 }],
    });
    const other = await backendChild();
    h = await setup({ sim, dataDirOverride: dataDir });
    expect(other.owner).toBe(true);
    expect(h.backend.isOwner()).toBe(false);
    await until(() => h!.backend.services.history.get(id)?.saveState === 'saved', 30_000, 'the intent finished and saved');
    // Every create request that reached the simulator has been answered (the slow one included).
    await until(
      () => {
        const c = sim.control.counters();
        return (c.byStatus['201'] ?? 0) >= (c.byEndpoint['models.predictions.create'] ?? 0);
      },
      15_000,
      'every create answered',
    );
    expect(creates()).toEqual([1]);
  });

  it('a kiln run beside the open app: the app shows it live, and it is created once', async () => {
    h = await setup({ sim, dataDirOverride: dataDir });
    expect(h.backend.isOwner()).toBe(true);
    let cliId: string | null = null;
    let seenLive = false;
    // While the CLI still runs, the owner's events already carry its run (the run lasts longer than
    // the owner's 1 s sweep of the history, so "live" is observable whatever Kiln's own cadence).
    const watch = setInterval(() => {
      if (cliId && !seenLive) seenLive = h!.events.some((e) => (e.payload as { id?: string }).id === cliId);
    }, 25);
    const r = await kilnChild(['run', FAST, '-i', 'prompt=from the terminal', '--json'], {
      env: { REPLICATE_API_TOKEN: sim.token, KILN_REPLICATE_BASE_URL: sim.baseUrl, KILN_DATA_DIR: dataDir },
      onStderr: (s) => {
        cliId ??= /kiln: (\S+) submitted/.exec(s)?.[1] ?? null;
      },
    }).finally(() => clearInterval(watch));
    expect(r.code, r.stderr).toBe(0);
    expect(cliId).not.toBeNull();
    await until(
      () =>
        h!.events.some(
          (e) =>
            (e.payload as { id?: string; changes?: { status?: string } }).id === cliId &&
            (e.payload as { changes: { status?: string } }).changes.status === 'succeeded',
        ),
      5000,
      'the owner published the end',
    );
    expect(seenLive).toBe(true);
    expect(creates()).toEqual([1]);
    // The owner never followed it itself (the CLI did): one create, and the CLI saved its files.
    for (const f of JSON.parse(r.stdout).files as string[]) expect(existsSync(f)).toBe(true);
  });

  it('a run the CLI hands over (Ctrl-C) is adopted and finished by the owner', async () => {
    h = await setup({ sim, dataDirOverride: dataDir });
    const left = await kilnChild(['run', DEV, '-i', 'prompt=take it from here'], {
      env: { REPLICATE_API_TOKEN: sim.token, KILN_REPLICATE_BASE_URL: sim.baseUrl, KILN_DATA_DIR: dataDir },
      onStderr: onceOn('starting', 'SIGINT'),
    });
    expect(left.code, `signal ${left.signal}; stderr: ${left.stderr}`).toBe(130);
    const id = /kiln: (\S+) submitted/.exec(left.stderr)![1]!;
    sim.control.advance(61_000);
    await until(() => h!.backend.services.history.get(id)?.saveState === 'saved', 20_000, 'adopted and saved by the owner');
    expect(h.backend.services.engine.followedIds()).not.toContain(id);
    expect(creates()).toEqual([1]);
  });

  it('when the owner dies, the other process takes over the folder and its left-over runs', async () => {
    const other = await backendChild();
    expect(other.owner).toBe(true);
    h = await setup({ sim, dataDirOverride: dataDir });
    expect(h.backend.isOwner()).toBe(false);
    other.child.kill('SIGKILL');
    const id = leaveIntent('after the owner died');
    await until(() => h!.backend.isOwner(), 10_000, 'took over the folder');
    await until(() => h!.backend.services.history.get(id)?.saveState === 'saved', 20_000, 'left-over intent sent and saved');
    expect(creates()).toEqual([1]);
  });
});
