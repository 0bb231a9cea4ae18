// Download benchmark (ARCHITECTURE.md, "Performance targets"): a 500 MB video saved through the media vault — throughput and
// the main process's peak extra memory (target <= +50 MB). Run: node test/bench/download.bench.ts [MB].
// The file is served by a child process on 127.0.0.1 (so its buffers do not count against this
// process), streamed from one reused chunk: the simulator's delivery route only holds small
// fixtures in memory, which would measure nothing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { openHistory } from '../../electron/backend/history/store.ts';
import { createVault } from '../../electron/backend/vault/vault.ts';
import { createPublisher } from '../../electron/backend/events/publisher.ts';
import { systemClock } from '../../electron/backend/types.ts';

const MB = Number(process.argv[2] ?? 500);
const SIZE = MB * 1024 * 1024;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

const serverCode = `
const http = require('node:http');
const TOTAL = ${SIZE};
const head = Buffer.concat([Buffer.from([0,0,0,0x18]), Buffer.from('ftypisom'), Buffer.from([0,0,2,0]), Buffer.from('isomiso2')]);
const chunk = Buffer.alloc(1024 * 1024, 0x41);
const server = http.createServer((req, res) => {
  const m = /bytes=(\\d+)/.exec(req.url);
  const SIZE = m ? Number(m[1]) : TOTAL;
  res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(SIZE) });
  let sent = 0;
  const first = Buffer.concat([head, chunk.subarray(head.length)]);
  const pump = () => {
    while (sent < SIZE) {
      const c = sent === 0 ? first : chunk;
      const n = Math.min(c.length, SIZE - sent);
      sent += n;
      if (!res.write(n === c.length ? c : c.subarray(0, n))) return res.once('drain', pump);
    }
    res.end();
  };
  pump();
});
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
process.stdin.on('end', () => process.exit(0)); process.stdin.resume();
`;

const child = spawn(process.execPath, ['-e', serverCode], { stdio: ['pipe', 'pipe', 'inherit'] });
const port: number = await new Promise((resolve, reject) => {
  child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
  child.once('exit', () => reject(new Error('server exited')));
  setTimeout(() => reject(new Error('server did not start')), 10_000).unref();
});
const origin = `http://127.0.0.1:${port}`;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-bench-dl-'));
try {
  const history = openHistory({ dataDir: dir, log: quiet, clock: systemClock });
  const publisher = createPublisher({ clock: systemClock, view: (id) => history.view(id), emit: () => {} });
  const vault = createVault({ dataDir: dir, fetch, clock: systemClock, log: quiet, history, publisher, replicateBaseUrl: `${origin}/v1` });
  // Warm-up: the first download loads file-type, undici's connection pool, etc. Not measured.
  history.insertIntent({ id: 'warm', provider: 'replicate', model: 'minimax/video-01', version: null, target: 'model', input: { prompt: 'warm-up' } });
  await vault.saveOutputs(history.update('warm', { status: 'succeeded', output: `${origin}/warm.mp4?bytes=${8 * 1024 * 1024}` }));
  history.insertIntent({ id: 'big', provider: 'replicate', model: 'minimax/video-01', version: null, target: 'model', input: { prompt: 'a long video' } });
  const rec = history.update('big', { status: 'succeeded', output: `${origin}/big.mp4` });

  globalThis.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  let worst = process.memoryUsage();
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    if (m.rss > peak) {
      peak = m.rss;
      worst = m;
    }
  }, 20);
  const t = process.hrtime.bigint();
  await vault.saveOutputs(rec);
  const secs = Number(process.hrtime.bigint() - t) / 1e9;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);

  const [o] = history.getOutputs('big');
  if (o?.state !== 'saved' || o.size !== SIZE) throw new Error(`download not saved: ${JSON.stringify(o)}`);
  if (process.env.KILN_BENCH_DEBUG) console.error(worst, base);
  console.log(`BENCH download.size ${MB} MB`);
  console.log(`BENCH download.throughput ${(MB / secs).toFixed(1)} MB/s`);
  console.log(`BENCH download.peak_rss_delta ${((peak - base) / 1e6).toFixed(1)} MB  # target <= +50 MB`);
  await vault.close();
  history.close();
} finally {
  child.stdin.end();
  child.kill();
  fs.rmSync(dir, { recursive: true, force: true });
}
