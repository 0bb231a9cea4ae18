import type { z } from 'zod';
import { invoke as contract, isInvokeChannel, KilnError, type Envelope, type KilnErrorData } from '../../../shared/ipc.ts';
import type { Services } from '../services.ts';
import type { Logger } from '../types.ts';
import type { HandlerMap } from './handlers/types.ts';

export interface Router {
  /** Validates, dispatches, and always answers with an envelope: it never throws. */
  invoke(channel: unknown, payload: unknown): Promise<Envelope<unknown>>;
}

export interface RouterOptions {
  handlers: HandlerMap;
  services: Services;
  log: Logger;
  /** Check handler results against the contract's `res` schema. On by default outside production:
   *  a mismatch is a bug in our handler, and finding it in tests is cheaper than in the renderer. */
  validateResponses?: boolean;
}

/** One line per zod issue, naming the field path, e.g. `key: Too small: expected string to have >=8 characters`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.map(String).join('.') : '(payload)'}: ${i.message}`)
    .join('; ');
}

// The single choke point between a transport and the backend (ARCHITECTURE.md, "The contract and its transports"): every transport (Electron
// IPC, browser-mode WebSocket, the CLI, tests) goes through here, so validation and error shaping
// cannot differ between them. Payload values are never logged: they may hold an API key.
export function createRouter(opts: RouterOptions): Router {
  const validateResponses = opts.validateResponses ?? process.env.NODE_ENV !== 'production';
  const { log } = opts;

  return {
    async invoke(channel, payload) {
      if (!isInvokeChannel(channel)) {
        const shown = typeof channel === 'string' ? channel.slice(0, 80) : typeof channel;
        log.warn('ipc: unknown channel', { channel: shown });
        return fail({ code: 'unknown_channel', message: `Unknown channel: ${shown}` });
      }
      const spec = contract[channel];
      const parsed = (spec.req as z.ZodType).safeParse(payload ?? {});
      if (!parsed.success) {
        const message = `Invalid request for ${channel}: ${describeIssues(parsed.error)}`;
        log.warn('ipc: bad request', { channel, issues: parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), code: i.code })) });
        return fail({ code: 'bad_request', message });
      }
      const handler = opts.handlers[channel] as ((req: unknown, s: Services) => unknown) | undefined;
      if (!handler) return fail({ code: 'not_implemented', message: `${channel} is not implemented yet` });

      let value: unknown;
      const started = performance.now();
      try {
        value = await handler(parsed.data, opts.services);
      } catch (err) {
        if (err instanceof KilnError) {
          log.debug('ipc: handler refused', { channel, code: err.code, ms: Math.round(performance.now() - started) });
          return fail(err.toData());
        }
        log.error('ipc: handler failed', { channel, err: errorText(err) });
        return fail({ code: 'internal', message: `${channel} failed unexpectedly` });
      }
      if (validateResponses) {
        const checked = (spec.res as z.ZodType).safeParse(value);
        if (!checked.success) {
          log.error('ipc: handler returned a value outside the contract', { channel, issues: describeIssues(checked.error) });
          return fail({ code: 'internal', message: `${channel} returned an invalid response: ${describeIssues(checked.error)}` });
        }
      }
      log.debug('ipc', { channel, ms: Math.round(performance.now() - started) });
      return { ok: true, value };
    },
  };
}

function fail(error: KilnErrorData): Envelope<never> {
  return { ok: false, error };
}

function errorText(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}${err.stack ? `\n${err.stack.split('\n').slice(1, 6).join('\n')}` : ''}`;
  return String(err);
}
