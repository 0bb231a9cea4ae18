import path from 'node:path';
import { createBackend, type Backend } from '../backend/index.ts';
import { createNodeDeps } from '../backend/node-deps.ts';
import { resolveDataDir } from '../backend/data-dir.ts';
import { parseModelRef } from '../backend/providers/replicate/client.ts';
import { KilnError } from '../../shared/ipc.ts';
import { runInputProblem } from '../../shared/run-input.ts';
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

  // Predictions an earlier kiln (Ctrl-C) or the app left running are followed here too, to their end
  // with their outputs saved; intents without a provider id stay with the process that owns them.
  const deps = createNodeDeps({ dataDir: resolveDataDir(), mode: 'memory', engineOptions: { resumeOnStart: 'with-provider-id' } });
  const backend = await createBackend(deps);
  try {
    await backend.start();
    const left = backend.services.engine.followedIds();
    const code = await runCommand(cmd, backend, left);
    // Whatever the command, bring the ones left running up to date before exiting: one look each,
    // and the outputs of those that finished saved (bounded; they stay followed by the next start).
    await backend.services.engine.settle(left, SETTLE_MS);
    return code;
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

/** Upper bound on catching up with predictions left running before a command exits. */
const SETTLE_MS = 20_000;

function find(backend: Backend, id: string): PredictionRecord {
  const h = backend.services.history;
  const rec = h.get(id) ?? h.getByProviderId(id);
  if (!rec) throw new KilnError({ code: 'not_found', message: `No prediction ${id} in ${backend.services.dataDir}` });
  return rec;
}

async function runCommand(cmd: Exclude<Command, { cmd: 'help' }>, backend: Backend, left: string[]): Promise<number> {
  const { engine, history, vault } = backend.services;
  switch (cmd.cmd) {
    case 'list': {
      if (left.length) {
        err(`kiln: checking ${left.length} prediction${left.length === 1 ? '' : 's'} left running…`);
        await engine.settle(left, SETTLE_MS);
      }
      const { items } = history.list({}, null, cmd.limit);
      if (cmd.json) out(JSON.stringify(items, null, 2));
      else if (items.length === 0) err('kiln: no predictions yet — start one with: kiln run OWNER/NAME -i prompt="…"');
      else for (const v of items) out([v.id, v.status.padEnd(10), v.model, new Date(v.createdAt).toISOString(), JSON.stringify((v.prompt ?? '').slice(0, 60))].join('  '));
      return 0;
    }
    case 'show': {
      let rec = find(backend, cmd.id);
      if (!isTerminal(rec.status) && rec.providerId && cmd.wait) {
        // Running: follow it to its end like `run` does (progress on stderr), then show it.
        engine.resume(rec.id);
        const { final, interrupted } = await followToEnd(backend, rec.id, false);
        if (interrupted || !isTerminal(final.status)) return 130;
      } else {
        engine.resume(rec.id);
        await engine.settle([rec.id], SETTLE_MS);
      }
      rec = history.get(rec.id)!;
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
      // The contract's bound on a run's input (shared/run-input.ts), since the CLI calls the engine directly.
      const tooBig = runInputProblem(input);
      if (tooBig) throw new KilnError({ code: 'invalid_input', message: tooBig });
      const rec = engine.submit({ model, version, input });
      err(`kiln: ${rec.id} submitted`);
      await engine.waitSubmitted(rec.id, 60_000);
      return follow(backend, rec.id, cmd);
    }
  }
}

/**
 * Waits for a prediction's end with progress on stderr. Ctrl-C cancels it (cancelOnInterrupt) or
 * leaves it running — then the next kiln command on this data dir (or the app) follows it.
 */
async function followToEnd(backend: Backend, id: string, cancelOnInterrupt: boolean): Promise<{ final: PredictionRecord; interrupted: boolean }> {
  const { engine } = backend.services;
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    if (cancelOnInterrupt) {
      err(`\nkiln: canceling ${id}…`);
      engine.cancel(id);
    } else {
      err(`\nkiln: left running; the next kiln command here (or the app) follows it to the end and saves its outputs — kiln show ${id}`);
      abort.abort();
    }
  };
  const abort = new AbortController();
  process.on('SIGINT', onSigint);
  try {
    const final = await waitFor(backend, id, { signal: abort.signal });
    if (final.status === 'succeeded') await engine.whenSaved(id);
    return { final, interrupted: abort.signal.aborted };
  } finally {
    process.off('SIGINT', onSigint);
  }
}

async function follow(backend: Backend, id: string, cmd: { json: boolean; cancelOnInterrupt: boolean }): Promise<number> {
  const { history } = backend.services;
  const { final } = await followToEnd(backend, id, cmd.cancelOnInterrupt);
  if (!isTerminal(final.status)) return 130;
  const rec = history.get(id)!;
  if (cmd.json) out(JSON.stringify({ ...history.view(id), files: outputPaths(backend, id) }, null, 2));
  else if (rec.status === 'succeeded') {
    const paths = outputPaths(backend, id);
    if (paths.length) for (const p of paths) out(p);
    else if (rec.text !== null) out(rec.text);
  } else err(`kiln: ${rec.status}${rec.error ? `: ${rec.error.message}` : ''}`);
  if (rec.status === 'failed' && rec.error?.code && !/^E\d+$/.test(rec.error.code) && rec.providerId === null) return exitForError(rec.error.code);
  return exitForStatus(rec.status);
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
