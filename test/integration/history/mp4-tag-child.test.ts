import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { removeTempDirs, tempDir } from '../../unit/history-helpers.ts';
import { mp4Tags } from '../../../electron/backend/vault/mp4-tags.ts';
import { readMp4Tags } from '../../../electron/backend/vault/mp4-meta.ts';
import { mp4TaggerInChild } from '../../../electron/backend/vault/mp4-tag-child.ts';
import { forkWorker } from '../../../electron/backend/host/fork-worker.ts';

afterAll(removeTempDirs);

// The vault writes MP4 tags in a child process (real `fork`, the real worker and mediabunny): the
// answer comes back over IPC; a child that crashes, hangs or never starts costs the tags at most,
// never the file or the run.

const SAMPLE = new URL('../../replicate-sim/fixtures/sample.mp4', import.meta.url).pathname;
const entries = {
  Software: 'Kiln',
  provider: 'replicate',
  model: 'google/veo-3',
  kiln_id: 'k-1',
  seed: '7',
  input: JSON.stringify({ prompt: 'a kiln, from a child' }),
};
const tags = mp4Tags(entries, '2026-11-30T10:00:00.000Z');
const warnings: unknown[][] = [];
const log = { debug() {}, info() {}, warn: (...a: unknown[]) => void warnings.push(a), error() {} };

function script(dir: string, name: string, body: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, body);
  return file;
}

describe('MP4 tags in a child process', () => {
  it('the child remuxes with the tags, and its answer (size, hash) is the file it wrote', async () => {
    const dir = tempDir('kiln-mp4child-');
    const dest = path.join(dir, 'out.mp4');
    const tagger = mp4TaggerInChild({ log });
    const r = await tagger.tag(SAMPLE, dest, '.mp4', tags);
    expect(r).toMatchObject({ size: fs.statSync(dest).size });
    expect('sha256' in r && r.sha256).toBe(createHash('sha256').update(fs.readFileSync(dest)).digest('hex'));
    const back = await readMp4Tags(dest);
    expect(back.title).toBe('a kiln, from a child');
    expect(back.date?.toISOString().slice(0, 10)).toBe('2026-11-30'); // a Date crosses the IPC channel
    expect(fs.statSync(SAMPLE).size).toBeGreaterThan(0);
  });

  it('an MP4 whose sample table claims billions of samples dies at the heap bound, not at the time limit', async () => {
    // 11 KB: the sample fixture with its video track's one `stts` entry claiming 2^32-1 samples.
    // mediabunny builds an object per claimed sample (the track has a `ctts`); unbounded, the
    // child took 4.2 GB before the time limit ended it.
    const dir = tempDir('kiln-mp4child-');
    const bytes = fs.readFileSync(SAMPLE);
    const at = bytes.indexOf(Buffer.from('stts'));
    bytes.writeUInt32BE(0xffffffff, at + 12);
    const bomb = path.join(dir, 'bomb.mp4');
    fs.writeFileSync(bomb, bytes);
    const tagger = mp4TaggerInChild({ log, heapMb: 64, timeoutMs: () => 60_000 });
    const r = await tagger.tag(bomb, path.join(dir, 'out.mp4'), '.mp4', tags);
    expect('why' in r && r.why).toMatch(/ended .*heap.*out of memory/i); // the caller drops the partial file (finalize.ts)
  }, 90_000);

  it("mediabunny's own refusal comes back as the reason", async () => {
    const dir = tempDir('kiln-mp4child-');
    const src = script(dir, 'not-a-video.mp4', 'plain text, not an MP4');
    const r = await mp4TaggerInChild({ log }).tag(src, path.join(dir, 'out.mp4'), '.mp4', tags);
    expect(r).toHaveProperty('why');
    expect(fs.existsSync(path.join(dir, 'out.mp4'))).toBe(false);
  });

  it('a child that dies without answering gives the reason it printed, not a hang', async () => {
    const dir = tempDir('kiln-mp4child-');
    const worker = script(dir, 'crash.mjs', "process.once('message', () => { console.error('out of memory, say'); process.exit(3); });");
    const r = await mp4TaggerInChild({ log, worker }).tag(SAMPLE, path.join(dir, 'out.mp4'), '.mp4', tags);
    expect(r).toEqual({ why: expect.stringMatching(/ended \(exit 3: out of memory, say\) without an answer/) });
  });

  it('a child that hangs is killed at its time limit', async () => {
    const dir = tempDir('kiln-mp4child-');
    const pidFile = path.join(dir, 'pid');
    const worker = script(
      dir,
      'hang.mjs',
      `import fs from 'node:fs'; fs.writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setInterval(() => {}, 1000);`,
    );
    const r = await mp4TaggerInChild({ log, worker, timeoutMs: () => 1500 }).tag(SAMPLE, path.join(dir, 'out.mp4'), '.mp4', tags);
    expect(r).toEqual({ why: 'the MP4 remux did not finish within 2 s' });
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    await expect.poll(() => alive(pid), { timeout: 5000 }).toBe(false);
  });

  it('close() ends a running child; its job answers at once', async () => {
    const dir = tempDir('kiln-mp4child-');
    const worker = script(dir, 'slow.mjs', 'setInterval(() => {}, 1000);');
    const tagger = mp4TaggerInChild({ log, worker });
    const job = tagger.tag(SAMPLE, path.join(dir, 'out.mp4'), '.mp4', tags);
    await new Promise((r) => setTimeout(r, 300));
    tagger.close();
    expect(await job).toEqual({ why: expect.stringMatching(/ended \(SIGKILL\)/) });
  });

  it('a host that cannot start a child: no tags (the sidecar keeps them), said once in the log, nothing remuxed here', async () => {
    const dir = tempDir('kiln-mp4child-');
    const dest = path.join(dir, 'out.mp4');
    warnings.length = 0;
    const tagger = mp4TaggerInChild({ log, startWorker: forkWorker(path.join(dir, 'no-such-node')) });
    for (let i = 0; i < 2; i++) expect(await tagger.tag(SAMPLE, dest, '.mp4', tags)).toEqual({ why: expect.stringMatching(/could not start: spawn .*ENOENT/) });
    expect(fs.existsSync(dest)).toBe(false);
    expect(warnings).toHaveLength(1);
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
