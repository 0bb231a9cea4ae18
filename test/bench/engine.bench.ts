import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Replicate from 'replicate';
import { startSimulator, type Scenario, type Sim } from '../replicate-sim/index.ts';
import { createBackend } from '../../electron/backend/index.ts';
import type { BackendDeps, Clock, Logger } from '../../electron/backend/types.ts';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/domain/settings.ts';
import { isTerminal } from '../../shared/domain/status.ts';
import type { EngineOptionsInput } from '../../electron/backend/engine/options.ts';

// The engine benchmark (issue 4, ARCHITECTURE.md, "Performance targets"): the same simulated workload through Kiln's engine and
// through the official `replicate` 1.4.0 client (`predictions.create` + `wait()` at its default
// 500 ms), side by side, at N = 10, 100, 1,000.
//
// Time: the simulator runs SPEED× faster than real time, and both clients live in simulated time —
// Kiln through its injected clock (so its cadence, budget and back-off are the production ones,
// measured in simulated minutes), the official client through `interval: 500 / SPEED`. Rate limits
// are Replicate's real ones (600 creates, 3000 other requests per simulated minute). Everything
// reported below is in simulated time, i.e. what a user would see — except that every real
// millisecond either client spends on its CPU (Kiln: a history write, an event, a download and its
// thumbnail per change; the official client: almost nothing) counts as SPEED simulated ones. At ×10
// on a busy 2-core machine that alone moved Kiln's detection p95 by seconds (N = 1,000: 8–9.7 s at
// ×10, 1.4 s at ×2, same code, same machine), so every N runs at ×2 (N = 1,000 then takes about
// three minutes a side). BENCH_SPEED=x sets another speed.
//
// Run: node test/bench/engine.bench.ts [N...]; BENCH_WARM=1 first runs a few of each fast model on both
// sides, uncounted (a user who has run them before: Kiln then holds their creates, engine/hold.ts).

const SPEED = Number(process.env.BENCH_SPEED ?? 2);
const NS = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const SIZES = NS.length ? NS : [1, 10, 100, 1000];
/** ARCHITECTURE.md, "Performance targets": Kiln/official requests per completed prediction at N = 1 / 100 / 1,000. */
const TARGET_RATIO: Record<number, number> = { 1: 1, 100: 1 / 10, 1000: 1 / 20 };
/** ARCHITECTURE.md, "Performance targets": status change → noticed, p95, with ≤ 50 / 1,000 in flight. */
const targetP95 = (n: number) => (n <= 50 ? 1.5 : 5);
/** Per-prediction give-up for the official client (it never ends on `aborted`, and errors out on 429s). */
const OFFICIAL_TIMEOUT_SIM_MS = 15 * 60_000;

// Run times vary by ±20 % per prediction (runJitter), as real ones do: with exact times, a client
// polling every 500 ms from create is phase-locked to the ends (a 5.000 s run seen 0 ms late), and
// its detection figure measures the simulator's round numbers, not its cadence.
const MODELS: Scenario['models'] = {
  'black-forest-labs/flux-schnell': { coldBootMs: 2_000, runMs: 3_000, runJitter: 0.2 },
  'black-forest-labs/flux-dev': { coldBootMs: 45_000, runMs: 12_000, runJitter: 0.2 },
  'google/veo-3': { coldBootMs: 150_000, runMs: 40_000, runJitter: 0.2 },
  'meta/meta-llama-3-8b-instruct': { coldBootMs: 1_000, runMs: 6_000, runJitter: 0.2 },
};
const MIX = ['black-forest-labs/flux-schnell', 'black-forest-labs/flux-schnell', 'black-forest-labs/flux-dev', 'google/veo-3', 'meta/meta-llama-3-8b-instruct'];

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

interface Result {
  who: 'kiln' | 'official';
  n: number;
  completed: number;
  neverFinished: number;
  apiRequests: number;
  /** Requests made on behalf of predictions that completed (Kiln: all of them, its lists serve every prediction at once). */
  completedRequests: number;
  /** Requests spent on predictions that never finished (official: 429 give-ups, hangs). */
  wastedRequests: number;
  throttled: number;
  latencies: number[]; // terminal status → noticed, simulated ms
  wallMs: number;
  byEndpoint: Record<string, number>;
  /** Runs of N pooled into this result (N = 1 is run several times). */
  rounds?: number;
}

function driveTime(sim: Sim): () => void {
  // Simulated time runs at SPEED× by adding (SPEED-1)× each real slice to the offset.
  let last = Date.now();
  const h = setInterval(() => {
    const now = Date.now();
    sim.control.advance((now - last) * (SPEED - 1));
    last = now;
  }, 20);
  return () => clearInterval(h);
}

/** Requests by endpoint since `base` (the warm-up's, BENCH_WARM), so only the measured workload is counted. */
function byEndpointSince(sim: Sim, base: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(sim.control.counters().byEndpoint)) if (v - (base[k] ?? 0) > 0) out[k] = v - (base[k] ?? 0);
  return out;
}

function apiRequests(sim: Sim, base: Record<string, number> = {}): number {
  let n = 0;
  for (const [k, v] of Object.entries(byEndpointSince(sim, base))) if (k !== 'delivery' && k !== 'stream') n += v;
  return n;
}

// BENCH_WARM=1: before the measured workload, each side runs WARM_RUNS of each model that ends
// within seconds, uncounted: the simulator's models are warm for both, and Kiln's history knows
// those models' run times, as for anyone who has used them before (its creates for them are then
// held open, engine/hold.ts). Without it, every run is a first: Kiln knows nothing of any model.
const WARM = process.env.BENCH_WARM === '1';
const WARM_MODELS = ['black-forest-labs/flux-schnell', 'meta/meta-llama-3-8b-instruct'];
const WARM_RUNS = 3;
const label = (n: number) => `engine.${WARM ? 'warm.' : ''}n${n}`;

async function completedAt(sim: Sim, id: string): Promise<number | null> {
  const p = (await (await fetch(`${sim.origin}/__sim/predictions/${id}`)).json()) as { completed_at?: string | null };
  return p.completed_at ? Date.parse(p.completed_at) : null;
}

const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function runKiln(n: number): Promise<Result> {
  const sim = await startSimulator({ scenario: { models: MODELS } });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kiln-bench-'));
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
  const deps: BackendDeps = {
    dataDir,
    fetch: globalThis.fetch,
    clock,
    secrets: { get: async () => sim.token, set: async () => {}, clear: async () => {}, protection: () => 'env' },
    settings: { get: () => settings, set: (p) => (settings = { ...settings, ...p }) },
    log: silent,
    mode: 'memory',
    replicateBaseUrl: sim.baseUrl,
    // BENCH_ENGINE='{"listThreshold":4}' tries other engine settings without editing code.
    engineOptions: { stream: false, ...(JSON.parse(process.env.BENCH_ENGINE ?? '{}') as EngineOptionsInput) }, // the official client does not stream either
  };
  const backend = await createBackend(deps);
  const { engine, history } = backend.services;
  const noticed = new Map<string, number>();
  engine.onRecord((r) => {
    if (isTerminal(r.status) && !noticed.has(r.id)) noticed.set(r.id, clock.now());
  });
  const stopTime = driveTime(sim);
  await backend.start();
  if (WARM) {
    const warm = WARM_MODELS.flatMap((model) => Array.from({ length: WARM_RUNS }, (_, i) => engine.submit({ model, input: { prompt: `warm-up ${i}` } }).id));
    while (!warm.every((id) => history.get(id)!.status === 'succeeded')) await new Promise((r) => setTimeout(r, 50));
    await Promise.all(warm.map((id) => engine.whenSaved(id)));
    noticed.clear(); // only the measured runs count toward "all noticed"
  }
  const base = { ...sim.control.counters().byEndpoint };
  const t0 = Date.now();
  const ids = Array.from({ length: n }, (_, i) => engine.submit({ model: MIX[i % MIX.length]!, input: { prompt: `bench ${n} #${i}` } }).id);
  // The same give-up as the official client's, in simulated time (a real one would depend on SPEED).
  const deadline = sim.control.now() + OFFICIAL_TIMEOUT_SIM_MS;
  while (sim.control.now() < deadline && noticed.size < n) await new Promise((r) => setTimeout(r, 100));
  const wallMs = Date.now() - t0;
  stopTime();
  const latencies: number[] = [];
  let completed = 0;
  for (const id of ids) {
    const rec = history.get(id)!;
    if (rec.status !== 'succeeded') {
      // Every run should succeed (the scenario has no failures): say what became of one that did not.
      if (isTerminal(rec.status)) console.log(`  kiln ${rec.model} ended ${rec.status}: ${rec.error?.message ?? rec.note ?? ''}`);
      continue;
    }
    completed++;
    const done = rec.providerId ? await completedAt(sim, rec.providerId) : null;
    if (done !== null && noticed.has(id)) latencies.push(Math.max(0, noticed.get(id)! - done));
    if (process.env.BENCH_DEBUG && done !== null && noticed.has(id))
      console.log(`  kiln ${rec.model} detect ${((noticed.get(id)! - done) / 1000).toFixed(2)} s`);
  }
  const total = apiRequests(sim, base);
  const result: Result = {
    who: 'kiln',
    n,
    completed,
    neverFinished: n - noticed.size,
    apiRequests: total,
    completedRequests: total,
    wastedRequests: 0,
    throttled: sim.control.counters().throttled,
    latencies,
    wallMs,
    byEndpoint: byEndpointSince(sim, base),
  };
  engine.kill();
  await backend.stop().catch(() => {});
  await sim.close();
  rmSync(dataDir, { recursive: true, force: true });
  return result;
}

async function runOfficial(n: number): Promise<Result> {
  const sim = await startSimulator({ scenario: { models: MODELS } });
  const stopTime = driveTime(sim);
  if (WARM) {
    const replicate = new Replicate({ auth: sim.token, baseUrl: sim.baseUrl });
    await Promise.all(
      WARM_MODELS.flatMap((model) =>
        Array.from({ length: WARM_RUNS }, async (_, i) => {
          const p = await replicate.predictions.create({ model, input: { prompt: `warm-up ${i}` } } as never);
          await replicate.wait(p, { interval: 500 / SPEED });
        }),
      ),
    );
  }
  const base = { ...sim.control.counters().byEndpoint };
  const t0 = Date.now();
  const latencies: number[] = [];
  let completed = 0;
  let never = 0;
  let completedRequests = 0;
  let wastedRequests = 0;
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const start = sim.control.now();
      // One client per prediction with a counting fetch, so every request (retries included) is
      // charged to the prediction it was for: completed ones and never-finished ones apart.
      let mine = 0;
      const counting: typeof fetch = (input, init) => {
        mine++;
        return globalThis.fetch(input, init);
      };
      const replicate = new Replicate({ auth: sim.token, baseUrl: sim.baseUrl, fetch: counting });
      let ok = false;
      try {
        const p = await replicate.predictions.create({ model: MIX[i % MIX.length]!, input: { prompt: `bench ${n} #${i}` } } as never);
        let gaveUp = false;
        const final = await replicate.wait(p, { interval: 500 / SPEED }, async () => {
          gaveUp = sim.control.now() - start > OFFICIAL_TIMEOUT_SIM_MS;
          return gaveUp;
        });
        if (gaveUp || !isTerminal(final.status)) return void never++;
        const seen = sim.control.now();
        if (final.status === 'succeeded') {
          completed++;
          ok = true;
          const done = await completedAt(sim, p.id);
          if (done !== null) latencies.push(Math.max(0, seen - done));
        }
      } catch {
        never++; // ApiError after its (non-waiting) retries, or `Prediction failed`
      } finally {
        if (ok) completedRequests += mine;
        else wastedRequests += mine;
      }
    }),
  );
  const wallMs = Date.now() - t0;
  stopTime();
  const result: Result = {
    who: 'official',
    n,
    completed,
    neverFinished: never,
    apiRequests: apiRequests(sim, base),
    completedRequests,
    wastedRequests,
    throttled: sim.control.counters().throttled,
    latencies,
    wallMs,
    byEndpoint: byEndpointSince(sim, base),
  };
  await sim.close();
  return result;
}

function report(k: Result, o: Result) {
  const rows: [string, string, string, string][] = [];
  const perPred = (r: Result) => (r.completed ? r.apiRequests / r.completed : Infinity);
  const line = (name: string, kv: number, ov: number, unit: string) => {
    console.log(`BENCH ${label(k.n)}.kiln.${name} ${round(kv)} ${unit}`);
    console.log(`BENCH ${label(k.n)}.official.${name} ${round(ov)} ${unit}`);
    const ratio = ov === 0 ? (kv === 0 ? 1 : Infinity) : kv / ov;
    console.log(`BENCH ${label(k.n)}.ratio.${name} ${round(ratio)} x`);
    rows.push([name, `${round(kv)} ${unit}`, `${round(ov)} ${unit}`, `${round(ratio)}×`]);
  };
  // Headline: requests made FOR completed predictions / completed. The official client's requests on
  // predictions it never finished are not charged to the ones it did (that would flatter Kiln); they
  // are reported on their own, and the all-in figure (every request / completed) beside it.
  const own = (r: Result) => (r.completed ? r.completedRequests / r.completed : Infinity);
  line('requests_per_completed', own(k), own(o), 'req');
  line('requests_per_completed_all_in', perPred(k), perPred(o), 'req');
  line('requests_on_never_finished', k.wastedRequests, o.wastedRequests, 'req');
  line('http_429', k.throttled, o.throttled, 'count');
  line('never_finished', k.neverFinished, o.neverFinished, 'count');
  line('detect_p50', pct(k.latencies, 50) / 1000, pct(o.latencies, 50) / 1000, 's');
  line('detect_p95', pct(k.latencies, 95) / 1000, pct(o.latencies, 95) / 1000, 's');
  // The targets are all-in (issue 12: "≤ 1/20 all-in at N = 1,000"): the official client's requests
  // on runs it never finished were spent all the same, and with them left out its figure is that
  // of the short runs that happened to get through.
  const target = TARGET_RATIO[k.n];
  const ratio = perPred(k) / perPred(o);
  if (target !== undefined) {
    console.log(`BENCH ${label(k.n)}.target.requests_per_completed_all_in_ratio ${round(target)} x`);
    console.log(`BENCH ${label(k.n)}.met.requests_per_completed_all_in_ratio ${ratio <= target ? 1 : 0} bool`);
  }
  const p95 = pct(k.latencies, 95) / 1000;
  console.log(`BENCH ${label(k.n)}.target.kiln_detect_p95 ${targetP95(k.n)} s`);
  console.log(`BENCH ${label(k.n)}.met.kiln_detect_p95 ${p95 <= targetP95(k.n) ? 1 : 0} bool`);
  // Issue 12: detection p95 equal to the official client's or faster, at N = 1…100.
  const offP95 = pct(o.latencies, 95) / 1000;
  if (k.n <= 100) console.log(`BENCH ${label(k.n)}.met.detect_p95_vs_official ${p95 <= offP95 ? 1 : 0} bool`);
  console.log(`BENCH ${label(k.n)}.kiln.completed ${k.completed} count`);
  console.log(`BENCH ${label(k.n)}.official.completed ${o.completed} count`);
  console.log(
    `\nN = ${k.n}${WARM ? ', after a warm-up' : ''} (simulated time ×${SPEED}; wall: kiln ${(k.wallMs / 1000).toFixed(1)} s, official ${(o.wallMs / 1000).toFixed(1)} s)`,
  );
  const w = [24, 16, 16, 10];
  const fmt = (r: string[]) => r.map((c, i) => c.padEnd(w[i]!)).join(' | ');
  console.log(fmt(['metric', 'kiln', 'official 1.4.0', 'kiln/off']));
  console.log(w.map((x) => '-'.repeat(x)).join('-|-'));
  for (const r of rows) console.log(fmt(r));
  const runs = (r: Result) => r.n * (r.rounds ?? 1);
  console.log(fmt(['completed', `${k.completed}/${runs(k)}`, `${o.completed}/${runs(o)}`, '']));
  if (target !== undefined)
    console.log(`target kiln/official requests per completed, all-in, ≤ ${round(target)}: ${ratio <= target ? 'MET' : 'MISSED'} (${round(ratio)})`);
  console.log(`target kiln detection p95 ≤ ${targetP95(k.n)} s: ${p95 <= targetP95(k.n) ? 'MET' : 'MISSED'} (${round(p95)} s)`);
  if (k.n <= 100) console.log(`target kiln detection p95 ≤ the official client's: ${p95 <= offP95 ? 'MET' : 'MISSED'} (${round(p95)} vs ${round(offP95)} s)`);
  console.log(`requests by endpoint — kiln: ${JSON.stringify(k.byEndpoint)}; official: ${JSON.stringify(o.byEndpoint)}`);
}

function round(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(3).replace(/\.?0+$/, '') || '0';
}

/** Rounds of one: a p95 of a single run is a coin toss, so N = 1 is run this many times (each with a fresh history) and pooled. */
const ROUNDS_OF_ONE = Number(process.env.BENCH_ROUNDS ?? 10);

function pooled(rs: Result[]): Result {
  const sum = (f: (r: Result) => number) => rs.reduce((a, r) => a + f(r), 0);
  const byEndpoint: Record<string, number> = {};
  for (const r of rs) for (const [k, v] of Object.entries(r.byEndpoint)) byEndpoint[k] = (byEndpoint[k] ?? 0) + v;
  return {
    ...rs[0]!,
    completed: sum((r) => r.completed),
    neverFinished: sum((r) => r.neverFinished),
    apiRequests: sum((r) => r.apiRequests),
    completedRequests: sum((r) => r.completedRequests),
    wastedRequests: sum((r) => r.wastedRequests),
    throttled: sum((r) => r.throttled),
    latencies: rs.flatMap((r) => r.latencies),
    wallMs: sum((r) => r.wallMs),
    byEndpoint,
    rounds: rs.length,
  };
}

for (const n of SIZES) {
  const rounds = n === 1 ? ROUNDS_OF_ONE : 1;
  const ks: Result[] = [];
  const offs: Result[] = [];
  for (let i = 0; i < rounds; i++) {
    ks.push(await runKiln(n));
    offs.push(await runOfficial(n));
  }
  if (rounds > 1) console.log(`\nN = 1 pooled over ${rounds} rounds (each a fresh history: Kiln knows nothing of the model's past runs)`);
  report(pooled(ks), pooled(offs));
}
