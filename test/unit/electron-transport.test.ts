import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { KilnError, type KilnApi } from '../../shared/ipc.ts';
import { LIMITS } from '../../shared/limits.ts';
import { kilnFromBridge, type KilnBridge } from '../../renderer/src/platform/electron-kiln.ts';

// The desktop transport, end to end on the page's side, without Electron (CI never runs it): the
// real preload (electron/preload/index.ts) is loaded against a fake `electron` module whose
// ipcRenderer is an event emitter with a scripted main process, and the page's window.kiln is built
// from the bridge it exposes (renderer/src/platform/electron-kiln.ts), exactly as the app does.

const fake = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  calls: [] as { channel: string; req: unknown }[],
  /** What the "main process" answers to an invoke. */
  answer: (_channel: string, _req: unknown): unknown => ({ ok: true, value: null }),
  ipc: null as null | import('node:events').EventEmitter,
}));

vi.mock('electron', async () => {
  const { EventEmitter } = await import('node:events');
  const ipcRenderer = Object.assign(new EventEmitter(), {
    invoke: async (channel: string, req: unknown) => {
      fake.calls.push({ channel, req });
      return fake.answer(channel, req);
    },
  });
  fake.ipc = ipcRenderer;
  return { contextBridge: { exposeInMainWorld: (key: string, api: unknown) => void fake.exposed.set(key, api) }, ipcRenderer };
});

let kiln: KilnApi;
beforeAll(async () => {
  await import('../../electron/preload/index.ts');
  kiln = kilnFromBridge(fake.exposed.get('kilnBridge') as KilnBridge);
});
beforeEach(() => {
  fake.calls.length = 0;
  fake.answer = () => ({ ok: true, value: null });
});

describe('the Electron transport (preload bridge + window.kiln)', () => {
  it('exposes only `kilnBridge`, never ipcRenderer itself', () => {
    expect([...fake.exposed.keys()]).toEqual(['kilnBridge']);
    expect(Object.keys(fake.exposed.get('kilnBridge') as object).sort()).toEqual(['invoke', 'mediaUrl', 'on']);
  });

  it('sends the request on its channel and returns the envelope’s value', async () => {
    fake.answer = (channel, req) => ({ ok: true, value: { echoed: channel, req } });
    await expect(kiln.invoke('app:ping', { nonce: 'n1' })).resolves.toEqual({ echoed: 'app:ping', req: { nonce: 'n1' } });
    expect(fake.calls).toEqual([{ channel: 'app:ping', req: { nonce: 'n1' } }]);
  });

  it('turns an error envelope into a KilnError with its code and fields', async () => {
    fake.answer = () => ({ ok: false, error: { code: 'invalid_input', message: 'Check the inputs', fields: { prompt: 'Required' } } });
    const err = await kiln.invoke('predictions:create', { model: 'a/b', input: {}, count: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KilnError);
    expect(err).toMatchObject({ code: 'invalid_input', message: 'Check the inputs', fields: { prompt: 'Required' } });
  });

  it('refuses a channel outside the contract without reaching the main process', async () => {
    const err = await kiln.invoke('fs:readFile' as never, {} as never).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'unknown_channel' });
    expect(fake.calls).toEqual([]);
  });

  it('refuses an oversize message before it is sent, naming the limit', async () => {
    const huge = 'x'.repeat(LIMITS.ipcRequestBytes + 10);
    const err = await kiln.invoke('models:search', { query: huge }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KilnError);
    expect(err).toMatchObject({ code: 'too_large' });
    expect((err as Error).message).toContain('ipcRequestBytes');
    expect(fake.calls).toEqual([]);
  });

  it('delivers events with their payload only (no IPC event object), and unsubscribes', () => {
    const got: unknown[][] = [];
    const off = kiln.on('network:changed', (...args: unknown[]) => void got.push(args));
    fake.ipc!.emit('network:changed', { sender: 'secret-ipc-event' }, { online: false, detail: 'offline' });
    expect(got).toEqual([[{ online: false, detail: 'offline' }]]);
    off();
    fake.ipc!.emit('network:changed', { sender: 'x' }, { online: true, detail: null });
    expect(got.length).toBe(1);
    expect(fake.ipc!.listenerCount('network:changed')).toBe(0);
  });

  it('refuses to subscribe to an event outside the contract', () => {
    expect(() => kiln.on('ipc:anything' as never, () => {})).toThrow(/Unknown event/);
    expect(fake.ipc!.listenerCount('ipc:anything')).toBe(0);
  });

  it('builds kiln-media URLs for vault paths', () => {
    expect(kiln.mediaUrl('2026/11/a b.png')).toBe('kiln-media://vault/2026/11/a%20b.png');
  });
});
