// Gallery benchmark (DESIGN §8): 10,000 predictions in the history, the real renderer in Chromium
// against browser mode. Measures time to first cards, the longest frame while scrolling from top
// to bottom (paging in the whole history as it goes), and the renderer's JS heap.
// Run: node test/bench/gallery.bench.ts [count]  (needs `npm run build:renderer` first).
// Prints `BENCH name value unit` lines; targets are in comments, never pass/fail.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { chromium } from '@playwright/test';
import { openHistory } from '../../electron/backend/history/store.ts';
import type { PredictionSnapshot } from '../../electron/backend/history/types.ts';
import { systemClock } from '../../electron/backend/types.ts';
import { launchKiln } from '../e2e/fixtures.ts';
import { chromiumPath } from '../../playwright.config.ts';

const N = Number(process.argv[2] ?? 10_000);
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-bench-gallery-'));
const WORDS = 'cat dog fox owl lighthouse ramen castle forest neon city portrait ocean desert robot dragon garden winter sunset astronaut cabin'.split(' ');
const STATUSES = ['succeeded', 'succeeded', 'succeeded', 'succeeded', 'failed', 'canceled'];
let seed = 7;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = <T>(a: T[]) => a[Math.floor(rand() * a.length)]!;
const bench = (name: string, value: number, unit: string, target?: string) => console.log(`BENCH ${name} ${value.toFixed(1)} ${unit}${target ? `  # target ${target}` : ''}`);

if (!fs.existsSync(path.join(import.meta.dirname, '../../out/renderer/index.html'))) {
  console.error('Build the renderer first: npm run build:renderer');
  process.exit(2);
}

// A few real thumbnails, shared by every card: the browser decodes real images while scrolling.
const THUMBS = 24;
fs.mkdirSync(path.join(dir, 'media', 'thumbs'), { recursive: true });
for (let i = 0; i < THUMBS; i++) {
  const c = { r: (i * 53) % 255, g: (i * 97) % 255, b: (i * 151) % 255 };
  await sharp({ create: { width: 384, height: 384, channels: 3, background: c } }).webp().toFile(path.join(dir, 'media', 'thumbs', `t${i}.webp`));
}

function snapshot(i: number, t0: number): PredictionSnapshot {
  const createdAt = t0 + i * 1000;
  const status = pick(STATUSES);
  const prompt = Array.from({ length: 8 }, () => pick(WORDS)).join(' ') + ` #${i}`;
  const thumb = `thumbs/t${i % THUMBS}.webp`;
  return {
    record: {
      id: `bench-${i}`, provider: 'replicate', providerId: `prov${i}`, model: 'black-forest-labs/flux-schnell', version: null, target: 'model',
      input: { prompt, seed: i }, inputSchema: null, status, saveState: status === 'succeeded' ? 'saved' : 'none',
      createdAt, providerCreatedAt: createdAt, startedAt: createdAt + 1000, completedAt: createdAt + 5000, statusSince: createdAt + 5000,
      timeline: [{ status: 'queued', at: createdAt }, { status, at: createdAt + 5000 }], logs: '', progress: null, text: null,
      output: null, error: status === 'failed' ? { code: 'E6716', message: 'CUDA out of memory' } : null, metrics: { predictTime: 1.2, totalTime: 4.8 }, urls: {},
      cancelAfter: null, retryOf: null, favourite: i % 97 === 0, note: null, submitAttempts: 1, cancelRequested: false, dataRemoved: false,
    },
    outputs: status === 'succeeded' ? [{ predictionId: `bench-${i}`, index: 0, kind: 'image', state: 'saved', remoteUrl: null, path: thumb, thumbPath: thumb, mime: 'image/webp', size: 1000, width: 384, height: 384, sha256: null, error: null }] : [],
  };
}

const fill = openHistory({ dataDir: dir, log: quiet, clock: systemClock });
const t0 = Date.now() - N * 1000;
for (let i = 0; i < N; i += 2000) fill.restore(Array.from({ length: Math.min(2000, N - i) }, (_, k) => snapshot(i + k, t0)));
fill.close();

const kiln = await launchKiln({ dataDir: dir, replicateBaseUrl: 'http://127.0.0.1:9/v1' });
const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(kiln.url);
  await page.locator('article').first().waitFor({ timeout: 30_000 });
  // From navigation start to the first card in the DOM with its image decoded.
  await page.locator('article img').first().evaluate((img) => (img as unknown as { decode(): Promise<void> }).decode().catch(() => {}));
  const firstCards = await page.evaluate(() => performance.now());
  bench('gallery.first_cards', firstCards, 'ms', '<= 1000');

  // Scroll top to bottom a screen at a time, one step per frame, recording every frame's length.
  const scroll = await page.evaluate(async (total) => {
    const g = globalThis as any;
    const el = g.document.querySelector('.gallery-scroll');
    const frames: number[] = [];
    let last = performance.now();
    let running = true;
    const tick = (t: number) => { frames.push(t - last); last = t; if (running) g.requestAnimationFrame(tick); };
    g.requestAnimationFrame(tick);
    const started = performance.now();
    const cards = () => g.document.querySelectorAll('article').length;
    let steps = 0;
    // Bounded in time and steps: the whole history must come in through paging.
    while (performance.now() - started < 180_000 && steps < 20_000) {
      el.scrollTop += el.clientHeight * 0.8;
      steps++;
      await new Promise((r) => g.requestAnimationFrame(r));
      const atEnd = el.scrollTop + el.clientHeight >= el.scrollHeight - 2;
      const idx = Number([...g.document.querySelectorAll('article')].at(-1)?.dataset.index ?? 0);
      if (atEnd && idx >= total - 1) break;
      if (atEnd) await new Promise((r) => setTimeout(r, 30)); // the next page is loading
    }
    running = false;
    const sorted = [...frames.slice(2)].sort((a, b) => a - b);
    return {
      ms: performance.now() - started, steps, cards: cards(),
      lastIndex: Number([...g.document.querySelectorAll('article')].at(-1)?.dataset.index ?? -1),
      longest: sorted.at(-1) ?? 0, over50: sorted.filter((f) => f > 50).length, over33: sorted.filter((f) => f > 33.4).length, p95: sorted[Math.floor(sorted.length * 0.95)] ?? 0, frames: sorted.length,
    };
  }, N);
  bench('gallery.scroll_longest_frame', scroll.longest, 'ms', '<= 50');
  bench('gallery.scroll_p95_frame', scroll.p95, 'ms');
  bench('gallery.scroll_frames_over_50ms', scroll.over50, 'frames');
  bench('gallery.scroll_frames_over_33ms', scroll.over33, 'frames');
  bench('gallery.scroll_frames', scroll.frames, 'frames');
  bench('gallery.scroll_total', scroll.ms, 'ms');
  bench('gallery.scroll_reached_index', scroll.lastIndex, 'cards');
  bench('gallery.dom_cards', scroll.cards, 'articles');

  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
  bench('gallery.renderer_heap', heap.usedSize / 1e6, 'MB', '<= 300');
} finally {
  await browser.close();
  await kiln.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
