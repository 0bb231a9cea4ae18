import fs from 'node:fs';
import { createBackend, type Backend } from '../backend/index.ts';
import { createNodeDeps } from '../backend/node-deps.ts';
import { resolveDataDir } from '../backend/data-dir.ts';
import { KilnError } from '../../shared/ipc.ts';
import { runInputProblem } from '../../shared/run-input.ts';
import { isTerminal } from '../../shared/domain/status.ts';
import type { PredictionRecord } from '../backend/history/types.ts';
import { KEY_ENV, PROVIDER_LABEL, USAGE, UsageError, exitForError, exitForStatus, modelRefOf, parseCli, parseModelArg, type Command } from './args.ts';
import { followToEnd } from './follow.ts';
import { buildInput } from './inputs.ts';
import { falSchema, resolveVersion } from './models.ts';
import { costFor } from '../backend/ledger/index.ts';
import { checkMaxCost, printCost } from './cost.ts';

// `kiln` (ARCHITECTURE.md, "Fixed interfaces"): the same backend and data folder as the app, driven from a terminal. Results
// go to stdout (paths, streamed text, or one --json object), progress and diagnostics to stderr, so
// `kiln run … | xargs open` and `kiln run … --json | jq` just work.
//
// The process never exits before its run has ended or been handed over: the whole command runs
// under a backend hold (host/keepalive.ts), since the backend's own timers never keep a process up.

const out = (s: string) => process.stdout.write(s + '\n');
const err = (s: string) => process.stderr.write(s + '\n');

/** This file sits two levels below the package root both as source and as the built bundle. */
function packageVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

async function main(argv: string[], interrupt: AbortSignal): Promise<number> {
  let cmd: Command;
  try {
    cmd = parseCli(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      err(e.message ? `kiln: ${e.message}\n\n${USAGE}` : USAGE);
      return 2;
    }
    throw e;
  }
  if (cmd.cmd === 'help') return (out(USAGE), 0);
  if (cmd.cmd === 'version') return (out(`kiln ${packageVersion()}`), 0);
  if (cmd.cmd === 'run') {
    try {
      parseModelArg(cmd.ref);
    } catch (e) {
      if (e instanceof UsageError) return (err(`kiln: ${e.message}`), 2);
      throw e;
    }
  }

  const deps = createNodeDeps({ dataDir: resolveDataDir(), mode: 'memory', appVersion: packageVersion() });
  const backend = await createBackend(deps);
  const release = backend.hold(`kiln ${cmd.cmd}`);
  try {
    await backend.start();
    // As the data folder's owner this process also resumed runs left unfinished (an earlier Ctrl-C,
    // a killed kiln): bring them up to date before exiting (bounded; the next owner goes on).
    const left = backend.services.engine.followedIds();
    const code = await runCommand(cmd, backend, left, interrupt);
    if (!interrupt.aborted) await backend.services.engine.settle(left, SETTLE_MS);
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
    release();
  }
}

/** Upper bound on catching up with predictions left running before a command exits. */
const SETTLE_MS = 20_000;

function find(backend: Backend, id: string): PredictionRecord {
  const h = backend.services.history;
  const rec = h.get(id) ?? h.getByProviderId(id);
  if (!rec) throw new KilnError({ code: 'not_found', message: `No prediction ${id} in ${backend.services.dataDir} (kiln list shows what is there).` });
  return rec;
}

/** Resolves when the interrupt fires (never rejects). */
const whenAborted = (s: AbortSignal) => new Promise<void>((r) => (s.aborted ? r() : s.addEventListener('abort', () => r(), { once: true })));

async function runCommand(cmd: Exclude<Command, { cmd: 'help' | 'version' }>, backend: Backend, left: string[], interrupt: AbortSignal): Promise<number> {
  const { engine, history } = backend.services;
  switch (cmd.cmd) {
    case 'list': {
      if (left.length) {
        err(`kiln: checking ${left.length} prediction${left.length === 1 ? '' : 's'} left running…`);
        await Promise.race([engine.settle(left, SETTLE_MS), whenAborted(interrupt)]);
      }
      const { items } = history.list({}, null, cmd.limit);
      if (cmd.json) out(JSON.stringify(items, null, 2));
      else if (items.length === 0) err('kiln: no predictions yet — start one with: kiln run OWNER/NAME -i prompt="…"');
      else
        for (const v of items)
          out([v.id, v.status.padEnd(10), modelRefOf(v), new Date(v.createdAt).toISOString(), JSON.stringify((v.prompt ?? '').slice(0, 60))].join('  '));
      return interrupt.aborted ? 130 : 0;
    }
    case 'show': {
      const rec = find(backend, cmd.id);
      // The owner follows every unfinished run (it resumed or adopted it); a non-owner only watches
      // the history while the owner's engine does the work.
      if (backend.isOwner()) engine.resume(rec.id);
      if (!isTerminal(rec.status) && cmd.wait) {
        const { handedOver, keyRejected } = await followToEnd(backend, rec.id, { interrupt, cancelOnInterrupt: false, streamText: false, err });
        if (keyRejected) return pausedForKey(rec, keyRejected);
        if (handedOver) return 130;
      } else if (backend.isOwner()) await engine.settle([rec.id], SETTLE_MS);
      const now = history.get(rec.id)!;
      if (cmd.json) out(JSON.stringify(resultDoc(backend, now.id), null, 2));
      else {
        out(`${now.id}  ${now.status}  ${modelRefOf(now)}`);
        if (now.providerId) out(`${PROVIDER_LABEL[now.provider]} id: ${now.providerId}`);
        if (now.error) out(`error: ${now.error.message}`);
        if (now.text !== null) out(now.text);
        for (const p of outputPaths(backend, now.id)) out(p);
      }
      return isTerminal(now.status) ? exitForStatus(now.status) : 0;
    }
    case 'cancel': {
      const rec = find(backend, cmd.id);
      if (!rec.providerId && !isTerminal(rec.status) && !backend.isOwner()) {
        throw new KilnError({
          code: 'forbidden',
          message: `${rec.id} has not reached ${PROVIDER_LABEL[rec.provider]} yet and another Kiln process (the app, or a kiln command) is sending it: cancel it there.`,
        });
      }
      if (rec.providerId) engine.resume(rec.id);
      // A refused cancel is an answer (the run goes on and is still followed), not something to wait out.
      const outcome = await Promise.race([engine.cancel(rec.id), whenAborted(interrupt).then(() => null)]);
      if (outcome?.outcome === 'refused') {
        err(`kiln: ${PROVIDER_LABEL[rec.provider]} refused the cancel: ${outcome.message}`);
        err(`kiln: ${rec.id} was not canceled and goes on; kiln show ${rec.id} follows it to the end.`);
        return 1;
      }
      if (outcome?.outcome === 'key-rejected') return pausedForKey(rec, outcome.message);
      const { final } = await followToEnd(backend, rec.id, { interrupt, cancelOnInterrupt: false, streamText: false, quiet: true, err });
      if (cmd.json) out(JSON.stringify(resultDoc(backend, rec.id), null, 2));
      else out(`${rec.id}  ${final.status}`);
      return isTerminal(final.status) ? 0 : 130;
    }
    case 'cost':
      printCost(costFor(backend.services), cmd, out, err);
      return 0;
    case 'retry': {
      const orig = find(backend, cmd.id);
      await requireKey(backend, orig.provider);
      const rec = engine.retry(orig.id);
      return submitted(backend, rec.id, cmd, interrupt);
    }
    case 'run': {
      const ref = parseModelArg(cmd.ref);
      // No key for this provider: say which variable to set, before anything is staged or sent.
      await requireKey(backend, ref.provider);
      // Local files first: a typo in a path is reported before anything goes over the network.
      const input = await buildInput(backend, cmd.inputs);
      // The contract's bound on a run's input (shared/run-input.ts), since the CLI calls the engine directly.
      const tooBig = runInputProblem(input);
      if (tooBig) throw new KilnError({ code: 'invalid_input', message: tooBig });
      let schema: Record<string, unknown> | null = null;
      // Replicate: the version to run (and its schema); fal: the endpoint's input schema (platform API).
      const version =
        ref.provider === 'fal'
          ? ((schema = await falSchema(backend, ref.model, err)), null)
          : await resolveVersion(backend, ref.model, ref.version, err, (s) => (schema = s));
      if (interrupt.aborted) return 130; // nothing was sent
      // --max-cost and the budgets: refused here, before anything is created (ARCHITECTURE.md, "Fixed interfaces", §9).
      const refusal = checkMaxCost(costFor(backend.services), { ref: `${ref.provider}:${ref.model}`, input, schema, maxCost: cmd.maxCost ?? null });
      if (refusal) return (err(`kiln: ${refusal}`), 2);
      const rec = engine.submit({
        provider: ref.provider,
        model: ref.model,
        version,
        input,
        ...(ref.provider === 'fal' && schema ? { inputSchema: schema } : {}),
      });
      return submitted(backend, rec.id, cmd, interrupt);
    }
  }
}

/** After submit: the create's answer (a refusal exits at once), then the run to its end. */
async function submitted(backend: Backend, id: string, cmd: { json: boolean; cancelOnInterrupt: boolean }, interrupt: AbortSignal): Promise<number> {
  const { engine, history } = backend.services;
  err(`kiln: ${id} submitted`);
  try {
    await Promise.race([engine.waitSubmitted(id, 60_000), whenAborted(interrupt)]);
  } catch (e) {
    // Refused after the run was recorded (its input, the key, credit): with --json the run's
    // document still goes to stdout (status failed, the error), then the refusal's exit code.
    if (!(e instanceof KilnError) || !cmd.json) throw e;
    err(`kiln: ${e.message}`);
    if (e.fields) for (const [k, v] of Object.entries(e.fields)) err(`  ${k}: ${v}`);
    out(JSON.stringify(resultDoc(backend, id), null, 2));
    return exitForError(e.code);
  }
  const { final, handedOver, keyRejected } = await followToEnd(backend, id, {
    interrupt,
    cancelOnInterrupt: cmd.cancelOnInterrupt,
    streamText: !cmd.json,
    err,
  });
  if (keyRejected) return pausedForKey(history.get(id) ?? final, keyRejected);
  if (handedOver) {
    err(`kiln: left running; the app (if open on this data folder) or the next kiln command follows it to the end and saves its outputs — kiln show ${id}`);
    return 130;
  }
  const rec = history.get(id) ?? final;
  // fal's actual charge (Admin key) is read in the background once a run ends: wait for it.
  await costFor(backend.services).ledger.idle();
  if (cmd.json) out(JSON.stringify(resultDoc(backend, id), null, 2));
  else if (rec.status === 'succeeded') {
    if (rec.text === null) for (const p of outputPaths(backend, id)) out(p);
  } else err(`kiln: ${rec.status}${rec.error ? `: ${rec.error.message}` : ''}`);
  // A create refused before anything ran (no provider id) carries Kiln's own error code.
  if (rec.status === 'failed' && rec.error?.code && !/^E\d+$/.test(rec.error.code) && rec.providerId === null) return exitForError(rec.error.code);
  return exitForStatus(rec.status);
}

/** The key was rejected while following: the run is paused, not lost; exit 3 (key or billing). */
function pausedForKey(rec: Pick<PredictionRecord, 'id' | 'provider'>, message: string): number {
  err(`kiln: ${message}`);
  err(
    `kiln: ${rec.id} is paused, not lost: save a valid ${PROVIDER_LABEL[rec.provider]} key (${KEY_ENV[rec.provider]}, or Settings in the app) and kiln show ${rec.id} follows it to the end.`,
  );
  return 3;
}

/**
 * A run needs its provider's key: without one, say which variable to set (exit 3) before anything
 * is staged or created. Replicate's missing key keeps the engine's own refusal (same exit code).
 */
async function requireKey(backend: Backend, provider: PredictionRecord['provider']): Promise<void> {
  if (provider !== 'fal') return;
  if (await backend.services.secrets.get('fal')) return;
  throw new KilnError({
    code: 'auth',
    message: `No fal key: set FAL_KEY in the environment (FAL_KEY=key_id:key_secret, from fal.ai/dashboard/keys), or save it in the app's Settings. Nothing was created.`,
  });
}

/** The --json object (ARCHITECTURE.md, "Fixed interfaces"): the history's view plus absolute file paths, full text, error, cost. */
function resultDoc(backend: Backend, id: string): Record<string, unknown> {
  const view = backend.services.history.view(id) as (Record<string, unknown> & { text: string | null; error: unknown }) | null;
  if (!view) return { id, status: 'deleted', files: [], text: null, error: null, cost: null };
  const rec = backend.services.history.get(id);
  const fig = rec ? costFor(backend.services).costOf(rec) : null;
  // `cost` per ARCHITECTURE.md, "Fixed interfaces": {usd, estimated, basis}; null while the run has not ended.
  const cost = fig ? { usd: fig.usd, estimated: fig.estimated, basis: fig.basis, table_date: fig.tableDate } : null;
  return { ...view, provider: view.provider ?? 'replicate', files: outputPaths(backend, id), text: view.text ?? null, error: view.error ?? null, cost };
}

/** Saved files (absolute), else the remote URLs the provider gave. */
function outputPaths(backend: Backend, id: string): string[] {
  const { history, vault } = backend.services;
  const outputs = history.getOutputs(id);
  const saved = outputs.map((o) => (o.path ? vault.resolve(o.path) : null)).filter((p): p is string => !!p);
  if (saved.length) return saved;
  return outputs.map((o) => o.remoteUrl).filter((u): u is string => !!u);
}

// One Ctrl-C: the command ends its run's wait (cancel or hand over) and exits 130 once the backend
// has stopped cleanly. A second one exits at once.
const interrupt = new AbortController();
process.on('SIGINT', () => {
  if (interrupt.signal.aborted) process.exit(130);
  interrupt.abort();
});

const code = await main(process.argv.slice(2), interrupt.signal).catch((e) => {
  err(`kiln: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  return 1;
});
process.exitCode = interrupt.signal.aborted && code === 0 ? 130 : code;
