import v8 from 'node:v8';

// The main process favours memory over speed (docs/DECISIONS.md, "Memory when 1,000 finish").
//
// Its live heap is small (~40 MB following 1,000 runs) but V8 lets garbage pile up to a multiple of
// it before a full collection: on a machine with gigabytes of RAM the old generation may grow 4×
// past what the last collection left (V8's heap growing factor). When 1,000 runs finish together,
// their answers, history rows, card updates and downloads are short-lived but outlive a young-
// generation collection or two; they were promoted and sat in the old generation for a minute,
// taking the heap from 40 to 150 MB and the process past 300 MB RSS, which it then kept.
// `--optimize-for-size` tells V8 this process prefers memory: it grows the old generation by at
// most 1.3× and compacts more readily. What it costs is some speed in hot JavaScript, which the
// main process does not have (it waits on the network and the disk).
//
// It is set from inside, not by each launcher, so every host (the app, browser mode, the CLI, the
// tests and benchmarks) runs with it. The flag is read at each collection, so setting it after
// start works (measured: test/bench/memory.bench.ts). Node leaves V8's flags unfrozen for
// v8.setFlagsFromString, and Electron starts V8 with flags unfrozen too (electron/electron#42414:
// its `--no-freeze-flags-after-init` is why a bad `--js-flags` once crashed it); the packaged app
// could not be run here to see it.

let applied = false;

/** Once per process; later calls do nothing. */
export function favourMemory(): void {
  if (applied) return;
  applied = true;
  v8.setFlagsFromString('--optimize-for-size');
}
