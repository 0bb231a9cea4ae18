import path from 'node:path';
import { createBackend, type Backend } from '../backend/index.ts';
import { createNodeDeps } from '../backend/node-deps.ts';
import { resolveDataDir } from '../backend/data-dir.ts';
import { parseModelRef } from '../backend/providers/replicate/client.ts';
import { KilnError } from '../../shared/ipc.ts';
import { isTerminal } from '../../shared/domain/status.ts';
import type { PredictionRecord } from '../backend/history/types.ts';
import { USAGE, UsageError, exitForError, exitForStatus, parseCli, type Command } from './args.ts';
import { createProgressReporter } from './progress.ts';

// `kiln` (DESIGN §6): the same backend and data dir as the app, driven from a terminal. Results go
// to stdout, progress and diagnostics to stderr, so `kiln run … | xargs open` just works.

const out = (s: string) => process.stdout.write(s + '\n');
const err = (s: string) => process.stderr.write(s + '\n');

async function main(argv: string[]): Promise<number> {
  let cmd: Command;
  try {
    cmd = parseCli(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`kiln: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    throw e;
  }
  if (cmd.cmd === 'help') {
    out(USAGE);
    return 0;
  }

  const deps = createNodeDeps({ dataDir: resolveDataDir(), mode: 'memory', engineOptions: { resumeOnStart: false } });
  const backend = await createBackend(deps);
  try {
    await backend.start();
    return await runCommand(cmd, backend);
  } catch (e) {
    if (e instanceof KilnError) {
      err(`kiln: ${e.message}`);
      if (e.fields) for (const [k, v] of Object.entries(e.fields)) err(`  ${k}: ${v}`);
      return exitForError(e.code);
    }
    throw e;
  } finally {
    await backend.stop();
  }
}

function find(backend: Backend, id: string): PredictionRecord {
  const h = backend.services.history;
  const rec = h.get(id) ?? h.getByProviderId(id);
  if (!rec) throw new KilnError({ code: 'not_found', message: `No prediction ${id} in ${backend.services.dataDir}` });
  return rec;
}

async function runCommand(cmd: Exclude<Command, { cmd: 'help' }>, backend: Backend): Promise<number> {
  const { engine, history, vault } = backend.services;
  switch (cmd.cmd) {
    case 'list': {
      const { items } = history.list({}, null, cmd.limit);
      if (cmd.json) out(JSON.stringify(items, null, 2));
      else for (const v of items) out([v.id, v.status.padEnd(10), v.model, new Date(v.createdAt).toISOString(), JSON.stringify((v.prompt ?? '').slice(0, 60))].join('  '));
      return 0;
    }
    case 'show': {
      const rec = find(backend, cmd.id);
      const view = history.view(rec.id);
      if (cmd.json) out(JSON.stringify(view, null, 2));
      else {
        out(`${rec.id}  ${rec.status}  ${rec.model}${rec.version ? `:${rec.version}` : ''}`);
        if (rec.providerId) out(`provider id: ${rec.providerId}`);
        if (rec.error) out(`error: ${rec.error.message}`);
        for (const p of outputPaths(backend, rec.id)) out(p);
      }
      return 0;
    }
    case 'cancel': {
      const rec = find(backend, cmd.id);
      engine.resume(rec.id);
      engine.cancel(rec.id);
      const final = await waitFor(backend, rec.id, { quiet: true, timeoutMs: 60_000 });
      if (cmd.json) out(JSON.stringify(history.view(rec.id), null, 2));
      else out(`${rec.id}  ${final.status}`);
      return isTerminal(final.status) ? 0 : 1;
    }
    case 'retry': {
      const orig = find(backend, cmd.id);
      const rec = engine.retry(orig.id);
      return follow(backend, rec.id, cmd);
    }
    case 'run': {
      const { model, version } = parseModelRef(cmd.ref);
      if (!model) throw new KilnError({ code: 'bad_request', message: 'A bare version id needs its model too: OWNER/NAME:VERSION' });
      const input: Record<string, unknown> = {};
      for (const [k, v] of cmd.inputs) {
        if ('file' in v) {
          const abs = path.resolve(v.file);
          try {
            input[k] = (await vault.stageInputFromPath(abs)).ref;
          } catch (e) {
            throw new KilnError({ code: 'invalid_input', message: `Cannot read ${abs}: ${(e as Error).message}` });
          }
        } else input[k] = v.value;
      }
      const rec = engine.submit({ model, version, input });
      err(`kiln: ${rec.id} submitted`);
      await engine.waitSubmitted(rec.id, 60_000);
      return follow(backend, rec.id, cmd);
    }
  }
}

async function follow(backend: Backend, id: string, cmd: { json: boolean; cancelOnInterrupt: boolean }): Promise<number> {
  const { engine, history } = backend.services;
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    if (cmd.cancelOnInterrupt) {
      err(`\nkiln: canceling ${id}…`);
      engine.cancel(id);
    } else {
      err(`\nkiln: left running; it is followed on the next start (kiln show ${id}).`);
      abort.abort();
    }
  };
  const abort = new AbortController();
  process.on('SIGINT', onSigint);
  try {
    const final = await waitFor(backend, id, { signal: abort.signal });
    if (!isTerminal(final.status)) return 130;
    if (final.status === 'succeeded') await engine.whenSaved(id);
    const rec = history.get(id)!;
    if (cmd.json) out(JSON.stringify({ ...history.view(id), files: outputPaths(backend, id) }, null, 2));
    else if (rec.status === 'succeeded') {
      const paths = outputPaths(backend, id);
      if (paths.length) for (const p of paths) out(p);
      else if (rec.text !== null) out(rec.text);
    } else err(`kiln: ${rec.status}${rec.error ? `: ${rec.error.message}` : ''}`);
    if (rec.status === 'failed' && rec.error?.code && !/^E\d+$/.test(rec.error.code) && rec.providerId === null) return exitForError(rec.error.code);
    return exitForStatus(rec.status);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** Saved files (absolute), else the remote URLs the provider gave. */
function outputPaths(backend: Backend, id: string): string[] {
  const { history, vault } = backend.services;
  const outputs = history.getOutputs(id);
  const saved = outputs.map((o) => (o.path ? vault.resolve(o.path) : null)).filter((p): p is string => !!p);
  if (saved.length) return saved;
  return outputs.map((o) => o.remoteUrl).filter((u): u is string => !!u);
}

function waitFor(backend: Backend, id: string, o: { signal?: AbortSignal; quiet?: boolean; timeoutMs?: number }): Promise<PredictionRecord> {
  const { history } = backend.services;
  const report = o.quiet ? null : createProgressReporter(process.stderr);
  const deadline = o.timeoutMs ? Date.now() + o.timeoutMs : Infinity;
  return new Promise((resolve) => {
    const check = () => {
      const rec = history.get(id)!;
      report?.(rec);
      if (isTerminal(rec.status) || o.signal?.aborted || Date.now() > deadline) {
        report?.(null);
        return resolve(rec);
      }
      setTimeout(check, 150);
    };
    check();
  });
}

const code = await main(process.argv.slice(2)).catch((e) => {
  err(`kiln: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  return 1;
});
process.exitCode = code;
