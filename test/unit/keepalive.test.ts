import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

// host/keepalive.ts in a real process: an unref'd timer (what the backend's clock makes) does not
// keep Node alive by itself; under a hold it fires, and releasing the hold lets the process end.

const KEEPALIVE = path.resolve(import.meta.dirname, '../../electron/backend/host/keepalive.ts');
const run = (hold: boolean) =>
  spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { createKeepAlive } from ${JSON.stringify(KEEPALIVE)};
       const k = createKeepAlive();
       const release = ${hold} ? k.hold('waiting for a run') : () => {};
       setTimeout(() => { console.log('fired', k.reasons().join()); release(); }, 300).unref();
       await new Promise(() => {});`,
    ],
    { encoding: 'utf8', timeout: 20_000 },
  );

describe('keep-alive holds', () => {
  it("without a hold, Node ends a process whose only timer is unref'd (the bug the hold fixes)", () => {
    const r = run(false);
    expect(r.stdout).toBe('');
    expect(r.status).toBe(13);
    expect(r.stderr).toMatch(/unsettled top-level await/);
  });
  it('a hold keeps it alive until released', () => {
    const r = run(true);
    expect(r.stdout.trim()).toBe('fired waiting for a run');
    expect(r.status).toBe(13); // released: the never-settling await ends it, as it should
  });
});
