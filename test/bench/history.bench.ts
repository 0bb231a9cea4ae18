// History benchmark (ARCHITECTURE.md, "Performance targets"): 100,000 predictions — open + first page, FTS prompt search, one
// status write. Run: node test/bench/history.bench.ts [count]. Prints `BENCH name value unit`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openHistory } from '../../electron/backend/history/store.ts';
import type { PredictionSnapshot } from '../../electron/backend/history/types.ts';
import { systemClock } from '../../electron/backend/types.ts';

const N = Number(process.argv[2] ?? 100_000);
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-bench-history-'));
const WORDS = 'cat dog fox owl lighthouse ramen castle forest neon city portrait ocean desert robot dragon garden winter sunset astronaut cabin'.split(' ');
const MODELS = ['black-forest-labs/flux-schnell', 'black-forest-labs/flux-dev', 'stability-ai/sdxl', 'meta/llama-3-8b', 'minimax/video-01'];
const STATUSES = ['succeeded', 'succeeded', 'succeeded', 'succeeded', 'failed', 'canceled', 'aborted'];

let seed = 42;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const pick = <T>(a: T[]) => a[Math.floor(rand() * a.length)]!;

function snapshot(i: number, t0: number): PredictionSnapshot {
  const createdAt = t0 + i * 1000;
  // Old predictions are over; the newest 50 are still running (what a real history looks like).
  const status = i >= N - 50 ? pick(['starting', 'processing']) : pick(STATUSES);
  const prompt = Array.from({ length: 8 }, () => pick(WORDS)).join(' ') + ` #${i}`;
  return {
    record: {
      id: `bench-${i}`,
      provider: 'replicate',
      providerId: `prov${i}`,
      model: pick(MODELS),
      version: null,
      target: 'model',
      input: { prompt, num_outputs: 1, seed: i },
      inputSchema: null,
      status,
      saveState: status === 'succeeded' ? 'saved' : 'none',
      createdAt,
      providerCreatedAt: createdAt + 200,
      startedAt: createdAt + 1000,
      completedAt: createdAt + 5000,
      statusSince: createdAt + 5000,
      timeline: [
        { status: 'queued', at: createdAt },
        { status, at: createdAt + 5000 },
      ],
      logs: 'Using seed: 1\n100%|██████████| 4/4',
      progress: null,
      text: null,
      output: [`https://replicate.delivery/x/${i}/out-0.webp`],
      error: null,
      metrics: { predictTime: 1.2, totalTime: 4.8 },
      urls: {},
      cancelAfter: null,
      retryOf: i % 20 === 0 && i > 0 ? `bench-${i - 1}` : null,
      favourite: i % 97 === 0,
      note: null,
      submitAttempts: 1,
      cancelRequested: false,
      dataRemoved: false,
    },
    outputs:
      status === 'succeeded'
        ? [
            {
              predictionId: `bench-${i}`,
              index: 0,
              kind: 'image',
              state: 'saved',
              remoteUrl: null,
              path: `2026/01/bench-${i}/out-0.webp`,
              thumbPath: `thumbs/2026/01/bench-${i}/out-0.webp`,
              mime: 'image/webp',
              size: 123456,
              width: 1024,
              height: 1024,
              sha256: null,
              error: null,
            },
          ]
        : [],
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
function p95(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.95))]!;
}
const ms = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e6;
const bench = (name: string, value: number, unit: string, target?: string) =>
  console.log(`BENCH ${name} ${value.toFixed(3)} ${unit}${target ? `  # target ${target}` : ''}`);

try {
  // Fill (not measured against a target, printed for context).
  let t = process.hrtime.bigint();
  const fill = openHistory({ dataDir: dir, log: quiet, clock: systemClock });
  const t0 = Date.now() - N * 1000;
  for (let i = 0; i < N; i += 5000) fill.restore(Array.from({ length: Math.min(5000, N - i) }, (_, k) => snapshot(i + k, t0)));
  fill.close();
  bench('history.fill', ms(t), 'ms');
  bench('history.db_size', fs.statSync(path.join(dir, 'history.db')).size / 1e6, 'MB');

  // Open + first page: a cold open of the existing file (the app start) and the first 200 cards.
  const opens: number[] = [];
  let h = null as ReturnType<typeof openHistory> | null;
  for (let r = 0; r < 5; r++) {
    h?.close();
    t = process.hrtime.bigint();
    h = openHistory({ dataDir: dir, log: quiet, clock: systemClock });
    const page = h.list({}, null, 200);
    opens.push(ms(t));
    if (page.items.length !== 200) throw new Error('first page incomplete');
  }
  bench('history.open_first_page', median(opens), 'ms', '<= 100 ms');
  bench('history.open_first_page_first_run', opens[0]!, 'ms');
  const history = h!;

  // The engine's start: everything non-terminal and everything not yet saved.
  t = process.hrtime.bigint();
  const active = history.listActive().length;
  const unsaved = history.listUnsaved().length;
  bench('history.start_resume_lists', ms(t), 'ms');
  void active;
  void unsaved;

  t = process.hrtime.bigint();
  for (let i = 0; i < 20; i++) history.counts();
  bench('history.counts', ms(t) / 20, 'ms');

  // FTS prompt search: first page of results for a few typical queries.
  const searches: number[] = [];
  for (const q of ['lighthouse', 'neon city', 'astro', 'dragon garden winter', 'flux', 'robot #4242']) {
    for (let r = 0; r < 5; r++) {
      t = process.hrtime.bigint();
      history.list({ query: q }, null, 200);
      searches.push(ms(t));
    }
  }
  bench('history.fts_search', median(searches), 'ms', '<= 20 ms');
  bench('history.fts_search_p95', p95(searches), 'ms');

  // Filtered + deep pages (keyset: page 50 costs what page 1 costs).
  let cursor: string | null = null;
  const pages: number[] = [];
  for (let p = 0; p < 50; p++) {
    t = process.hrtime.bigint();
    const r = history.list({ status: ['succeeded'] }, cursor, 100);
    pages.push(ms(t));
    cursor = r.nextCursor;
  }
  bench('history.filtered_page', median(pages), 'ms');

  // One status write: the engine's hot path.
  const writes: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const id = `bench-${Math.floor(rand() * N)}`;
    t = process.hrtime.bigint();
    history.update(id, { status: i % 2 ? 'processing' : 'starting', logs: `step ${i}` });
    writes.push(ms(t));
  }
  bench('history.status_write', median(writes), 'ms', '<= 1 ms');
  bench('history.status_write_p95', p95(writes), 'ms');
  history.close();
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
