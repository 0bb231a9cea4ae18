import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

// `npm run bench`: every test/bench/*.bench.ts, one after another (they share 2 cores and would
// skew each other), output streamed as it comes. `npm run bench -- engine` runs the matching ones.
// fal.bench.ts (issue 12) is Kiln vs @fal-ai/client's subscribe on the fal simulator; it runs in real
// time (a few minutes at N = 100); `npm run bench -- fal` runs it alone.
const dir = import.meta.dirname;
const filter = process.argv[2];
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts') && (!filter || f.includes(filter)))
  .sort();
let failed = 0;
for (const f of files) {
  process.stdout.write(`\n=== ${f} ===\n`);
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, [path.join(dir, f)], { stdio: 'inherit' });
    child.on('close', resolve);
  });
  if (code !== 0) {
    failed++;
    process.stdout.write(`=== ${f} exited ${code} ===\n`);
  }
}
process.exitCode = failed ? 1 : 0;
