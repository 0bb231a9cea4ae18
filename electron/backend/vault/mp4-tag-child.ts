import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MetadataTags } from 'mediabunny';
import type { Logger, StartWorker, WorkerChild } from '../types.ts';
import type { Mp4TagResult } from './mp4-meta.ts';
import { forkWorker } from '../host/fork-worker.ts';

// Writes an MP4's tags in a child process (mp4-tag-worker.ts) rather than in the engine's process
// (docs/DECISIONS.md, "MP4 tags in a child process"). The remux streams every packet through fresh
// buffers that V8 frees only past its external-memory threshold: +55 MB of this process's RSS for a
// 500 MB video, over the +50 MB target, and more for several at once. In a child the engine's RSS
// does not move, and the child's memory goes back to the system when the job ends. How the child
// starts is the host's (types.ts StartWorker). Nothing here loads mediabunny.

export type Mp4Tagger = (src: string, dest: string, ext: string, tags: MetadataTags) => Promise<Mp4TagResult>;

/** The worker beside this module: `.ts` from source, `.js`/`.mjs` beside the bundle that inlined it. */
export const MP4_TAG_WORKER = fileURLToPath(new URL(`./mp4-tag-worker${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url));

/**
 * The remux child's heap. mediabunny builds the sample tables in it: some 100 B a sample, so a
 * two-hour 60 fps video needs ~45 MB. An 11 KB MP4 whose `stts` claims 4 billion samples took
 * 4.2 GB before the time limit; with this bound it dies at once, and the file keeps a sidecar.
 */
const CHILD_HEAP_MB = 512;

/** A remux runs at ~100 MB/s; a child still busy at a tenth of that speed (plus a start) is stuck. */
const timeoutFor = (bytes: number) => 30_000 + bytes / 10_000;

/** Only what a Node child needs to start on each platform: never the user's keys in the environment. */
function childEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of ['SystemRoot', 'SYSTEMROOT', 'TEMP', 'TMP', 'TMPDIR', 'LANG']) if (process.env[k]) env[k] = process.env[k];
  return env;
}

function isResult(m: unknown): m is Mp4TagResult {
  if (!m || typeof m !== 'object') return false;
  const r = m as Record<string, unknown>;
  return typeof r.why === 'string' || (typeof r.sha256 === 'string' && typeof r.size === 'number');
}

export interface Mp4TaggerOptions {
  log: Logger;
  startWorker?: StartWorker;
  /** The worker script (tests: one that crashes or hangs). */
  worker?: string;
  timeoutMs?: (bytes: number) => number;
  /** The child's heap (tests: a small one). */
  heapMb?: number;
}

/** A tagger that runs each job in its own child; `close()` ends any still running. */
export function mp4TaggerInChild(opts: Mp4TaggerOptions): { tag: Mp4Tagger; close(): void } {
  const running = new Set<WorkerChild>();
  const start = opts.startWorker ?? forkWorker();
  let warned = false;

  const tag: Mp4Tagger = async (src, dest, ext, tags) => {
    const bytes = await fs.promises.stat(src).then(
      (s) => s.size,
      () => 0,
    );
    const limitMs = (opts.timeoutMs ?? timeoutFor)(bytes);
    return new Promise<Mp4TagResult>((resolve) => {
      let settled = false;
      let child: WorkerChild | null = null;
      const end = (r: Mp4TagResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (child) {
          running.delete(child);
          child.kill();
        }
        resolve(r);
      };
      const timer = setTimeout(() => end({ why: `the MP4 remux did not finish within ${Math.ceil(limitMs / 1000)} s` }), limitMs);
      child = start(
        opts.worker ?? MP4_TAG_WORKER,
        childEnv(),
        {
          onSpawn: () => child?.send({ src, dest, ext, tags }),
          onMessage: (m) => end(isResult(m) ? m : { why: 'the MP4 remux process gave an answer Kiln does not understand' }),
          onExit: (how) => end({ why: `the MP4 remux process ended (${how}) without an answer` }),
          onStartError: (err) => {
            // No child at all (a host that cannot start one). Not remuxed here: that would load
            // mediabunny and its buffers into the engine's process; the file is kept as downloaded
            // and its JSON sidecar carries the same metadata (finalize.ts).
            if (!warned) opts.log.warn('MP4 tags: the remux process could not start; videos keep their metadata in a JSON sidecar', { why: err.message });
            warned = true;
            end({ why: `the MP4 remux process could not start: ${err.message}` });
          },
        },
        { heapMb: opts.heapMb ?? CHILD_HEAP_MB },
      );
      if (!settled) running.add(child);
    });
  };

  return {
    tag,
    close() {
      for (const c of running) c.kill();
      running.clear();
    },
  };
}
