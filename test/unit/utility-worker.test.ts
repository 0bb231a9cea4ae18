import { describe, expect, it, vi } from 'vitest';

// Electron's worker starter (electron/main/platform/utility-worker.ts) against a recording fake of
// utilityProcess (CI has no Electron binary): the events the MP4 tagger relies on, mapped one to one.

const rec = vi.hoisted(() => ({ forks: [] as { script: string; opts: Record<string, unknown>; child: any }[] }));
vi.mock('electron', async () => {
  const { EventEmitter } = await import('node:events');
  const { PassThrough } = await import('node:stream');
  return {
    utilityProcess: {
      fork(script: string, _args: string[], opts: Record<string, unknown>) {
        const child = Object.assign(new EventEmitter(), { stderr: new PassThrough(), posted: [] as unknown[], killed: 0 });
        Object.assign(child, { postMessage: (m: unknown) => child.posted.push(m), kill: () => (child.killed++, true) });
        rec.forks.push({ script, opts, child });
        return child;
      },
    },
  };
});
const { startUtilityWorker } = await import('../../electron/main/platform/utility-worker.ts');

function events() {
  const seen: string[] = [];
  return {
    seen,
    ev: {
      onSpawn: () => seen.push('spawn'),
      onMessage: (m: unknown) => seen.push(`message ${JSON.stringify(m)}`),
      onExit: (how: string) => seen.push(`exit ${how}`),
      onStartError: (e: Error) => seen.push(`start-error ${e.message}`),
    },
  };
}

describe('utilityProcess as the worker starter', () => {
  it('forks the script with only the given environment, sends by postMessage, and reports spawn, answer and exit', async () => {
    const { seen, ev } = events();
    const w = startUtilityWorker('/app/out/main/mp4-tag-worker.js', { TMPDIR: '/tmp' }, ev);
    const { script, opts, child } = rec.forks.at(-1)!;
    expect(script).toBe('/app/out/main/mp4-tag-worker.js');
    expect(opts).toMatchObject({ env: { TMPDIR: '/tmp' }, stdio: ['ignore', 'ignore', 'pipe'] });
    child.emit('spawn');
    w.send({ src: 'a' });
    expect(child.posted).toEqual([{ src: 'a' }]);
    child.emit('message', { why: 'no' });
    child.stderr.write('first\nlast words\n');
    await new Promise((r) => setImmediate(r));
    child.emit('exit', 3);
    w.kill();
    expect(child.killed).toBe(1);
    expect(seen).toEqual(['spawn', 'message {"why":"no"}', 'exit exit 3: last words']);
  });

  it('an exit before any spawn is a failure to start (the tagger then remuxes in-process)', () => {
    const { seen, ev } = events();
    startUtilityWorker('/x.js', {}, ev);
    rec.forks.at(-1)!.child.emit('exit', 1);
    expect(seen).toEqual(['start-error the worker process could not start (exit 1)']);
  });
});
