import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { startFalSimulator, type FalSim } from '../../fal-sim/index.ts';
import { kilnChild, type KilnRun } from './kiln-child.ts';

// `kiln` with fal model references (ARCHITECTURE.md, "Fixed interfaces": `fal:ENDPOINT_ID`, FAL_KEY, KILN_FAL_*_URL) as a
// user runs it: a child process against the fal simulator on 127.0.0.1, real exit codes.

const FLUX = 'fal-ai/flux/dev';
const UPSCALE = 'fal-ai/esrgan';
let sim: FalSim;
let dataDir: string;

beforeAll(async () => {
  sim = await startFalSimulator();
});
afterAll(async () => {
  await sim.close();
  rmSync(dataDir, { recursive: true, force: true });
});
beforeEach(() => {
  sim.control.reset();
  sim.control.loadScenario({ endpoints: { [FLUX]: { startupMs: 0, runMs: 300 }, [UPSCALE]: { startupMs: 0, runMs: 300 } } });
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'kiln-cli-fal-'));
});

/** The shared child runner pointed at the fal simulator; no Replicate key at all. */
function kiln(args: string[], o: { key?: string | null; onStderr?: (s: string, child: ChildProcess) => void } = {}): Promise<KilnRun> {
  const env = {
    FAL_KEY: o.key === null ? '' : (o.key ?? sim.key),
    KILN_FAL_QUEUE_URL: sim.queueUrl,
    KILN_FAL_API_URL: sim.apiUrl,
    KILN_FAL_STORAGE_URL: sim.storageUrl,
    KILN_DATA_DIR: dataDir,
    REPLICATE_API_TOKEN: '',
  };
  return kilnChild(args, { env, onStderr: o.onStderr, timeoutMs: 60_000 });
}

describe('kiln with fal models', () => {
  it('run fal:ENDPOINT --json: provider fal, the image saved, the key never sent to the media host', async () => {
    const r = await kiln(['run', `fal:${FLUX}`, '-i', 'prompt=a red fox in fresh snow', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ provider: 'fal', model: FLUX, status: 'succeeded', text: null, error: null });
    expect(doc.cost).toHaveProperty('basis');
    const images = (doc.files as string[]).filter((f) => /\.(jpe?g|png|webp)$/.test(f));
    expect(images.length).toBe(1);
    for (const f of doc.files as string[]) {
      expect(path.isAbsolute(f) && f.startsWith(dataDir) && existsSync(f)).toBe(true);
    }
    expect(sim.control.jobs()).toHaveLength(1);
    expect(sim.control.counters().authOnMedia).toBe(0);
    // The media lifetime the card counts down from is the one Kiln asked fal for (records/retention.ts).
    expect(JSON.parse(sim.control.jobs()[0]!.headers.lifecycle!)).toEqual({ expiration_duration_seconds: 7 * 24 * 3600 });
  });

  it('-i key=@file: the local file goes up through fal storage and the job gets its file URL', async () => {
    const img = path.join(dataDir, 'in.png');
    // Noise, so the PNG is above the size the engine would inline as a data: URI instead of uploading.
    const noise = Buffer.from(Array.from({ length: 400 * 400 * 3 }, (_, i) => (i * 2654435761) >>> 24));
    writeFileSync(
      img,
      await sharp(noise, { raw: { width: 400, height: 400, channels: 3 } })
        .png({ compressionLevel: 0 })
        .toBuffer(),
    );
    const r = await kiln(['run', `fal:${UPSCALE}`, '-i', `image_url=@${img}`, '-i', 'scale=2', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ provider: 'fal', model: UPSCALE, status: 'succeeded' });
    const c = sim.control.counters();
    const uploads = Object.entries(c.byEndpoint).filter(([k]) => /storage|upload/.test(k));
    expect(uploads.length, JSON.stringify(c.byEndpoint)).toBeGreaterThan(0);
    expect(c.authOnMedia).toBe(0);
    // What fal received: the upload's file URL on the simulator's CDN, never Kiln's local reference.
    const jobs = await (
      await fetch(`${sim.apiUrl}/models/requests/by-endpoint?endpoint_id=${UPSCALE}&expand=payloads`, { headers: { authorization: `Key ${sim.key}` } })
    ).json();
    const input = JSON.stringify(jobs);
    expect(input).toContain(`${sim.cdnUrl}/`);
    expect(input).not.toContain('kiln-file:');
  });

  it('no FAL_KEY: exit 3, says to set FAL_KEY, nothing created at fal or in the history', async () => {
    const r = await kiln(['run', `fal:${FLUX}`, '-i', 'prompt=x'], { key: null });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/No fal key: set FAL_KEY/);
    expect(sim.control.jobs()).toHaveLength(0);
    const list = await kiln(['list', '--json']);
    expect(JSON.parse(list.stdout)).toEqual([]);
  });

  it('a fal endpoint that does not exist: exit 2 naming it, nothing submitted', async () => {
    const r = await kiln(['run', 'fal:nobody/nothing', '-i', 'prompt=x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/fal has no model nobody\/nothing/);
    expect(sim.control.jobs()).toHaveLength(0);
  });

  it('a malformed fal reference is a usage error (exit 2)', async () => {
    const r = await kiln(['run', 'fal:justone', '-i', 'prompt=x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a fal model reference/);
  });

  it('cancel, show and retry follow a fal run by its provider', async () => {
    sim.control.loadScenario({ endpoints: { [FLUX]: { startupMs: 0, runMs: 600_000 } } });
    // Ctrl-C once the job is at fal: the run is handed over (exit 130), still running at fal.
    let sent = false;
    const first = await kiln(['run', `fal:${FLUX}`, '-i', 'prompt=slow fox'], {
      onStderr: (s, child) => {
        if (!sent && /processing|In queue/.test(s)) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(first.code, first.stderr).toBe(130);
    const id = /kiln: (\S+) submitted/.exec(first.stderr)![1]!;

    const cancel = await kiln(['cancel', id, '--json']);
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(JSON.parse(cancel.stdout)).toMatchObject({ id, provider: 'fal', status: 'canceled' });
    expect(sim.control.jobs()[0]!.canceled).toBe(true);

    const show = await kiln(['show', id]);
    expect(show.code).toBe(1); // canceled
    expect(show.stdout).toMatch(new RegExp(`${id}\\s+canceled\\s+fal:${FLUX}`));
    expect(show.stdout).toMatch(/fal id: \S+/);

    sim.control.loadScenario({ endpoints: { [FLUX]: { startupMs: 0, runMs: 300 } } });
    const retry = await kiln(['retry', id, '--json']);
    expect(retry.code, retry.stderr).toBe(0);
    const doc = JSON.parse(retry.stdout);
    expect(doc).toMatchObject({ provider: 'fal', model: FLUX, status: 'succeeded', retryOf: id });
    expect(sim.control.jobs()).toHaveLength(2);

    const list = await kiln(['list']);
    expect(list.stdout.split('\n').filter((l) => l.includes(`fal:${FLUX}`))).toHaveLength(2);
  });
});
