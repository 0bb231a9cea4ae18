import { parseArgs } from 'node:util';
import { runRef, splitModelRef } from '../../shared/domain/provider.ts';
import { parseEndpointId } from '../backend/providers/fal/endpoint.ts';

// `kiln` argument parsing (ARCHITECTURE.md, "Fixed interfaces"), pure so it is unit-tested without spawning anything.

export class UsageError extends Error {}

export const USAGE = `Usage:
  kiln run MODEL -i key=value ... [--json] [--max-cost USD] [--cancel-on-interrupt]
  kiln list [--limit N] [--json]
  kiln show ID [--json] [--no-wait]
  kiln retry ID [--json] [--cancel-on-interrupt]
  kiln cancel ID [--json]
  kiln cost [--since YYYY-MM-DD] [--json]
  kiln --version | --help

MODEL is replicate:OWNER/NAME[:VERSION] or just OWNER/NAME[:VERSION] (Replicate), or
fal:ENDPOINT_ID (fal.ai, e.g. fal:fal-ai/flux/dev). Without a version, a Replicate community model
runs its latest version (as the app does); official models run by name.

Input values are parsed as JSON when they parse (-i steps=4, -i flag=true), else taken as text;
-i image=@photo.png sends a local file (uploaded to the run's provider: Replicate's files API, fal's storage). Text outputs stream to stdout as they arrive; files are
saved and their absolute paths printed. --json prints one object instead (id, provider, model,
status, files, text, error, cost). Progress and messages go to stderr.

--max-cost USD refuses to start (exit 2, nothing is created) when the run's estimate is above USD
or cannot be known; a run that would cross the daily or monthly budget set in the app is refused
too. kiln cost prints the spend recorded in this data folder (since a local date).

Environment: REPLICATE_API_TOKEN, KILN_REPLICATE_BASE_URL; FAL_KEY, KILN_FAL_QUEUE_URL, KILN_FAL_API_URL,
KILN_FAL_STORAGE_URL; KILN_DATA_DIR.
Exit codes: 0 succeeded; 1 failed, canceled or aborted; 2 usage or input error; 3 key or billing
error; 130 interrupted (Ctrl-C).

Ctrl-C leaves the run going and hands it over: the app, if open on the same data folder, or the
next kiln command follows it to its end and saves its outputs (kiln show ID waits for it).
With --cancel-on-interrupt, Ctrl-C cancels it instead. A second Ctrl-C exits at once.`;

export type Command =
  | { cmd: 'run'; ref: string; inputs: [string, InputValue][]; json: boolean; cancelOnInterrupt: boolean; maxCost?: number }
  | { cmd: 'cost'; since: string | null; json: boolean }
  | { cmd: 'list'; limit: number; json: boolean }
  | { cmd: 'show'; id: string; json: boolean; wait: boolean }
  | { cmd: 'cancel'; id: string; json: boolean }
  | { cmd: 'retry'; id: string; json: boolean; cancelOnInterrupt: boolean }
  | { cmd: 'help' }
  | { cmd: 'version' };

export type InputValue = { file: string } | { value: unknown };

export function parseInputValue(raw: string): InputValue {
  if (raw.startsWith('@') && raw.length > 1) return { file: raw.slice(1) };
  try {
    return { value: JSON.parse(raw) };
  } catch {
    return { value: raw };
  }
}

/** Throws UsageError; an empty message means "print the usage only" (kiln with no arguments). */
export function parseCli(argv: string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        input: { type: 'string', short: 'i', multiple: true },
        json: { type: 'boolean', default: false },
        'cancel-on-interrupt': { type: 'boolean', default: false },
        limit: { type: 'string' },
        'no-wait': { type: 'boolean', default: false },
        'max-cost': { type: 'string' },
        since: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  const [cmd, arg, ...extra] = positionals;
  if (values.version && !cmd) return { cmd: 'version' };
  if (values.help || cmd === 'help') return { cmd: 'help' };
  if (!cmd) throw new UsageError('');
  if (extra.length) throw new UsageError(`Unexpected argument: ${extra[0]}`);
  const json = values.json ?? false;
  const cancelOnInterrupt = values['cancel-on-interrupt'] ?? false;
  if (values['max-cost'] !== undefined && cmd !== 'run') throw new UsageError('--max-cost is only for kiln run');
  if (values.since !== undefined && cmd !== 'cost') throw new UsageError('--since is only for kiln cost');
  switch (cmd) {
    case 'run': {
      if (!arg) throw new UsageError('kiln run needs a model: OWNER/NAME[:VERSION] or fal:ENDPOINT_ID');
      const inputs = (values.input ?? []).map((kv): [string, InputValue] => {
        const eq = kv.indexOf('=');
        if (eq <= 0) throw new UsageError(`Input "${kv}" is not key=value`);
        return [kv.slice(0, eq), parseInputValue(kv.slice(eq + 1))];
      });
      const maxCost = parseMaxCost(values['max-cost']);
      return { cmd, ref: arg, inputs, json, cancelOnInterrupt, ...(maxCost !== null ? { maxCost } : {}) };
    }
    case 'cost': {
      if (arg) throw new UsageError(`Unexpected argument: ${arg}`);
      const since = values.since ?? null;
      if (since !== null && (!/^\d{4}-\d{2}-\d{2}$/.test(since) || !Number.isFinite(Date.parse(`${since}T00:00:00Z`))))
        throw new UsageError(`--since ${since} is not a date: use YYYY-MM-DD`);
      return { cmd, since, json };
    }
    case 'list': {
      if (arg) throw new UsageError(`Unexpected argument: ${arg}`);
      const limit = values.limit === undefined ? 20 : Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new UsageError('--limit must be 1..500');
      return { cmd, limit, json };
    }
    case 'show':
    case 'cancel':
    case 'retry':
      if (!arg) throw new UsageError(`kiln ${cmd} needs a prediction ID`);
      if (values.input?.length) throw new UsageError(`-i is only for kiln run`);
      if (values['no-wait'] && cmd !== 'show') throw new UsageError('--no-wait is only for kiln show');
      if (cmd === 'show') return { cmd, id: arg, json, wait: !values['no-wait'] };
      return cmd === 'retry' ? { cmd, id: arg, json, cancelOnInterrupt } : { cmd, id: arg, json };
    default:
      throw new UsageError(`Unknown command: ${cmd}`);
  }
}

function parseMaxCost(raw: string | undefined): number | null {
  if (raw === undefined) return null;
  const usd = Number(raw.replace(/^\$/, ''));
  if (raw.trim() === '' || !Number.isFinite(usd) || usd < 0 || usd > 1_000_000)
    throw new UsageError(`--max-cost ${raw} is not an amount in USD (e.g. --max-cost 0.50)`);
  return usd;
}

/** A model reference the CLI runs: which provider, the provider's own model id, and (Replicate) a version. */
export type ModelArg = { provider: 'replicate'; model: string; version: string | null } | { provider: 'fal'; model: string; version: null };

/**
 * A model reference as ARCHITECTURE.md, "Fixed interfaces" spells it: `replicate:OWNER/NAME[:VERSION]`, the bare
 * `OWNER/NAME[:VERSION]` (Replicate), or `fal:ENDPOINT_ID` (`fal:fal-ai/flux/dev`). The prefix is
 * split by the one parser every host uses (shared/domain/provider.ts splitModelRef).
 */
export function parseModelArg(ref: string): ModelArg {
  const trimmed = ref.trim();
  // A prefix that is neither provider (openai:gpt) is a mistake, not a Replicate model named "openai".
  // `OWNER/NAME:VERSION` has its colon after a slash, and a bare 64-hex version is no provider.
  const other = /^([a-z][a-z0-9-]*):(?![0-9a-f]{64}$)/i.exec(trimmed);
  if (other && !other[1]!.includes('/') && !/^(replicate|fal)$/i.test(other[1]!)) {
    throw new UsageError(`Unknown provider "${other[1]}" in ${trimmed}: use replicate:OWNER/NAME[:VERSION], OWNER/NAME[:VERSION] or fal:ENDPOINT_ID.`);
  }
  const { provider, ref: rest } = splitModelRef(trimmed);
  if (provider === 'fal') {
    try {
      return { provider, model: parseEndpointId(rest).id, version: null };
    } catch {
      throw new UsageError(`"${ref}" is not a fal model reference: use fal:OWNER/APP[/PATH], e.g. fal:fal-ai/flux/dev.`);
    }
  }
  const colon = rest.indexOf(':');
  const model = colon < 0 ? rest : rest.slice(0, colon);
  const version = colon < 0 ? null : rest.slice(colon + 1);
  if (!/^[\w.-]+\/[\w.-]+$/.test(model))
    throw new UsageError(
      `"${ref}" is not a model reference: use OWNER/NAME[:VERSION] (Replicate, e.g. black-forest-labs/flux-schnell) or fal:ENDPOINT_ID (e.g. fal:fal-ai/flux/dev).`,
    );
  if (version !== null && !/^[\w.-]{1,128}$/.test(version)) throw new UsageError(`"${version}" in ${ref} is not a version id.`);
  return { provider: 'replicate', model, version: version || null };
}

/** The reference as ARCHITECTURE.md, "Fixed interfaces" writes it back (`fal:…`, or Replicate's bare `OWNER/NAME[:VERSION]`). */
export function modelRefOf(rec: { provider?: string | null; model: string; version?: string | null }): string {
  if (rec.provider === 'fal') return runRef({ provider: 'fal', model: rec.model });
  return rec.version ? `${rec.model}:${rec.version}` : rec.model;
}

/** How the user gives each provider a key outside the app (ARCHITECTURE.md, "Fixed interfaces"), for messages. */
export const KEY_ENV: Record<'replicate' | 'fal', string> = { replicate: 'REPLICATE_API_TOKEN', fal: 'FAL_KEY' };
export const PROVIDER_LABEL: Record<'replicate' | 'fal', string> = { replicate: 'Replicate', fal: 'fal' };

/** Exit code for a finished prediction's status (ARCHITECTURE.md, "Fixed interfaces"). */
export function exitForStatus(status: string): number {
  return status === 'succeeded' ? 0 : 1;
}

/** Exit code for an error code (KilnErrorData code). */
export function exitForError(code: string): number {
  if (code === 'auth' || code === 'billing') return 3;
  if (code === 'invalid_input' || code === 'bad_request' || code === 'not_found' || code === 'too_large') return 2;
  return 1;
}
