import {
  invoke as contract,
  KilnError,
  type EventName,
  type EventPayload,
  type InvokeChannel,
  type KilnApi,
  type ParsedReq,
  type Res,
} from '../../../shared/ipc.ts';

// The in-memory transport (ARCHITECTURE.md, "The contract and its transports", transport 3) for renderer unit tests: no window, no socket.
// Requests are validated against the contract exactly like the real router does, so a store that
// sends a malformed payload fails its unit test instead of passing against a lenient fake.

export type MemoryHandlers = { [C in InvokeChannel]?: (req: ParsedReq<C>) => Res<C> | Promise<Res<C>> };

export interface MemoryKiln extends KilnApi {
  /** Delivers an event to the listeners, as the backend would. */
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  /** Every invoke made, in order (channel and the parsed request). */
  readonly calls: { channel: InvokeChannel; req: unknown }[];
  /** Replaces or adds a handler mid-test. */
  handle<C extends InvokeChannel>(channel: C, handler: NonNullable<MemoryHandlers[C]>): void;
}

export function createMemoryKiln(handlers: MemoryHandlers = {}): MemoryKiln {
  const table: MemoryHandlers = { ...handlers };
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const calls: { channel: InvokeChannel; req: unknown }[] = [];
  return {
    mode: 'memory',
    calls,
    async invoke(channel, req) {
      if (!Object.hasOwn(contract, channel)) throw new KilnError({ code: 'unknown_channel', message: `Unknown channel: ${String(channel)}` });
      const parsed = contract[channel].req.safeParse(req ?? {});
      if (!parsed.success) {
        const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`).join('; ');
        throw new KilnError({ code: 'bad_request', message: `Invalid request for ${channel}: ${detail}` });
      }
      calls.push({ channel, req: parsed.data });
      const h = table[channel] as ((r: unknown) => unknown) | undefined;
      if (!h) throw new KilnError({ code: 'not_implemented', message: `${channel} is not implemented yet` });
      // Structured clone mimics a real transport: callers cannot share objects with the "backend".
      return structuredClone(await h(parsed.data)) as Res<typeof channel>;
    },
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      const l = listener as (p: unknown) => void;
      set.add(l);
      return () => void set.delete(l);
    },
    emit(event, payload) {
      for (const l of listeners.get(event) ?? []) l(structuredClone(payload));
    },
    handle(channel, handler) {
      (table as Record<string, unknown>)[channel] = handler;
    },
    mediaUrl: (p) => `memory-media://${p}`,
  };
}
