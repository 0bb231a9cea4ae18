import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { kilnChild, onceOn } from './kiln-child.ts';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSimulator, type Sim } from '../../replicate-sim/index.ts';
import { setup, until } from '../engine/harness.ts';

// The `kiln` CLI as a user runs it: a child process (`node electron/cli/main.ts`) against the
// simulator, checking exit codes, the stdout/stderr split, --json and interrupts.

const FAST = 'black-forest-labs/flux-schnell';
let sim: Sim;
let dataDir: string;

beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.control.reset();
  sim.control.loadScenario({ models: { [FAST]: { coldBootMs: 200, runMs: 500 }, 'black-forest-labs/flux-dev': { coldBootMs: 60_000, runMs: 500 } } });
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'kiln-cli-'));
});

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Sends `signal` once, the first time stderr shows `text`. */
/** The shared child runner (kiln-child.ts) pointed at this file's simulator and data folder. */
function kiln(args: string[], o: { token?: string; onStderr?: (s: string, child: ChildProcess) => void; timeoutMs?: number } = {}): Promise<Run> {
  const env = { REPLICATE_API_TOKEN: o.token ?? sim.token, KILN_REPLICATE_BASE_URL: sim.baseUrl, KILN_DATA_DIR: dataDir };
  return kilnChild(args, { env, onStderr: o.onStderr, timeoutMs: o.timeoutMs ?? 30_000 });
}

describe('kiln CLI against the simulator', () => {
  it('run: waits, prints saved paths on stdout only, progress on stderr, exit 0', async () => {
    const r = await kiln(['run', FAST, '-i', 'prompt=a kiln at dusk', '-i', 'num_outputs=2']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const l of lines) {
      expect(path.isAbsolute(l)).toBe(true);
      expect(l.startsWith(dataDir)).toBe(true);
      expect(existsSync(l)).toBe(true);
    }
    expect(r.stderr).toMatch(/succeeded/);
    expect(r.stdout).not.toMatch(/starting|processing/);
  });

  it('run --json prints one JSON document with the status and files', async () => {
    const r = await kiln(['run', FAST, '-i', 'prompt=json please', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.status).toBe('succeeded');
    expect(doc.input).toEqual({ prompt: 'json please' });
    expect(doc.files.length).toBeGreaterThan(0);
  });

  it('@path inputs are staged and uploaded', async () => {
    const img = path.join(dataDir, 'in.png');
    // A 1×1 PNG.
    writeFileSync(img, Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64'));
    const r = await kiln(['run', 'black-forest-labs/flux-dev', '-i', 'prompt=remix', '-i', `image=@${img}`, '--json'], {
      timeoutMs: 30_000,
      onStderr: (s) => s.includes('starting') && sim.control.advance(61_000),
    });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.input.image).toMatch(/^kiln-file:/);
    const remote = sim.control.predictions()[0]!;
    const full = (await (await fetch(`${sim.origin}/__sim/predictions/${remote.id}`)).json()) as { input: { image: string } };
    // Small files travel inline as a data URI; the vault keeps the original for retries.
    expect(full.input.image).toMatch(/^data:image\/png;base64,/);
  });

  it('exit codes: 2 for usage and invalid input or unknown model, 3 for key and credit, 1 for failed', async () => {
    expect((await kiln(['frobnicate'])).code).toBe(2);
    const invalid = await kiln(['run', FAST, '-i', 'prompt=x', '-i', 'num_inference_steps=99']);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/num_inference_steps/);
    expect((await kiln(['run', 'nobody/nothing', '-i', 'prompt=x'])).code).toBe(2);
    const auth = await kiln(['run', FAST, '-i', 'prompt=x'], { token: 'r8_bad_bad_bad' });
    expect(auth.code).toBe(3);
    expect(auth.stderr).toMatch(/API key/);
    expect(auth.stderr).not.toContain('r8_bad_bad_bad');
    sim.control.loadScenario({ credit: false });
    expect((await kiln(['run', FAST, '-i', 'prompt=x'])).code).toBe(3);
    sim.control.loadScenario({ models: { [FAST]: { coldBootMs: 100, runMs: 200, outcome: 'failed', error: 'E1001 out of memory' } } });
    const failed = await kiln(['run', FAST, '-i', 'prompt=x']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/E1001/);
    expect(failed.stdout).toBe('');
  });

  it('run --json still prints the run when the provider refuses it (its input, credit), with the refusal exit code', async () => {
    const invalid = await kiln(['run', FAST, '-i', 'prompt=x', '-i', 'num_inference_steps=99', '--json']);
    expect(invalid.code).toBe(2);
    const doc = JSON.parse(invalid.stdout) as {
      id: string;
      provider: string;
      model: string;
      status: string;
      files: string[];
      error: { message: string } | null;
    };
    expect(doc).toMatchObject({ provider: 'replicate', model: FAST, status: 'failed', files: [] });
    expect(doc.error?.message).toMatch(/num_inference_steps/);
    sim.control.loadScenario({ credit: false });
    const billing = await kiln(['run', FAST, '-i', 'prompt=x', '--json']);
    expect(billing.code).toBe(3);
    expect(JSON.parse(billing.stdout)).toMatchObject({ provider: 'replicate', model: FAST, status: 'failed', error: { code: 'billing' } });
  });

  it('list, show, retry', async () => {
    const empty = await kiln(['list']);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toBe('');
    expect(empty.stderr).toMatch(/no predictions yet/);
    sim.control.loadScenario({ models: { [FAST]: { coldBootMs: 100, runMs: 200, outcome: 'failed', error: 'E1001 boom' } } });
    await kiln(['run', FAST, '-i', 'prompt=retry me']);
    const list = JSON.parse((await kiln(['list', '--json'])).stdout);
    expect(list).toHaveLength(1);
    const id = list[0].id;
    const show = await kiln(['show', id]);
    expect(show.code).toBe(1); // ARCHITECTURE.md, "Fixed interfaces": a failed run is exit 1, whichever command shows it
    expect(show.stdout).toMatch(/failed/);
    sim.control.loadScenario({ models: { [FAST]: { coldBootMs: 100, runMs: 200 } } });
    const retry = await kiln(['retry', id, '--json']);
    expect(retry.code).toBe(0);
    const doc = JSON.parse(retry.stdout);
    expect(doc.retryOf).toBe(id);
    expect(doc.status).toBe('succeeded');
  });

  it('Ctrl-C leaves the prediction running; --cancel-on-interrupt cancels it; cancel ID cancels a left one', async () => {
    const left = await kiln(['run', 'black-forest-labs/flux-dev', '-i', 'prompt=leave me'], { onStderr: onceOn('starting', 'SIGINT') });
    expect(left.code).toBe(130);
    expect(left.stderr).toMatch(/left running/);
    expect(sim.control.predictions()[0]!.status).toBe('starting');

    const canceled = await kiln(['run', 'black-forest-labs/flux-dev', '-i', 'prompt=cancel me', '--cancel-on-interrupt'], {
      onStderr: onceOn('starting', 'SIGINT'),
    });
    expect(canceled.code).toBe(1);
    expect(sim.control.predictions().find((p) => p.status === 'canceled')).toBeDefined();

    const id = JSON.parse((await kiln(['list', '--json'])).stdout).find((v: { status: string }) => v.status === 'starting').id;
    const c = await kiln(['cancel', id]);
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(/canceled/);
    expect(sim.control.predictions().every((p) => p.status === 'canceled')).toBe(true);
  });

  it('a key rejected while the run is followed: kiln run exits 3 within seconds and leaves the run to be followed later', async () => {
    await sim.control.loadScenario({
      faults: [
        { endpoint: 'get', kind: '401', count: 1000 },
        { endpoint: 'list', kind: '401', count: 1000 },
      ],
    });
    const r = await kiln(['run', 'black-forest-labs/flux-dev', '-i', 'prompt=rotated key']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/key/i);
    expect(r.stderr).toMatch(/kiln show /);
    // Handed over, not given up: the run is still unfinished in the history and at Replicate.
    const [left] = JSON.parse((await kiln(['list', '--json'])).stdout);
    expect(['starting', 'processing']).toContain(left.status);
    expect(['starting', 'processing']).toContain(sim.control.predictions()[0]!.status);
  });

  it('a cancel Replicate refuses is an answer: kiln cancel says so and exits 1, and the run is still followed', async () => {
    const left = await kiln(['run', 'black-forest-labs/flux-dev', '-i', 'prompt=not yours'], { onStderr: onceOn('starting', 'SIGINT') });
    expect(left.code).toBe(130);
    await sim.control.loadScenario({ faults: [{ endpoint: 'cancel', kind: '404-html', count: 1000 }] });
    const id = JSON.parse((await kiln(['list', '--json'])).stdout)[0].id;
    const c = await kiln(['cancel', id]);
    expect(c.code).toBe(1);
    expect(c.stderr).toMatch(/refused/i);
    expect(sim.control.counters().byEndpoint['predictions.cancel']).toBeGreaterThanOrEqual(1);
    expect(sim.control.counters().byEndpoint['predictions.cancel']).toBeLessThan(5);
    expect(sim.control.predictions()[0]!.status).toBe('starting');
  });

  it('after Ctrl-C the next kiln list finishes the left prediction and saves its outputs', async () => {
    const left = await kiln(['run', 'black-forest-labs/flux-dev', '-i', 'prompt=left behind'], { onStderr: onceOn('starting', 'SIGINT') });
    expect(left.code).toBe(130);
    expect(left.stderr).toMatch(/next kiln command/);
    const id = /kiln: (\S+) submitted/.exec(left.stderr)![1]!;
    sim.control.advance(61_000); // it finishes remotely while no kiln runs
    const list = await kiln(['list', '--json']);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout).find((v: { id: string }) => v.id === id).status).toBe('succeeded');
    // Saved by that list: a show that does not wait prints local files that exist.
    const show = await kiln(['show', id, '--no-wait']);
    const files = show.stdout
      .trim()
      .split('\n')
      .filter((l) => l.startsWith(dataDir));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(existsSync(f)).toBe(true);
    expect(Object.values(sim.control.counters().createsByInputHash)).toEqual([1]);
  });

  it('after Ctrl-C, kiln show ID follows the left prediction to its end with progress on stderr; --no-wait does not', async () => {
    const left = await kiln(['run', 'black-forest-labs/flux-dev', '-i', 'prompt=show me'], { onStderr: onceOn('starting', 'SIGINT') });
    expect(left.code).toBe(130);
    const id = /kiln: (\S+) submitted/.exec(left.stderr)![1]!;
    const quick = await kiln(['show', id, '--no-wait']);
    expect(quick.code).toBe(0);
    expect(quick.stdout).toMatch(/starting/);
    let advanced = false;
    const show = await kiln(['show', id], {
      onStderr: (s) => {
        if (!advanced && s.includes('starting')) {
          advanced = true;
          sim.control.advance(61_000);
        }
      },
    });
    expect(show.code).toBe(0);
    expect(show.stderr).toMatch(/kiln: starting/);
    expect(show.stdout).toMatch(new RegExp(`${id}\\s+succeeded`));
    const files = show.stdout
      .trim()
      .split('\n')
      .filter((l) => l.startsWith(dataDir));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(existsSync(f)).toBe(true);
    expect(Object.values(sim.control.counters().createsByInputHash)).toEqual([1]);
  });

  it('8. a CLI process killed with SIGKILL mid-poll: the next backend on the data dir finishes it, once', async () => {
    const r = await kiln(['run', 'black-forest-labs/flux-dev', '-i', 'prompt=sigkill'], { onStderr: onceOn('starting', 'SIGKILL') });
    expect(r.signal).toBe('SIGKILL');
    sim.control.advance(61_000);
    const h = await setup({ sim, dataDirOverride: dataDir });
    try {
      const history = h.backend.services.history;
      const [rec] = history.listActive();
      expect(rec).toBeDefined();
      await until(() => history.get(rec!.id)!.saveState === 'saved', 15_000, 'resumed and saved');
      expect(Object.values(sim.control.counters().createsByInputHash)).toEqual([1]);
    } finally {
      await h.close();
    }
  });
});
