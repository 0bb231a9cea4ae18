import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createFalClient } from '@fal-ai/client';
import { startFalSimulator, fetchViaSimulator, type FalSim, type Scenario } from '../fal-sim/index.ts';
import { createBackend } from '../../electron/backend/index.ts';
import type { BackendDeps, Clock, Logger } from '../../electron/backend/types.ts';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/domain/settings.ts';
import { isTerminal } from '../../shared/domain/status.ts';
import type { EngineOptionsInput } from '../../electron/backend/engine/options.ts';

// The fal benchmark (issue 12, ARCHITECTURE.md, "Performance targets"): the same simulated workload through Kiln's engine and
// through the official `@fal-ai/client` (1.10.1) `subscribe` (polling at its default 500 ms, the
// result fetched at the end), side by side, at N = 1, 10, 50, 100, against the fal simulator.
//
// Time: the simulator runs SPEED× (default 1) faster than real time; Kiln lives in simulated time through its
// injected clock, the official client through `pollInterval: 500 / SPEED`. The simulator's account
// has 10 runners (RUNNERS), so at N = 100 most jobs wait IN_QUEUE with a queue position. Kiln follows
// each run by fal's status stream (one request; engine/streams.ts, up to maxStatusStreams at once) and
// polls only the runs waiting for a stream slot (by the queue-position cadence) and after a stream's
// silence. Rate limits are the simulator's defaults.
//
// Detection: from the job's end at the simulator (request history `ended_at`) to Kiln's record
// being terminal (the engine's onRecord), or to `subscribe` resolving for the official client
// (both include the result fetch). Requests: every request to fal's queue/platform/storage APIs
// (not the media CDN, not the history query this bench makes at the end), per completed run.
//
// Run: node test/bench/fal.bench.ts [N...]

// Real time (×1), not the Replicate bench's ×10: the official client polls every run every 500 ms, and
// 100 runs at ×10 is 2,000 requests per real second — more than a loaded 2-core machine answers, so
// both clients would be measured waiting on the CPU instead of on their cadence.
const SPEED = Number(process.env.BENCH_SPEED ?? 1);
const NS = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const SIZES = NS.length ? NS : [1, 10, 50, 100];
/** Issue 12: Kiln/official requests per completed run at N = 100. */
const TARGET_RATIO: Record<number, number> = { 100: 1 / 5 };
/** Issue 12 / ARCHITECTURE.md, "Performance targets": end → noticed, p95, with ≤ 50 in flight. */
const TARGET_P95_S = 1.5;
const WALL_LIMIT_MS = 300_000;
/** The account's runners (the simulator's default; fal's are 2–40): beyond them, jobs queue. */
const RUNNERS = 10;

const MODELS: NonNullable<Scenario['endpoints']> = {
  'fal-ai/flux/schnell': { startupMs: 500, runMs: 1_500 },
  'fal-ai/flux/dev': { startupMs: 2_000, runMs: 5_000 },
  'fal-ai/kling-video/v2.1/master/text-to-video': { startupMs: 5_000, runMs: 20_000 },
};
const MIX = ['fal-ai/flux/schnell', 'fal-ai/flux/schnell', 'fal-ai/flux/dev', 'fal-ai/kling-video/v2.1/master/text-to-video', 'fal-ai/flux/dev'];

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

interface Result {
  n: number;
  completed: number;
  /** API requests (queue, platform, storage; not the CDN) during the run. */
  apiRequests: number;
  throttled: number;
  latencies: number[]; // job end at the simulator → noticed, simulated ms
  wallMs: number;
  byEndpoint: Record<string, number>;
}

function driveTime(sim: FalSim): () => void {
  let last = Date.now();
  const h = setInterval(() => {
    const now = Date.now();
    sim.control.advance((now - last) * (SPEED - 1));
    last = now;
  }, 20);
  return () => clearInterval(h);
}

const isApi = (endpoint: string) => !endpoint.startsWith('cdn') && !endpoint.startsWith('__');

function apiCount(byEndpoint: Record<string, number>): number {
  let n = 0;
  for (const [k, v] of Object.entries(byEndpoint)) if (isApi(k)) n += v;
  return n;
}

/** Each job's end at the simulator (request history ended_at), by request id. Read after the counters are taken. */
async function endedAt(sim: FalSim): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const endpoint of Object.keys(MODELS)) {
    let cursor: string | null = null;
    do {
      const q = new URLSearchParams({ endpoint_id: endpoint, limit: '100' });
      if (cursor) q.set('cursor', cursor);
      const r = await fetch(`${sim.apiUrl}/models/requests/by-endpoint?${q}`, { headers: { authorization: `Key ${sim.key}` } });
      if (!r.ok) throw new Error(`request history answered ${r.status}: ${await r.text()}`);
      const body = (await r.json()) as { items: { request_id: string; ended_at: string | null }[]; next_cursor: string | null; has_more: boolean };
      for (const it of body.items) if (it.ended_at) out.set(it.request_id, Date.parse(it.ended_at));
      cursor = body.has_more ? body.next_cursor : null;
    } while (cursor);
  }
  return out;
}

const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function runKiln(n: number): Promise<Result> {
  const sim = await startFalSimulator({ scenario: { endpoints: MODELS, concurrency: RUNNERS } });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kiln-bench-fal-'));
  const clock: Clock = {
    now: () => sim.control.now(),
    setTimeout: (fn, ms) => {
      const t = setTimeout(fn, ms / SPEED);
      t.unref?.();
      return t;
    },
    clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  };
  let settings: Settings = { ...DEFAULT_SETTINGS, createConcurrency: 16 };
  // BENCH_DEBUG: Kiln's status requests by the status they answered (where its requests go).
  const answered: Record<string, number> = {};
  const debugFetch: typeof fetch = async (input, init) => {
    const res = await globalThis.fetch(input, init);
    if (/\/status(\?|$)/.test(String(input instanceof Request ? input.url : input))) {
      const body = (await res
        .clone()
        .json()
        .catch(() => ({}))) as { status?: string; queue_position?: number };
      const key =
        body.status === 'IN_QUEUE' ? `IN_QUEUE@${Math.min(10, body.queue_position ?? 0)}${(body.queue_position ?? 0) >= 10 ? '+' : ''}` : String(body.status);
      answered[key] = (answered[key] ?? 0) + 1;
    }
    return res;
  };
  const deps: BackendDeps = {
    dataDir,
    fetch: process.env.BENCH_DEBUG ? debugFetch : globalThis.fetch,
    clock,
    secrets: { get: async (p) => (p === 'fal' ? sim.key : null), set: async () => {}, clear: async () => {}, protection: () => 'env' },
    settings: { get: () => settings, set: (p) => (settings = { ...settings, ...p }) },
    log: silent,
    mode: 'memory',
    // Only so the vault accepts the simulator's http media URLs (as in test/integration/engine/fal-harness.ts).
    replicateBaseUrl: `${sim.origin}/replicate-unused`,
    falBases: { queueUrl: sim.queueUrl, apiUrl: sim.apiUrl, storageUrl: sim.storageUrl },
    // BENCH_ENGINE='{"cadence":{"queueStepMs":500}}' tries other engine settings without editing code.
    engineOptions: JSON.parse(process.env.BENCH_ENGINE ?? '{}') as EngineOptionsInput,
  };
  const backend = await createBackend(deps);
  const { engine, history } = backend.services;
  const noticed = new Map<string, number>();
  engine.onRecord((r) => {
    if (isTerminal(r.status) && !noticed.has(r.id)) noticed.set(r.id, clock.now());
  });
  const stopTime = driveTime(sim);
  const t0 = Date.now();
  await backend.start();
  const ids = Array.from(
    { length: n },
    (_, i) => engine.submit({ provider: 'fal', model: `fal:${MIX[i % MIX.length]!}`, input: { prompt: `bench ${n} #${i}` } }).id,
  );
  const deadline = Date.now() + WALL_LIMIT_MS;
  while (Date.now() < deadline && noticed.size < n) await new Promise((r) => setTimeout(r, 100));
  const wallMs = Date.now() - t0;
  stopTime();
  const counters = sim.control.counters();
  const ends = await endedAt(sim);
  const latencies: number[] = [];
  let completed = 0;
  for (const id of ids) {
    const rec = history.get(id)!;
    if (rec.status !== 'succeeded') continue;
    completed++;
    const done = rec.providerId ? ends.get(rec.providerId) : undefined;
    if (done !== undefined && noticed.has(id)) latencies.push(Math.max(0, noticed.get(id)! - done));
    if (process.env.BENCH_DEBUG && done !== undefined) console.log(`  ${rec.model} detect ${((noticed.get(id)! - done) / 1000).toFixed(2)} s`);
  }
  if (process.env.BENCH_DEBUG)
    console.log(`  kiln status answers (polls only; streams: ${counters.byEndpoint['queue.stream'] ?? 0}): ${JSON.stringify(answered)}`);
  engine.kill();
  await backend.stop().catch(() => {});
  await sim.close();
  rmSync(dataDir, { recursive: true, force: true });
  return { n, completed, apiRequests: apiCount(counters.byEndpoint), throttled: counters.throttled, latencies, wallMs, byEndpoint: counters.byEndpoint };
}

async function runOfficial(n: number): Promise<Result> {
  const sim = await startFalSimulator({ scenario: { endpoints: MODELS, concurrency: RUNNERS } });
  const fal = createFalClient({ credentials: sim.key, fetch: fetchViaSimulator(sim) });
  const stopTime = driveTime(sim);
  const t0 = Date.now();
  const seen = new Map<string, number>();
  let completed = 0;
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      let requestId = '';
      try {
        const res = await fal.subscribe(MIX[i % MIX.length]!, {
          input: { prompt: `bench ${n} #${i}` },
          pollInterval: 500 / SPEED,
          onEnqueue: (id) => (requestId = id),
        });
        seen.set(res.requestId || requestId, sim.control.now());
        completed++;
      } catch {
        // a 429 after its retries, or a failed job: not completed
      }
    }),
  );
  const wallMs = Date.now() - t0;
  stopTime();
  const counters = sim.control.counters();
  const ends = await endedAt(sim);
  const latencies: number[] = [];
  for (const [id, at] of seen) {
    const done = ends.get(id);
    if (done !== undefined) latencies.push(Math.max(0, at - done));
  }
  await sim.close();
  return { n, completed, apiRequests: apiCount(counters.byEndpoint), throttled: counters.throttled, latencies, wallMs, byEndpoint: counters.byEndpoint };
}

function round(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(3).replace(/\.?0+$/, '') || '0';
}

function report(k: Result, o: Result) {
  const per = (r: Result) => (r.completed ? r.apiRequests / r.completed : Infinity);
  const line = (name: string, kv: number, ov: number, unit: string) => {
    console.log(`BENCH fal.n${k.n}.kiln.${name} ${round(kv)} ${unit}`);
    console.log(`BENCH fal.n${k.n}.official.${name} ${round(ov)} ${unit}`);
    console.log(`BENCH fal.n${k.n}.ratio.${name} ${round(ov === 0 ? (kv === 0 ? 1 : Infinity) : kv / ov)} x`);
  };
  line('requests_per_completed', per(k), per(o), 'req');
  line('http_429', k.throttled, o.throttled, 'count');
  line('completed', k.completed, o.completed, 'count');
  line('detect_p50', pct(k.latencies, 50) / 1000, pct(o.latencies, 50) / 1000, 's');
  line('detect_p95', pct(k.latencies, 95) / 1000, pct(o.latencies, 95) / 1000, 's');
  const ratio = per(k) / per(o);
  const target = TARGET_RATIO[k.n];
  if (target !== undefined) {
    console.log(`BENCH fal.n${k.n}.target.requests_per_completed_ratio ${round(target)} x`);
    console.log(`BENCH fal.n${k.n}.met.requests_per_completed_ratio ${ratio <= target ? 1 : 0} bool`);
  }
  const p95 = pct(k.latencies, 95) / 1000;
  if (k.n <= 50) {
    console.log(`BENCH fal.n${k.n}.target.kiln_detect_p95 ${TARGET_P95_S} s`);
    console.log(`BENCH fal.n${k.n}.met.kiln_detect_p95 ${p95 <= TARGET_P95_S ? 1 : 0} bool`);
  }
  console.log(
    `N = ${k.n} (simulated ×${SPEED}; wall: kiln ${(k.wallMs / 1000).toFixed(1)} s, official ${(o.wallMs / 1000).toFixed(1)} s): completed kiln ${k.completed}/${k.n}, official ${o.completed}/${o.n}`,
  );
  console.log(`requests by endpoint — kiln: ${JSON.stringify(k.byEndpoint)}; official: ${JSON.stringify(o.byEndpoint)}`);
}

for (const n of SIZES) {
  const k = await runKiln(n);
  const o = await runOfficial(n);
  report(k, o);
}
