// Status change → card updated, end to end (ARCHITECTURE.md, "Performance targets": p95 ≤ 1.5 s with ≤ 50 in flight, ≤ 5 s with
// 1,000). Run: node test/bench/card-latency.bench.ts [N...]   (default 50 1000).
//
// Everything is real and out of process: the Replicate simulator and Kiln's browser mode
// (`node electron/web/main.ts`) are child processes, the renderer runs in Chromium. N predictions
// are created through `window.kiln.invoke('predictions:create')` with a cold boot long enough that
// none starts while the others are still being created (Kiln's create budget is the production one,
// 480/min, so N = 1,000 takes about two minutes to submit). Then the simulator's clock is frozen and
// driven forward in small steps from here, SPEED× faster than real time, so every prediction goes
// starting → processing → succeeded at a simulated instant we can map to the real instant of the
// step that crossed it ("became visible at the API"). Driving faster than real time only squeezes
// the changes closer together (a harder load); Kiln's own polling runs on real time, untouched.
//
// In the page we stamp (Date.now(), same clock as this process):
// - event: `prediction:updated` carrying a new status, as received by the renderer — for EVERY card
//   (the gallery is virtualized, so most cards are off-screen and have no DOM to update);
// - dom: the card's `article` accessible name changing to the new status, seen by a MutationObserver
//   — only for cards that are rendered (on screen) at the time.
// Latency = page stamp − real time the change became visible at the simulator.
import { spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from '@playwright/test';
import { launchKiln, type KilnWeb } from '../e2e/fixtures.ts';
import { SimControlClient } from '../replicate-sim/control-client.ts';
import type { Scenario } from '../replicate-sim/types.ts';
import { spawnSimulator } from '../replicate-sim/spawn.ts';

const ROOT = path.join(import.meta.dirname, '..', '..');
const NS = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const SIZES = NS.length ? NS : [50, 1000];
const MODEL = 'black-forest-labs/flux-schnell';
/** Longer than creating 1,000 takes at 480/min, so nothing starts before all are submitted. */
const COLD_BOOT_MS = 6 * 60_000;
const RUN_MS = 20_000;
/** Real ms between simulator clock steps: the resolution of "became visible". */
const STEP_MS = 50;
/** Target real duration of the driven phase (sets SPEED). */
const DRIVE_TARGET_MS = 30_000;
const targetP95 = (n: number) => (n <= 50 ? 1.5 : 5);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const children = new Set<ChildProcess>();
let browser: Browser | null = null;
const kilns = new Set<KilnWeb>();

/** Stops this run's Kiln and simulator (every child we started), whatever state they are in. */
async function stopChildren() {
  for (const k of kilns) await k.stop().catch(() => {});
  kilns.clear();
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) {
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      const t = setTimeout(() => c.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
  }
  children.clear();
}

async function cleanup() {
  await browser?.close().catch(() => {});
  browser = null;
  await stopChildren();
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void cleanup().then(() => process.exit(130)));

function ensureRenderer() {
  if (fs.existsSync(path.join(ROOT, 'out', 'renderer', 'index.html'))) return;
  console.log('building the renderer (npx vite build)…');
  const r = spawnSync('npx', ['vite', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('vite build failed');
}

async function startSimChild(): Promise<{ baseUrl: string; token: string }> {
  const scenario: Scenario = {
    models: { [MODEL]: { coldBootMs: COLD_BOOT_MS, runMs: RUN_MS } },
    maxRunMs: 4 * 60 * 60_000,
    retentionMs: 24 * 60 * 60_000,
  };
  const sim = await spawnSimulator({ scenario });
  children.add(sim.child);
  return { baseUrl: sim.baseUrl, token: sim.token };
}

const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const fmt = (ms: number) => (Number.isFinite(ms) ? (ms / 1000).toFixed(3) : 'NaN');

interface Stamp {
  id: string;
  status: string;
  at: number;
}

async function run(n: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-bench-latency-'));
  try {
    const { baseUrl, token } = await startSimChild();
    const control = new SimControlClient(baseUrl);
    const dataDir = path.join(dir, 'data');
    fs.mkdirSync(dataDir);
    const kiln = await launchKiln({ dataDir, replicateBaseUrl: baseUrl, apiToken: token });
    kilns.add(kiln);
    const page = await browser!.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(kiln.url);
    for (let i = 0; i < 100 && !(await page.evaluate(() => 'kiln' in globalThis)); i++) await sleep(100);

    // The recorders. Stamps are pushed to arrays in the page and collected at the end.
    await page.evaluate(() => {
      const g = globalThis as any;
      const events: [string, string, number][] = [];
      const dom: [string, string, number][] = [];
      const shown = new Map<string, string>();
      g.__bench = { events, dom };
      g.kiln.on('prediction:updated', (p: { id: string; changes: { status?: string } }) => {
        if (p.changes.status) events.push([p.id, p.changes.status, Date.now()]);
      });
      const scan = () => {
        const now = Date.now();
        for (const a of g.document.querySelectorAll('article[data-id]')) {
          const id = a.getAttribute('data-id');
          const m = / — ([a-z_-]+)(,|$)/.exec(a.getAttribute('aria-label') ?? '');
          if (!id || !m) continue;
          const prev = shown.get(id);
          // Only a change seen while the card was on screen counts; a card scrolled into view
          // already up to date says nothing about latency.
          if (prev !== undefined && prev !== m[1]) dom.push([id, m[1], now]);
          shown.set(id, m[1]);
        }
      };
      new g.MutationObserver(scan).observe(g.document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-label'] });
      scan();
    });

    // Submit N through the renderer's API, a few at a time like a user clicking Run repeatedly.
    const t0 = Date.now();
    await page.evaluate(async (count) => {
      const k = (globalThis as any).kiln;
      for (let i = 0; i < count; i += 25) {
        await Promise.all(
          Array.from({ length: Math.min(25, count - i) }, (_, j) =>
            k.invoke('predictions:create', { model: 'black-forest-labs/flux-schnell', input: { prompt: `latency bench #${i + j} a lighthouse at dusk` } }),
          ),
        );
      }
    }, n);
    const counts = () => page.evaluate(() => (globalThis as any).kiln.invoke('predictions:counts', {})) as Promise<{ byStatus: Record<string, number> }>;
    let c = await counts();
    while ((c.byStatus.starting ?? 0) < n && Date.now() - t0 < 240_000) {
      await sleep(500);
      c = await counts();
    }
    const submitS = (Date.now() - t0) / 1000;
    if ((c.byStatus.starting ?? 0) < n)
      throw new Error(`only ${c.byStatus.starting ?? 0}/${n} reached starting in ${submitS.toFixed(0)} s: ${JSON.stringify(c.byStatus)}`);

    // Where each prediction is at the simulator, and when it will change.
    const created = (await control.predictions()).map((p) => Date.parse(p.created_at));
    const firstChange = Math.min(...created) + COLD_BOOT_MS;
    const lastChange = Math.max(...created) + COLD_BOOT_MS + RUN_MS;
    const speed = Math.max(1, Math.min(20, (lastChange - firstChange) / DRIVE_TARGET_MS));
    let simNow = await control.freeze();
    if (simNow >= firstChange) throw new Error(`a prediction started before all were submitted (${(simNow - firstChange) / 1000} s early): raise COLD_BOOT_MS`);
    simNow = await control.advance(firstChange - 1000 - simNow);
    // Drive: each step's [real send time, simulated now after it]. A change at simulated t became
    // visible at the send time of the first step reaching t (conservative by the step's round trip).
    const steps: [number, number][] = [];
    const driveStart = Date.now();
    while (simNow < lastChange + 1000 && Date.now() - driveStart < 120_000) {
      const sent = Date.now();
      simNow = await control.advance(STEP_MS * speed);
      steps.push([sent, simNow]);
      await sleep(Math.max(0, STEP_MS - (Date.now() - sent)));
    }
    const driveS = (Date.now() - driveStart) / 1000;
    // Let the last changes arrive (bounded), then collect.
    const settleUntil = Date.now() + 30_000;
    while (Date.now() < settleUntil && ((await counts()).byStatus.succeeded ?? 0) < n) await sleep(250);
    await sleep(1500);
    const got = (await page.evaluate(() => (globalThis as any).__bench)) as { events: [string, string, number][]; dom: [string, string, number][] };

    // Kiln id → provider id, then the simulator's own started_at/completed_at for each.
    const providerOf = new Map<string, string>();
    let cursor: string | null = null;
    do {
      const pageRes = (await page.evaluate((cur) => (globalThis as any).kiln.invoke('predictions:list', { limit: 200, cursor: cur }), cursor)) as {
        items: { id: string; providerId: string | null }[];
        nextCursor: string | null;
      };
      for (const it of pageRes.items) if (it.providerId) providerOf.set(it.id, it.providerId);
      cursor = pageRes.nextCursor;
    } while (cursor);
    const changeAt = new Map<string, { processing: number; succeeded: number }>();
    const ids = [...providerOf.values()];
    for (let i = 0; i < ids.length; i += 50) {
      await Promise.all(
        ids.slice(i, i + 50).map(async (pid) => {
          const p = (await control.prediction(pid)) as { started_at?: string; completed_at?: string };
          if (p.started_at && p.completed_at) changeAt.set(pid, { processing: Date.parse(p.started_at), succeeded: Date.parse(p.completed_at) });
        }),
      );
    }
    const visibleAt = (simT: number): number | null => {
      let lo = 0;
      let hi = steps.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (steps[mid]![1] >= simT) hi = mid;
        else lo = mid + 1;
      }
      return lo < steps.length ? steps[lo]![0] : null;
    };
    const latencies = (stamps: [string, string, number][]) => {
      const firstSeen = new Map<string, Stamp>();
      for (const [id, status, at] of stamps) if (!firstSeen.has(`${id} ${status}`)) firstSeen.set(`${id} ${status}`, { id, status, at });
      const out: Record<'processing' | 'succeeded', number[]> = { processing: [], succeeded: [] };
      for (const s of firstSeen.values()) {
        if (s.status !== 'processing' && s.status !== 'succeeded') continue;
        const pid = providerOf.get(s.id);
        const ch = pid ? changeAt.get(pid) : undefined;
        const vis = ch ? visibleAt(ch[s.status]) : null;
        if (vis !== null) out[s.status].push(s.at - vis);
      }
      return out;
    };
    const ev = latencies(got.events);
    const dm = latencies(got.dom);
    const evAll = [...ev.processing, ...ev.succeeded];
    const dmAll = [...dm.processing, ...dm.succeeded];
    const missed = n * 2 - evAll.length;

    const tag = `card_latency.n${n}`;
    const target = targetP95(n);
    console.log(
      `\nN = ${n}: submitted in ${submitS.toFixed(1)} s; simulator driven ×${speed.toFixed(1)} for ${driveS.toFixed(1)} s (${steps.length} steps, changes spread over ${((lastChange - firstChange) / speed / 1000).toFixed(1)} s real); ${kiln.logs.filter((l) => l.startsWith('err:')).length} stderr lines from Kiln`,
    );
    console.log(
      `BENCH ${tag}.event_p50 ${fmt(pct(evAll, 50))} s   # every card (most off-screen): prediction:updated with the new status reaches the renderer`,
    );
    console.log(`BENCH ${tag}.event_p95 ${fmt(pct(evAll, 95))} s  # target <= ${target} s`);
    console.log(`BENCH ${tag}.event_max ${fmt(Math.max(...evAll))} s`);
    console.log(`BENCH ${tag}.event_processing_p95 ${fmt(pct(ev.processing, 95))} s`);
    console.log(`BENCH ${tag}.event_succeeded_p95 ${fmt(pct(ev.succeeded, 95))} s`);
    console.log(
      `BENCH ${tag}.event_samples ${evAll.length} count  # of ${n * 2} changes; a processing step Kiln never saw (it went straight to succeeded) has no sample`,
    );
    console.log(`BENCH ${tag}.dom_p50 ${fmt(pct(dmAll, 50))} s   # on-screen cards: the article's accessible name shows the new status`);
    console.log(`BENCH ${tag}.dom_p95 ${fmt(pct(dmAll, 95))} s  # target <= ${target} s`);
    console.log(`BENCH ${tag}.dom_samples ${dmAll.length} count`);
    const worst = Math.max(pct(evAll, 95), dmAll.length ? pct(dmAll, 95) : -Infinity);
    console.log(
      `target status change → card updated p95 <= ${target} s with ${n} in flight: ${worst <= target * 1000 && missed <= n * 2 * 0.05 ? 'MET' : 'MISSED'} (event p95 ${fmt(pct(evAll, 95))} s, on-screen DOM p95 ${fmt(pct(dmAll, 95))} s, ${missed} changes without a sample)`,
    );
    await page.close();
    await kiln.stop();
    kilns.delete(kiln);
  } finally {
    await stopChildren();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function launchBrowser() {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update'],
  });
}

try {
  ensureRenderer();
  await launchBrowser();
  for (const n of SIZES) await run(n);
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  await cleanup();
}
