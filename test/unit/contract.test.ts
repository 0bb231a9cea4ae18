import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EVENT_NAMES, INVOKE_CHANNELS, KilnError, KilnErrorData, events, invoke, isEventName, isInvokeChannel } from '../../shared/ipc.ts';
import { handlers } from '../../electron/backend/ipc/handlers/index.ts';

describe('IPC contract', () => {
  it('names every channel domain:verb and gives it zod request and response schemas', () => {
    expect(INVOKE_CHANNELS.length).toBeGreaterThan(10);
    for (const c of INVOKE_CHANNELS) {
      expect(c).toMatch(/^[a-z]+:[a-zA-Z]+$/);
      expect(invoke[c].req).toBeInstanceOf(z.ZodType);
      expect(invoke[c].res).toBeInstanceOf(z.ZodType);
    }
    for (const e of EVENT_NAMES) expect(events[e]).toBeInstanceOf(z.ZodType);
  });

  it('requests are strict objects: unknown fields are refused, so typos fail loudly', () => {
    for (const c of INVOKE_CHANNELS) {
      const r = invoke[c].req.safeParse({ __not_a_field__: 1 });
      expect(r.success, c).toBe(false);
    }
  });

  it('only knows its own channels and events (no prototype keys)', () => {
    expect(isInvokeChannel('app:info')).toBe(true);
    expect(isInvokeChannel('toString')).toBe(false);
    expect(isInvokeChannel('__proto__')).toBe(false);
    expect(isInvokeChannel(42)).toBe(false);
    expect(isEventName('app:pong')).toBe(true);
    expect(isEventName('constructor')).toBe(false);
  });

  it('every handler belongs to a contract channel', () => {
    for (const name of Object.keys(handlers)) expect(isInvokeChannel(name), name).toBe(true);
  });

  it('KilnError survives a transport as data', () => {
    const e = new KilnError({ code: 'invalid_input', message: 'check fields', fields: { prompt: 'required' } });
    const data = JSON.parse(JSON.stringify(e.toData()));
    expect(KilnErrorData.parse(data)).toEqual({ code: 'invalid_input', message: 'check fields', fields: { prompt: 'required' } });
    const back = new KilnError(data);
    expect(back).toBeInstanceOf(Error);
    expect(back.code).toBe('invalid_input');
    expect(back.fields).toEqual({ prompt: 'required' });
  });

  it('the secrets channels cannot carry a key back: their response has no key field', () => {
    for (const c of ['secrets:status', 'secrets:set', 'secrets:clear'] as const) {
      const parsed = invoke[c].res.parse({ set: true, last4: '1234', account: null, protection: 'os', key: 'r8_leak' }) as Record<string, unknown>;
      expect(parsed.key).toBeUndefined();
    }
  });
});
