import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { startSimulator, type Sim } from '../../replicate-sim/index.ts';
import type { Scenario } from '../../replicate-sim/types.ts';
import { kilnChild, onceOn, UNSETTLED, type KilnOptions } from './kiln-child.ts';

// Issue 9 item 1: `kiln run`, `kiln retry` and `kiln show` must not end before their run does while
// the backend waits on nothing but a timer (a back-off, the pause before reconciling a lost
// create, a download or upload retry). Before the backend's hold, Node ended such a process with
// "Detected unsettled top-level await" (exit 13) and left the run queued, submitting or unsaved.

const FAST = 'black-forest-labs/flux-schnell';
const DEV = 'black-forest-labs/flux-dev';
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
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'kiln-cli-waits-'));
});

const scenario = (s: Scenario) =>
  sim.control.loadScenario({ models: { [FAST]: { coldBootMs: 200, runMs: 300 }, [DEV]: { coldBootMs: 200, runMs: 300 } }, ...s });
const kiln = (args: string[], o: Partial<KilnOptions> & { baseUrl?: string } = {}) =>
  kilnChild(args, { ...o, env: { REPLICATE_API_TOKEN: sim.token, KILN_REPLICATE_BASE_URL: o.baseUrl ?? sim.baseUrl, KILN_DATA_DIR: dataDir, ...o.env } });

/** The run ended for real: exit 0, no early exit, saved files that exist, one create per input. */
function expectSucceeded(r: Awaited<ReturnType<typeof kiln>>) {
  expect(r.stderr).not.toMatch(UNSETTLED);
  expect(r.code, r.stderr).toBe(0);
  const doc = JSON.parse(r.stdout) as { status: string; saveState: string; files: string[] };
  expect(doc.status).toBe('succeeded');
  expect(doc.saveState).toBe('saved');
  expect(doc.files.length).toBeGreaterThan(0);
  for (const f of doc.files) expect(existsSync(f)).toBe(true);
  return doc;
}
const creates = () => Object.values(sim.control.counters().createsByInputHash);

describe('kiln waits for its run whatever the backend is waiting on', () => {
  it('a 429 on create (back-off timer, then the create is re-sent)', async () => {
    scenario({ faults: [{ endpoint: 'create', kind: '429', count: 2 }] });
    expectSucceeded(await kiln(['run', FAST, '-i', 'prompt=throttled', '--json']));
    expect(sim.control.counters().byStatus['429']).toBe(2);
    expect(creates()).toEqual([1]);
  });

  it('a refused connection on create (nothing listens yet; the simulator comes up later)', async () => {
    const port = await freePort();
    let late = null as Promise<Sim> | null;
    try {
      const r = await kiln(['run', FAST, '-i', 'prompt=refused', '--json'], {
        baseUrl: `http://127.0.0.1:${port}/v1`,
        // Once kiln has tried (and been refused), bring the API up on that port a little later.
        onStderr: (s) => {
          if (!late && /submitted/.test(s))
            late = new Promise((r) => setTimeout(r, 1500)).then(() =>
              startSimulator({ port, scenario: { models: { [FAST]: { coldBootMs: 200, runMs: 300 } } } }),
            );
        },
        timeoutMs: 90_000,
      });
      expectSucceeded(r);
      const lateSim = await late!;
      expect(Object.values(lateSim.control.counters().createsByInputHash)).toEqual([1]);
    } finally {
      if (late) await (await late).close();
    }
  });

  it('a create whose response is lost (reconcile timer, then found, never created twice)', async () => {
    scenario({ faults: [{ endpoint: 'create', kind: 'drop-response-after-create', count: 1 }] });
    expectSucceeded(await kiln(['run', FAST, '-i', 'prompt=lost answer', '--json']));
    expect(creates()).toEqual([1]);
  });

  it('a create answered only after the client gave up on it (tens of seconds), then a cold boot in simulated time', async () => {
    // The API client gives up on a request after 30 s; the simulator creates the prediction and
    // answers at 31 s. Kiln must treat it as ambiguous — wait, then look for it, never re-send
    // blindly — and the command must still be there when it is found.
    scenario({ models: { [DEV]: { coldBootMs: 40_000, runMs: 300 } }, faults: [{ endpoint: 'create', kind: 'slow', delayMs: 31_000, count: 1 }] });
    let advanced = false;
    const r = await kiln(['run', DEV, '-i', 'prompt=late answer', '--json'], {
      timeoutMs: 100_000,
      onStderr: (s) => {
        if (!advanced && /starting/.test(s)) {
          advanced = true;
          setTimeout(() => sim.control.advance(41_000), 500);
        }
      },
    });
    expectSucceeded(r);
    expect(creates()).toEqual([1]);
  }, 120_000);

  it('a download that is retried (503 from the file host, back-off, then saved)', async () => {
    scenario({ faults: [{ endpoint: 'delivery', kind: '503', count: 2 }] });
    expectSucceeded(await kiln(['run', FAST, '-i', 'prompt=retry the download', '--json']));
    expect(sim.control.counters().byEndpoint.delivery).toBeGreaterThanOrEqual(3);
  });

  it('-i image=@file that is uploaded, with the upload retried', async () => {
    // Random pixels do not compress: well over the inline (data URI) limit, so it is uploaded.
    const img = path.join(dataDir, 'noise.png');
    const raw = Buffer.alloc(400 * 400 * 3);
    for (let i = 0; i < raw.length; i++) raw[i] = (i * 2654435761) >>> 24;
    writeFileSync(
      img,
      await sharp(raw, { raw: { width: 400, height: 400, channels: 3 } })
        .png({ compressionLevel: 0 })
        .toBuffer(),
    );
    expect(readFileSync(img).length).toBeGreaterThan(300 * 1024);
    scenario({ faults: [{ endpoint: 'files', kind: '503', count: 2 }] });
    const doc = expectSucceeded(await kiln(['run', DEV, '-i', 'prompt=remix', '-i', `image=@${img}`, '--json']));
    expect((doc as unknown as { input: { image: string } }).input.image).toMatch(/^kiln-file:/);
    expect(sim.control.counters().byEndpoint['files.create']).toBeGreaterThanOrEqual(3);
    const remote = await (await fetch(`${sim.origin}/__sim/predictions/${sim.control.predictions()[0]!.id}`)).json();
    expect((remote as { input: { image: string } }).input.image).toMatch(/^https?:\/\//);
  });

  it('kiln retry with a 429 on its create and a retried download', async () => {
    scenario({ models: { [FAST]: { coldBootMs: 100, runMs: 100, outcome: 'failed', error: 'E1001 boom' } } });
    const first = await kiln(['run', FAST, '-i', 'prompt=again', '--json']);
    expect(first.code).toBe(1);
    const id = (JSON.parse(first.stdout) as { id: string }).id;
    scenario({
      faults: [
        { endpoint: 'create', kind: '429', count: 1 },
        { endpoint: 'delivery', kind: '503', count: 2 },
      ],
    });
    const r = await kiln(['retry', id]);
    expect(r.stderr).not.toMatch(UNSETTLED);
    expect(r.code, r.stderr).toBe(0);
    const files = r.stdout.trim().split('\n');
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(existsSync(f)).toBe(true);
  });

  it('kiln show of a run left running, whose download is retried', async () => {
    scenario({ models: { [DEV]: { coldBootMs: 60_000, runMs: 300 } } });
    const left = await kiln(['run', DEV, '-i', 'prompt=show me later'], { onStderr: onceOn('starting', 'SIGINT') });
    expect(left.code).toBe(130);
    const id = /kiln: (\S+) submitted/.exec(left.stderr)![1]!;
    sim.control.loadScenario({ faults: [{ endpoint: 'delivery', kind: '503', count: 2 }] });
    let advanced = false;
    const r = await kiln(['show', id], {
      onStderr: (s) => {
        if (!advanced && /starting/.test(s)) {
          advanced = true;
          sim.control.advance(61_000);
        }
      },
    });
    expect(r.stderr).not.toMatch(UNSETTLED);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`${id}\\s+succeeded`));
    const files = r.stdout.split('\n').filter((l) => l.startsWith(dataDir));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(existsSync(f)).toBe(true);
    expect(creates()).toEqual([1]);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
