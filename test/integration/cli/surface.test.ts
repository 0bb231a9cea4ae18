import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSimulator, type Sim } from '../../replicate-sim/index.ts';
import { ROOT, kilnChild, type KilnOptions } from './kiln-child.ts';

// The `kiln` command's surface (ARCHITECTURE.md, "Fixed interfaces", issue 9 "The CLI as a real command"), through the real
// child process against the simulator, and the npm scripts' set-up checks.

const FAST = 'black-forest-labs/flux-schnell';
const LLAMA = 'meta/meta-llama-3-8b-instruct';
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
  sim.control.loadScenario({
    models: { [FAST]: { coldBootMs: 200, runMs: 300 }, [LLAMA]: { coldBootMs: 200, runMs: 4000 }, 'stability-ai/sdxl': { coldBootMs: 200, runMs: 300 } },
  });
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'kiln-cli-surface-'));
});
const env = () => ({ REPLICATE_API_TOKEN: sim.token, KILN_REPLICATE_BASE_URL: sim.baseUrl, KILN_DATA_DIR: dataDir });
const kiln = (args: string[], o: Partial<KilnOptions> = {}) => kilnChild(args, { ...o, env: { ...env(), ...o.env } });
/** npm's own entry script, run with this (new) Node so only the scripts' `node` is the old one. */
const npmCli = (() => {
  const r = spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' });
  return realpathSync(r.stdout.trim());
})();
const pkgVersion = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe('kiln, the command', () => {
  it('--version prints the package version; no arguments prints the usage and exits 2', async () => {
    const v = await kiln(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe(`kiln ${pkgVersion}`);
    const none = await kiln([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toMatch(/^Usage:/);
    expect(none.stderr).toMatch(/130 interrupted \(Ctrl-C\)/);
  });

  it('model references: replicate:OWNER/NAME works; fal: without FAL_KEY says so (exit 3); an unknown provider is a usage error', async () => {
    const r = await kiln(['run', `replicate:${FAST}`, '-i', 'prompt=prefixed', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'succeeded', provider: 'replicate', model: FAST });
    const creates = sim.control.counters().byEndpoint['predictions.create'] ?? 0;
    // fal runs are covered against the fal simulator in fal.test.ts; here only that none goes to Replicate.
    const fal = await kiln(['run', 'fal:fal-ai/flux/dev', '-i', 'prompt=x'], { env: { FAL_KEY: '' } });
    expect(fal.code).toBe(3);
    expect(fal.stderr).toMatch(/set FAL_KEY/);
    const other = await kiln(['run', 'openai:gpt-4', '-i', 'prompt=x']);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/Unknown provider "openai"/);
    expect(sim.control.counters().byEndpoint['predictions.create'] ?? 0).toBe(creates);
  });

  it('a community model given without a version runs its latest version, as the app does', async () => {
    const r = await kiln(['run', 'stability-ai/sdxl', '-i', 'prompt=community', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { status: string; version: string };
    expect(doc.status).toBe('succeeded');
    expect(doc.version).toMatch(/^[0-9a-f]{64}$/);
  });

  it('--json: one object with id, provider, model, status, absolute files, text, error and cost — pipeable through npm run -s', async () => {
    const cmd = `npm run -s kiln -- run ${FAST} -i prompt=piped --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const d=JSON.parse(s);console.log(d.status+" "+d.files.length)})'`;
    // Not spawnSync: the simulator runs in this process and must keep answering.
    const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const c = spawn('sh', ['-c', cmd], { cwd: ROOT, env: { ...process.env, ...env() }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      c.stdout.on('data', (d) => (stdout += d));
      c.stderr.on('data', (d) => (stderr += d));
      c.on('close', (status) => resolve({ status, stdout, stderr }));
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('succeeded 1');
    const direct = await kiln(['run', FAST, '-i', 'prompt=shape', '--json']);
    const doc = JSON.parse(direct.stdout) as Record<string, unknown>;
    for (const k of ['id', 'provider', 'model', 'status', 'files', 'text', 'error', 'cost']) expect(doc).toHaveProperty(k);
    expect(doc).toMatchObject({ provider: 'replicate', model: FAST, status: 'succeeded', text: null, error: null });
    for (const f of doc.files as string[]) expect(path.isAbsolute(f)).toBe(true);
  });

  it('text streams to stdout while the model is still running; --json carries the full text', async () => {
    let statusAtFirstText: string | null = null;
    const r = await kiln(['run', LLAMA, '-i', 'prompt=tell me about kilns', '-i', 'max_tokens=40'], {
      onStdout: () => {
        statusAtFirstText ??= sim.control.predictions()[0]?.status ?? 'none';
      },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(statusAtFirstText).toBe('processing');
    const text = r.stdout.trim();
    expect(text.length).toBeGreaterThan(10);
    const j = await kiln(['show', JSON.parse((await kiln(['list', '--json'])).stdout)[0].id, '--json']);
    expect((JSON.parse(j.stdout) as { text: string }).text.trim()).toBe(text);
  });

  it('a missing @file is a plain message naming the path, exit 2, nothing sent', async () => {
    const missing = path.join(dataDir, 'nope.png');
    const r = await kiln(['run', FAST, '-i', 'prompt=x', '-i', `image=@${missing}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`no such file: ${missing}`);
    expect(r.stderr).not.toMatch(/ENOENT|staging|\.tmp|at .*\.ts:\d+/);
    const dir = await kiln(['run', FAST, '-i', 'prompt=x', `-i`, `image=@${dataDir}`]);
    expect(dir.code).toBe(2);
    expect(dir.stderr).toMatch(/is a folder, not a file/);
    expect(sim.control.counters().total).toBe(0);
  });
});

describe('npm scripts check their set-up first', () => {
  it('an old Node gets one line naming the Node version needed (not ERR_UNKNOWN_FILE_EXTENSION)', () => {
    const old = ['/usr/bin/node', '/usr/local/bin/node'].find((p) => {
      const r = spawnSync(p, ['--version'], { encoding: 'utf8' });
      return r.status === 0 && Number(r.stdout.slice(1).split('.')[0]) < 22;
    });
    if (!old) return void console.warn('no Node older than 22 on this machine: skipped');
    const bin = mkdtempSync(path.join(os.tmpdir(), 'kiln-oldnode-'));
    symlinkSync(old, path.join(bin, 'node'));
    for (const script of [
      ['run', '-s', 'kiln', '--', '--version'],
      ['run', '-s', 'sim', '--', '--help'],
    ]) {
      const r = spawnSync(process.execPath, [npmCli, ...script], {
        cwd: ROOT,
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(r.status).not.toBe(0);
      const lines = r.stderr.split('\n').filter((l) => l.trim() && !/^npm (error|ERR)/.test(l));
      expect(lines).toEqual([expect.stringMatching(/^Kiln needs Node\.js 22\.18\.0 or newer .*this is Node 20\./)]);
      expect(r.stderr).not.toMatch(/ERR_UNKNOWN_FILE_EXTENSION/);
    }
    rmSync(bin, { recursive: true, force: true });
  });

  it('npm start without a downloadable Electron binary points at npm run web, no stack trace', async () => {
    // A mirror that refuses connections: the download fails fast, as it does offline.
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const c = spawn(process.execPath, [npmCli, 'start'], {
        cwd: ROOT,
        env: { ...process.env, ELECTRON_MIRROR: 'http://127.0.0.1:9/', electron_config_cache: mkdtempSync(path.join(os.tmpdir(), 'kiln-ecache-')) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      c.stdout.on('data', (d) => (out += d));
      c.stderr.on('data', (d) => (out += d));
      c.on('close', (code) => resolve({ code, out }));
    });
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/cannot start the desktop app: the Electron binary could not be downloaded/);
    expect(r.out).toMatch(/npm run web/);
    expect(r.out).not.toMatch(/^\s+at .*\(.*:\d+:\d+\)/m);
    expect(r.out).not.toMatch(/vite|building/i); // refused before a build that could not be used
  }, 120_000);
});
