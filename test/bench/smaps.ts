import fs from 'node:fs';

// Where this process's resident memory is, by mapping (Linux /proc/self/smaps): for the memory
// bench's BENCH_SMAPS=1. V8's heap lives in 256 KB anonymous pages; glibc gives each thread that
// mallocs (libuv's pool, libvips's workers) an arena of its own in a 64 MB region that it rarely
// returns, so growth there is native memory held by threads, not the JavaScript heap.

const MB = 1024; // smaps counts kB

export function smapsSummary(label: string): void {
  let txt: string;
  try {
    txt = fs.readFileSync('/proc/self/smaps', 'utf8');
  } catch {
    return; // not Linux
  }
  const byName = new Map<string, number>();
  const anon = { v8Pages: 0, arenas: 0, small: 0, other: 0 };
  let cur: { name: string; size: number } | null = null;
  for (const line of txt.split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (m) {
      cur = { name: m[3]!.trim(), size: parseInt(m[2]!, 16) - parseInt(m[1]!, 16) };
      continue;
    }
    const r = /^Rss:\s+(\d+) kB/.exec(line);
    if (!r || !cur) continue;
    const kb = Number(r[1]);
    const name = cur.name ? (cur.name.startsWith('[') ? cur.name : cur.name.split('/').pop()!) : 'anon';
    byName.set(name, (byName.get(name) ?? 0) + kb);
    if (name !== 'anon') continue;
    if (cur.size === 256 * 1024) anon.v8Pages += kb;
    else if (cur.size < 1024 * 1024) anon.small += kb;
    else if (cur.size <= 64 * 1024 * 1024)
      anon.arenas += kb; // a thread arena's used part (or another mid-size mapping)
    else anon.other += kb;
  }
  const top = [...byName.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6);
  console.log(
    `smaps ${label}: ${top.map(([k, v]) => `${k} ${(v / MB).toFixed(1)}`).join(' | ')}; anon: V8 pages ${(anon.v8Pages / MB).toFixed(1)}, 1-64 MB regions (thread arenas) ${(anon.arenas / MB).toFixed(1)}, small ${(anon.small / MB).toFixed(1)}, other ${(anon.other / MB).toFixed(1)} MB`,
  );
}
