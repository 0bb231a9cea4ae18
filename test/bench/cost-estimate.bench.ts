// Cost estimate latency after a form change (ARCHITECTURE.md, "Performance targets": ≤ 50 ms, no network on the hot path).
// Two paths: the renderer computing it itself from the model's cached Price (shared/domain/cost.ts,
// what the form should do on each keystroke) and the `cost:estimate` IPC round through the
// backend's router with budgets set over a ledger of N rows. Any network request fails the bench.
// Run: node test/bench/cost-estimate.bench.ts [ledgerRows]. Prints `BENCH name value unit`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createBackend } from '../../electron/backend/index.ts';
import { systemClock, type BackendDeps } from '../../electron/backend/types.ts';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/domain/settings.ts';
import { estimateRun } from '../../shared/domain/cost.ts';

const ROWS = Number(process.argv[2] ?? 100_000);
const CHANGES = 500;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-bench-cost-'));
let requests = 0;
let settings: Settings = { ...DEFAULT_SETTINGS, budgetDailyUsd: 5, budgetMonthlyUsd: 50 };
const deps: BackendDeps = {
  dataDir: dir,
  fetch: (async () => {
    requests++;
    throw new Error('no network on the estimate path');
  }) as typeof fetch,
  clock: systemClock,
  secrets: { get: async () => 'r8_bench', set: async () => {}, clear: async () => {}, protection: () => 'env' },
  settings: { get: () => settings, set: (p) => (settings = { ...settings, ...p }) },
  log: quiet,
  mode: 'memory',
  replicateBaseUrl: 'http://127.0.0.1:9/v1',
  engineOptions: { resumeOnStart: false },
};

const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)]!;

try {
  const backend = await createBackend(deps);
  // A year of spend: the budget check sums today's and this month's rows on every estimate.
  const db = new DatabaseSync(path.join(dir, 'history.db'));
  const now = Date.now();
  const ins = db.prepare('INSERT INTO costs(prediction_id, provider, model, status, usd, estimated, basis, table_date, at) VALUES (?,?,?,?,?,?,?,?,?)');
  db.exec('BEGIN');
  for (let i = 0; i < ROWS; i++)
    ins.run(
      `b${i}`,
      'replicate',
      'black-forest-labs/flux-schnell',
      'succeeded',
      0.003,
      1,
      '1 image × $0.003',
      '2026-10',
      now - Math.floor((i / ROWS) * 365 * 86_400_000),
    );
  db.exec('COMMIT');
  db.close();

  const ref = 'black-forest-labs/flux-schnell';
  const { value: priceRes } = (await backend.invoke('cost:price', { ref })) as { value: { price: Parameters<typeof estimateRun>[0] } };
  const local: number[] = [];
  const ipc: number[] = [];
  for (let i = 0; i < CHANGES; i++) {
    // A form change: the prompt grows by a letter, the output count moves.
    const input = { prompt: 'a kiln at dusk '.repeat(1 + (i % 20)), num_outputs: 1 + (i % 4) };
    let t = performance.now();
    estimateRun(priceRes.price, { model: ref, input, count: 1 + (i % 8) });
    local.push(performance.now() - t);
    t = performance.now();
    const env = await backend.invoke('cost:estimate', { ref, input, count: 1 + (i % 8) });
    ipc.push(performance.now() - t);
    if (!env.ok) throw new Error(env.error.message);
  }
  console.log(`BENCH cost_estimate_local_p95 ${p95(local).toFixed(3)} ms`);
  console.log(`BENCH cost_estimate_ipc_p95 ${p95(ipc).toFixed(3)} ms (ledger ${ROWS} rows, budgets set)`);
  console.log(`BENCH cost_estimate_network_requests ${requests} requests`);
  await backend.stop();
  if (requests > 0) process.exitCode = 1;
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
