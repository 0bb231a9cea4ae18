import { parseArgs } from 'node:util';

// `kiln` argument parsing (DESIGN §6), pure so it is unit-tested without spawning anything.

export class UsageError extends Error {}

export const USAGE = `Usage:
  kiln run OWNER/NAME[:VERSION] -i key=value ... [--json] [--cancel-on-interrupt]
  kiln list [--limit N] [--json]
  kiln show ID [--json] [--no-wait]
  kiln retry ID [--json] [--cancel-on-interrupt]
  kiln cancel ID [--json]

Input values are parsed as JSON when they parse (-i steps=4, -i flag=true), else taken as text;
-i image=@photo.png sends a local file. Environment: REPLICATE_API_TOKEN, KILN_REPLICATE_BASE_URL,
KILN_DATA_DIR. Exit codes: 0 succeeded, 1 failed/canceled/aborted, 2 usage or input error,
3 authentication or billing error.

A prediction left running (Ctrl-C without --cancel-on-interrupt) is followed by the next kiln
command in the same data dir (or the app), which saves its outputs; kiln show ID follows a running
one to its end unless --no-wait.`;

export type Command =
  | { cmd: 'run'; ref: string; inputs: [string, InputValue][]; json: boolean; cancelOnInterrupt: boolean }
  | { cmd: 'list'; limit: number; json: boolean }
  | { cmd: 'show'; id: string; json: boolean; wait: boolean }
  | { cmd: 'cancel'; id: string; json: boolean }
  | { cmd: 'retry'; id: string; json: boolean; cancelOnInterrupt: boolean }
  | { cmd: 'help' };

export type InputValue = { file: string } | { value: unknown };

export function parseInputValue(raw: string): InputValue {
  if (raw.startsWith('@') && raw.length > 1) return { file: raw.slice(1) };
  try {
    return { value: JSON.parse(raw) };
  } catch {
    return { value: raw };
  }
}

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
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  const [cmd, arg, ...extra] = positionals;
  if (values.help || !cmd || cmd === 'help') return { cmd: 'help' };
  if (extra.length) throw new UsageError(`Unexpected argument: ${extra[0]}`);
  const json = values.json ?? false;
  const cancelOnInterrupt = values['cancel-on-interrupt'] ?? false;
  switch (cmd) {
    case 'run': {
      if (!arg) throw new UsageError('kiln run needs a model: OWNER/NAME[:VERSION]');
      const inputs = (values.input ?? []).map((kv): [string, InputValue] => {
        const eq = kv.indexOf('=');
        if (eq <= 0) throw new UsageError(`Input "${kv}" is not key=value`);
        return [kv.slice(0, eq), parseInputValue(kv.slice(eq + 1))];
      });
      return { cmd, ref: arg, inputs, json, cancelOnInterrupt };
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

/** Exit code for a finished prediction's status (DESIGN §6). */
export function exitForStatus(status: string): number {
  return status === 'succeeded' ? 0 : 1;
}

/** Exit code for an error code (KilnErrorData code). */
export function exitForError(code: string): number {
  if (code === 'auth' || code === 'billing') return 3;
  if (code === 'invalid_input' || code === 'bad_request' || code === 'not_found' || code === 'too_large') return 2;
  return 1;
}
