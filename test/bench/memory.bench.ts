// Main-process memory benchmark (ARCHITECTURE.md, "Performance targets": "main-process memory with 1,000 in flight ≤ 250 MB RSS").
// Run: node test/bench/memory.bench.ts [N]   (default 1,000). Prints `BENCH name value unit` lines.
//
// The real backend (createBackend + createNodeDeps, the same composition browser mode uses, with its
// file logger and settings) runs in THIS process; the Replicate simulator runs in a CHILD process so
// its state for 1,000 predictions does not count against us. Every prediction is created through the
// IPC router (`predictions:create`), with a one-hour cold boot so all N stay in flight; we sample RSS
// and heapUsed while they are created, while the engine follows them for FOLLOW_S seconds, then
// advance the simulator's clock so they all run and succeed, and sample until every output is saved
// in the vault. The target applies to the peak over all three phases.
//
// Creates are the one thing sped up: Kiln's create bucket (480/min by default, 2+ minutes for
// 1,000) is raised to CREATE_PER_MIN, with the simulator's create limit raised to match, only to
// keep the wall time short. Following, polling and downloading use the production settings.
//
// Knobs (environment): BENCH_FOLLOW_S (seconds of following, default 45), BENCH_CREATE_PER_MIN
// (default 3000), BENCH_DEFAULT_V8=1 (measure without Kiln's --max-semi-space-size=8),
// BENCH_TIMELINE=1 (one line a second: rss / heapUsed / heapTotal / external / arrayBuffers),
// BENCH_SNAPSHOT_DIR=dir (heap snapshots there: at the end of following, and BENCH_SNAPSHOT_AT_S
// seconds into the finish, default 20; each pauses the process for seconds and its own memory
// counts in RSS, so the figures of such a run are for diagnosis only), BENCH_ALLOC_PROFILE=file
// (what was allocated during the finish, garbage included, by function: a .heapprofile for
// DevTools), BENCH_SMAPS=1 (resident memory by mapping every 5 s: V8's pages vs native thread
// arenas, ./smaps.ts). Node flags (--trace-gc…) given before the script are passed on to the re-run.
import { spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import inspector from 'node:inspector/promises';
import { createBackend, type Backend } from '../../electron/backend/index.ts';
import { createNodeDeps } from '../../electron/backend/node-deps.ts';
import { SimControlClient } from '../replicate-sim/control-client.ts';
import type { Scenario } from '../replicate-sim/types.ts';
import { spawnSimulator } from '../replicate-sim/spawn.ts';
import { smapsSummary } from './smaps.ts';

// Kiln's Node processes run with V8's young generation capped (package.json scripts, bin/kiln.mjs,
// docs/DECISIONS.md); measure that configuration, re-running ourselves with it if started without.
const SEMI_SPACE_FLAG = '--max-semi-space-size=8';
if (!process.execArgv.includes(SEMI_SPACE_FLAG) && !process.env.BENCH_DEFAULT_V8) {
  const r = spawnSync(process.execPath, [...process.execArgv, SEMI_SPACE_FLAG, ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const N = Number(process.argv[2] ?? 1000);
const FOLLOW_S = Number(process.env.BENCH_FOLLOW_S ?? 45);
const CREATE_PER_MIN = Number(process.env.BENCH_CREATE_PER_MIN ?? 3000);
const TARGET_MB = 250;
const MODEL = 'black-forest-labs/flux-schnell';
const COLD_BOOT_MS = 60 * 60_000;
const RUN_MS = 5_000;
const MB = (b: number) => b / 1e6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SNAPSHOT_DIR = process.env.BENCH_SNAPSHOT_DIR ?? null;
const SNAPSHOT_AT_S = Number(process.env.BENCH_SNAPSHOT_AT_S ?? 20);
let phase = 'idle';
const t00 = Date.now();
if (process.env.BENCH_TIMELINE) {
  setInterval(() => {
    const m = process.memoryUsage();
    const f = (b: number) => MB(b).toFixed(1).padStart(6);
    console.log(
      `t ${((Date.now() - t00) / 1000).toFixed(0).padStart(4)} s ${phase.padEnd(9)} rss ${f(m.rss)} heapUsed ${f(m.heapUsed)} heapTotal ${f(m.heapTotal)} external ${f(m.external)} arrayBuffers ${f(m.arrayBuffers)}`,
    );
  }, 1000).unref();
}
function snapshot(name: string) {
  if (!SNAPSHOT_DIR) return;
  fs.mkdirSync(SNAPSHOT_DIR, { recursive: true });
  const file = v8.writeHeapSnapshot(path.join(SNAPSHOT_DIR, `${name}.heapsnapshot`));
  console.log(`heap snapshot: ${file}`);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-bench-mem-'));
let sim: ChildProcess | null = null;
let backend: Backend | null = null;

/**
 * BENCH_ALLOC_PROFILE=file: V8's sampling heap profiler over the finish, counting objects already
 * collected too (what was allocated, not only what is live), written as a .heapprofile for DevTools.
 */
async function startAllocationProfile() {
  const file = process.env.BENCH_ALLOC_PROFILE;
  if (!file) return null;
  const session = new inspector.Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 16384,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  return {
    async stop() {
      const { profile } = await session.post('HeapProfiler.stopSampling');
      fs.writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
      console.log(`allocation profile: ${file}`);
    },
  };
}

/** Samples RSS and heapUsed every 100 ms until stopped. */
function sampler(onSample?: (m: NodeJS.MemoryUsage) => void) {
  let peakRss = 0;
  let peakHeap = 0;
  // Off the JS heap: Buffers/ArrayBuffers (undici bodies, image bytes) — where RSS beyond heapUsed goes, partly.
  let peakExternal = 0;
  // V8's committed heap: what the heap costs in RSS (heapUsed is only what is live right now).
  let peakHeapTotal = 0;
  let sumRss = 0;
  let n = 0;
  /** The whole split at the moment RSS peaked: how much of the peak was V8's heap, how much native. */
  let atPeak: NodeJS.MemoryUsage | null = null;
  const take = () => {
    const m = process.memoryUsage();
    if (m.rss > peakRss) atPeak = m;
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakExternal = Math.max(peakExternal, m.external);
    peakHeapTotal = Math.max(peakHeapTotal, m.heapTotal);
    sumRss += m.rss;
    n++;
    onSample?.(m);
  };
  take();
  const h = setInterval(take, 100);
  return {
    stop() {
      clearInterval(h);
      take();
      return { peakRss, peakHeap, peakHeapTotal, peakExternal, meanRss: sumRss / n, samples: n, atPeak: atPeak! };
    },
  };
}

async function startSimChild(): Promise<{ baseUrl: string; token: string }> {
  const scenario: Scenario = {
    models: { [MODEL]: { coldBootMs: COLD_BOOT_MS, runMs: RUN_MS } },
    maxRunMs: 4 * 60 * 60_000,
    retentionMs: 24 * 60 * 60_000,
    rateLimits: { createPerMin: CREATE_PER_MIN * 2 },
  };
  const spawned = await spawnSimulator({ scenario });
  sim = spawned.child;
  return { baseUrl: spawned.baseUrl, token: spawned.token };
}

async function counts(b: Backend): Promise<Record<string, number>> {
  const env = (await b.invoke('predictions:counts', {})) as { ok: boolean; value?: { byStatus: Record<string, number> } };
  if (!env.ok || !env.value) throw new Error(`predictions:counts failed: ${JSON.stringify(env)}`);
  return env.value.byStatus;
}

/** Polls until `done(byStatus)` or the deadline; returns whether it got there. */
async function waitFor(b: Backend, done: (c: Record<string, number>) => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (done(await counts(b))) return true;
    await sleep(250);
  }
  return false;
}

function line(name: string, value: number, unit: string, target?: string) {
  console.log(`BENCH ${name} ${value.toFixed(1)} ${unit}${target ? `  # target ${target}` : ''}`);
}

try {
  const { baseUrl, token } = await startSimChild();
  const control = new SimControlClient(baseUrl);
  backend = await createBackend(
    createNodeDeps({
      dataDir: dir,
      mode: 'memory',
      replicateBaseUrl: baseUrl,
      env: { REPLICATE_API_TOKEN: token },
      engineOptions: { budget: { create: { perMinute: CREATE_PER_MIN, burst: 50 } } },
    }),
  );
  // Browser mode and Electron serialise every event for the renderer; do the same, so the cost of
  // producing updates for 1,000 cards is in the figure.
  let events = 0;
  let eventBytes = 0;
  backend.on((event, payload) => {
    events++;
    eventBytes += JSON.stringify({ event, payload }).length;
  });
  await backend.start();
  await sleep(2000);
  const idle = sampler();
  await sleep(2000);
  const base = idle.stop();
  const baseRss = base.meanRss;
  line('memory.idle_rss', MB(baseRss), 'MB');
  const SM = process.env.BENCH_SMAPS ? smapsSummary : () => {};
  SM('idle');

  // Phase 1: create N and follow them all while they sit in a long cold boot.
  const t0 = Date.now();
  phase = 'creating';
  const creating = sampler();
  const ids: string[] = [];
  for (let i = 0; i < N; i++) {
    const env = (await backend.invoke('predictions:create', {
      model: MODEL,
      input: { prompt: `memory bench #${i} a lighthouse in a storm, oil painting` },
    })) as { ok: boolean; value?: { ids: string[] } };
    if (!env.ok || !env.value) throw new Error(`predictions:create failed: ${JSON.stringify(env)}`);
    ids.push(...env.value.ids);
  }
  const allStarting = await waitFor(backend, (c) => (c.starting ?? 0) >= N, 180_000);
  const createS = (Date.now() - t0) / 1000;
  const created = creating.stop();
  if (!allStarting) throw new Error(`not all ${N} reached starting: ${JSON.stringify(await counts(backend))}`);
  phase = 'following';
  const follow = sampler();
  const before = await control.counters();
  await sleep(FOLLOW_S * 1000);
  const inFlight = follow.stop();
  snapshot('1-following');
  SM('following');
  const smT = setInterval(() => SM('finishing'), 5000);
  const after = await control.counters();
  const byStatus = await counts(backend);
  const followReqs = (after.total - before.total) / FOLLOW_S;

  // Phase 2: the cold boot is over for everyone; they run, succeed and their outputs are saved.
  phase = 'finishing';
  const finish = sampler();
  const allocProfile = await startAllocationProfile();
  const snapAt = setTimeout(() => snapshot('2-finishing'), SNAPSHOT_AT_S * 1000);
  const tFinish = Date.now();
  const cpuFinish = process.cpuUsage(); // CPU time, not wall time: the shared machine's load barely moves it
  await control.advance(COLD_BOOT_MS);
  await sleep(3000);
  await control.advance(RUN_MS + 1000);
  const allSucceeded = await waitFor(backend, (c) => (c.succeeded ?? 0) >= N, 180_000);
  // ...and every output is in the vault (stopping earlier would abort downloads and measure less).
  const { history } = backend.services;
  const saveUntil = Date.now() + 180_000;
  const isSaved = (id: string) => history.getOutputs(id).some((o) => o.state === 'saved');
  // The watcher's own cost stays out of the figure: each look re-reads only the runs not yet seen
  // saved, up to the first still unsaved (reading all 1,000 rows twice a second was a quarter of
  // everything allocated during the finish, and its garbage counted as Kiln's).
  const waiting = new Set(ids);
  while (allSucceeded && waiting.size && Date.now() < saveUntil) {
    for (const id of waiting) {
      if (!isSaved(id)) break;
      waiting.delete(id);
    }
    if (waiting.size) await sleep(500);
  }
  const finishCpu = process.cpuUsage(cpuFinish);
  console.log(`finish: all succeeded and saved in ${((Date.now() - tFinish) / 1000).toFixed(1)} s`);
  const finishing = finish.stop();
  const unsaved = ids.filter((id) => !isSaved(id)).length; // the full check, once the sampling has stopped
  const allDone = allSucceeded && unsaved === 0;
  clearTimeout(snapAt);
  await allocProfile?.stop();
  phase = 'settled';
  clearInterval(smT);
  SM('settled');
  const final = await counts(backend);
  const settled = process.memoryUsage();

  console.log(
    `N = ${N}: created and all in 'starting' in ${createS.toFixed(1)} s; followed for ${FOLLOW_S} s at ${followReqs.toFixed(1)} API req/s; ${events} events (${(eventBytes / 1e6).toFixed(1)} MB serialised); still in flight at the end: ${byStatus.starting ?? 0}; 429s: ${after.throttled}`,
  );
  line('memory.creating_peak_rss', MB(created.peakRss), 'MB', `<= ${TARGET_MB} MB`);
  line('memory.inflight_count', byStatus.starting ?? 0, 'count');
  line('memory.inflight_peak_rss', MB(inFlight.peakRss), 'MB', `<= ${TARGET_MB} MB`);
  line('memory.inflight_mean_rss', MB(inFlight.meanRss), 'MB');
  line('memory.inflight_rss_delta', MB(inFlight.peakRss - baseRss), 'MB');
  line('memory.inflight_peak_heap_used', MB(inFlight.peakHeap), 'MB');
  line('memory.inflight_peak_heap_total', MB(inFlight.peakHeapTotal), 'MB');
  line('memory.inflight_peak_external', MB(inFlight.peakExternal), 'MB');
  line('memory.finish_peak_rss', MB(finishing.peakRss), 'MB', `<= ${TARGET_MB} MB`);
  line('memory.finish_rss_delta', MB(finishing.peakRss - baseRss), 'MB');
  // At the finish's RSS peak: V8's committed heap, the live-or-garbage part of it, and off-heap buffers;
  // the rest of RSS is code, native libraries and malloc arenas (BENCH_SMAPS=1 breaks that down).
  line('memory.finish_at_peak_heap_total', MB(finishing.atPeak.heapTotal), 'MB');
  line('memory.finish_at_peak_heap_used', MB(finishing.atPeak.heapUsed), 'MB');
  line('memory.finish_at_peak_external', MB(finishing.atPeak.external), 'MB');
  line('memory.finish_at_peak_other', MB(finishing.atPeak.rss - finishing.atPeak.heapTotal - finishing.atPeak.external), 'MB');
  line('memory.finish_peak_heap_used', MB(finishing.peakHeap), 'MB');
  line('memory.finish_peak_heap_total', MB(finishing.peakHeapTotal), 'MB');
  line('memory.finish_peak_external', MB(finishing.peakExternal), 'MB');
  line('memory.settled_rss', MB(settled.rss), 'MB');
  // What the finish cost this process in CPU (all threads: JS, GC, libuv's pool, libvips).
  line('memory.finish_cpu', (finishCpu.user + finishCpu.system) / 1e6, 's');
  line('memory.succeeded', final.succeeded ?? 0, 'count');
  line('memory.outputs_saved', ids.length - unsaved, 'count');
  const peak = Math.max(created.peakRss, inFlight.peakRss, finishing.peakRss);
  console.log(
    `target main-process RSS with ${N} in flight <= ${TARGET_MB} MB: ${peak <= TARGET_MB * 1e6 ? 'MET' : 'MISSED'} (peak ${MB(peak).toFixed(1)} MB: creating ${MB(created.peakRss).toFixed(1)}, following ${MB(inFlight.peakRss).toFixed(1)}, finishing + saving ${MB(finishing.peakRss).toFixed(1)}; idle ${MB(baseRss).toFixed(1)})`,
  );
  if (!allDone) {
    console.log(`not all finished: ${JSON.stringify(final)}, ${unsaved} outputs not saved`);
    process.exitCode = 1;
  }
} finally {
  await backend?.stop().catch(() => {});
  const child = sim as ChildProcess | null; // assigned inside startSimChild, which TS cannot see
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  }
  fs.rmSync(dir, { recursive: true, force: true });
}
