import { describe, expect, it } from 'vitest';
import { createRouter } from '../../electron/backend/ipc/router.ts';
import { appHandlers } from '../../electron/backend/ipc/handlers/app.ts';
import { settingsHandlers } from '../../electron/backend/ipc/handlers/settings.ts';
import { KilnError } from '../../shared/ipc.ts';
import type { HandlerMap } from '../../electron/backend/ipc/handlers/types.ts';
import type { Services } from '../../electron/backend/services.ts';
import type { Logger } from '../../electron/backend/types.ts';
import { DEFAULT_SETTINGS } from '../../shared/domain/settings.ts';

function recordingLog() {
  const lines: { level: string; msg: string; fields?: unknown }[] = [];
  const at = (level: string) => (msg: string, fields?: unknown) => lines.push({ level, msg, fields });
  const log: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { log, lines };
}

function fakeServices(extra: Partial<Services> = {}): Services {
  let key: string | null = null;
  const emitted: unknown[] = [];
  return {
    dataDir: '/tmp/x',
    mode: 'memory',
    replicateBaseUrl: 'http://127.0.0.1:1/v1',
    appVersion: '1.2.3',
    emit: (e: string, p: unknown) => emitted.push([e, p]),
    secrets: {
      get: async () => key,
      set: async (_p: string, k: string) => void (key = k),
      clear: async () => void (key = null),
      protection: () => 'file',
    },
    settings: { get: () => DEFAULT_SETTINGS, set: (p: object) => ({ ...DEFAULT_SETTINGS, ...p }) },
    emitted,
    // Saving a key resumes runs a rejected key paused; this fake follows none.
    engine: { keyChanged: () => {} },
    log: recordingLog().log,
    ...extra,
  } as unknown as Services;
}

describe('router', () => {
  it('rejects an unknown channel with unknown_channel and logs it', async () => {
    const { log, lines } = recordingLog();
    const r = createRouter({ handlers: {}, services: fakeServices(), log });
    const env = await r.invoke('nope:nothing', {});
    expect(env).toMatchObject({ ok: false, error: { code: 'unknown_channel' } });
    expect(lines.some((l) => l.level === 'warn' && l.msg.includes('unknown channel'))).toBe(true);
    // Non-string channels (a hostile transport) are refused too, never thrown on.
    expect(await r.invoke({ toString: 1 }, {})).toMatchObject({ ok: false, error: { code: 'unknown_channel' } });
    // Prototype keys are not channels.
    expect(await r.invoke('constructor', {})).toMatchObject({ ok: false, error: { code: 'unknown_channel' } });
  });

  it('rejects a malformed payload with bad_request naming the field, without logging values', async () => {
    const { log, lines } = recordingLog();
    const r = createRouter({ handlers: { ...settingsHandlers }, services: fakeServices(), log });
    const secret = 'r8_short';
    const env = await r.invoke('secrets:set', { provider: 'replicate', key: 123 });
    expect(env.ok).toBe(false);
    if (env.ok) return;
    expect(env.error.code).toBe('bad_request');
    expect(env.error.message).toMatch(/^Invalid request for secrets:set: key: /);

    const extra = await r.invoke('secrets:set', { provider: 'replicate', key: 'r8_abcdefghijk', leak: secret });
    expect(extra).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(JSON.stringify(lines)).not.toContain('r8_abcdefghijk');

    const wrongProvider = await r.invoke('secrets:status', { provider: 'openai' });
    expect(wrongProvider.ok === false && wrongProvider.error.message).toMatch(/provider/);

    const notObject = await r.invoke('app:ping', 'hello');
    expect(notObject).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  });

  it('passes the parsed request (with defaults) to the handler and returns its value', async () => {
    let seen: unknown;
    const handlers: HandlerMap = {
      'predictions:create': (req) => {
        seen = req;
        return { ids: ['a'] };
      },
    };
    const r = createRouter({ handlers, services: fakeServices(), log: recordingLog().log });
    const env = await r.invoke('predictions:create', { model: 'owner/name', input: { prompt: 'x' } });
    expect(env).toEqual({ ok: true, value: { ids: ['a'] } });
    expect(seen).toMatchObject({ count: 1 });
  });

  it('turns a KilnError into its data and any other throw into internal, logged without the secret', async () => {
    const { log, lines } = recordingLog();
    const handlers: HandlerMap = {
      'models:search': () => {
        throw new KilnError({ code: 'invalid_input', message: 'bad', fields: { prompt: 'required' } });
      },
      'models:featured': () => {
        throw new TypeError('boom');
      },
    };
    const r = createRouter({ handlers, services: fakeServices(), log });
    expect(await r.invoke('models:search', { query: 'x' })).toEqual({
      ok: false,
      error: { code: 'invalid_input', message: 'bad', fields: { prompt: 'required' } },
    });
    const env = await r.invoke('models:featured', {});
    expect(env).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(env.ok === false && env.error.message).not.toContain('boom');
    expect(lines.some((l) => l.level === 'error' && JSON.stringify(l.fields).includes('boom'))).toBe(true);
  });

  it('reports a missing handler as not_implemented', async () => {
    const r = createRouter({ handlers: {}, services: fakeServices(), log: recordingLog().log });
    expect(await r.invoke('storage:usage', {})).toMatchObject({ ok: false, error: { code: 'not_implemented' } });
  });

  it('catches a handler result outside the contract when validating responses', async () => {
    const handlers = { 'app:info': () => ({ name: 'Kiln' }) } as unknown as HandlerMap;
    const strict = createRouter({ handlers, services: fakeServices(), log: recordingLog().log, validateResponses: true });
    const env = await strict.invoke('app:info', {});
    expect(env).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(env.ok === false && env.error.message).toMatch(/version/);
    const lax = createRouter({ handlers, services: fakeServices(), log: recordingLog().log, validateResponses: false });
    expect(await lax.invoke('app:info', {})).toEqual({ ok: true, value: { name: 'Kiln' } });
  });

  it('runs the app and secrets handlers end to end: the key never comes back', async () => {
    const services = fakeServices();
    const r = createRouter({ handlers: { ...appHandlers, ...settingsHandlers }, services, log: recordingLog().log });
    const key = 'r8_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    const set = await r.invoke('secrets:set', { provider: 'replicate', key: `  ${key} ` });
    // Saved, then checked with the provider: the fake one cannot answer, so the key is not called good.
    expect(set).toEqual({ ok: true, value: { set: true, last4: '6789', account: null, protection: 'file', state: 'unknown' } });
    expect(JSON.stringify(await r.invoke('secrets:status', { provider: 'replicate' }))).not.toContain(key);
    expect(await r.invoke('secrets:clear', { provider: 'replicate' })).toEqual({
      ok: true,
      value: { set: false, last4: null, account: null, protection: 'file', state: 'unchecked' },
    });
    expect(await r.invoke('app:ping', { nonce: 'n1' })).toEqual({ ok: true, value: { ok: true } });
    expect((services as unknown as { emitted: unknown[] }).emitted).toContainEqual(['app:pong', { nonce: 'n1' }]);
    const info = await r.invoke('app:info', {});
    expect(info).toMatchObject({ ok: true, value: { name: 'Kiln', version: '1.2.3', mode: 'memory' } });
    expect(await r.invoke('shell:openExternal', { url: 'file:///etc/passwd' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });
});

describe('secrets:validate against the simulator', () => {
  it('learns the account for a good key and reports auth for a bad one', async () => {
    const { startSimulator } = await import('../replicate-sim/index.ts');
    const sim = await startSimulator({});
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { createBackend } = await import('../../electron/backend/index.ts');
    const { createNodeDeps } = await import('../../electron/backend/node-deps.ts');
    const { silentLogger } = await import('../../electron/backend/log/logger.ts');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-validate-'));
    const backend = await createBackend(createNodeDeps({ dataDir: dir, mode: 'memory', replicateBaseUrl: sim.baseUrl, log: silentLogger, env: {} }));
    try {
      expect(await backend.invoke('secrets:validate', { provider: 'replicate' })).toMatchObject({ ok: false, error: { code: 'auth' } });
      await backend.invoke('secrets:set', { provider: 'replicate', key: 'r8_wrong_key_000000' });
      expect(await backend.invoke('secrets:validate', { provider: 'replicate' })).toMatchObject({ ok: false, error: { code: 'auth' } });
      await backend.invoke('secrets:set', { provider: 'replicate', key: sim.token });
      const ok = await backend.invoke('secrets:validate', { provider: 'replicate' });
      expect(ok.ok).toBe(true);
      const status = await backend.invoke('secrets:status', { provider: 'replicate' });
      expect(status).toMatchObject({ ok: true, value: { set: true, account: ok.ok ? (ok.value as { username: string }).username : 'x' } });
    } finally {
      await backend.stop();
      await sim.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the input of a run is bounded in the contract (every transport and the CLI)', () => {
  it('refuses a 50 MB prompt and an oversize input naming the limit, and stores nothing', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { createBackend } = await import('../../electron/backend/index.ts');
    const { createNodeDeps } = await import('../../electron/backend/node-deps.ts');
    const { silentLogger } = await import('../../electron/backend/log/logger.ts');
    const { runInputProblem } = await import('../../shared/run-input.ts');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-runinput-'));
    const backend = await createBackend(
      createNodeDeps({ dataDir: dir, mode: 'memory', replicateBaseUrl: 'http://127.0.0.1:9/v1', log: silentLogger, env: {} }),
    );
    try {
      const huge = await backend.invoke('predictions:create', { model: 'owner/model', input: { prompt: 'p'.repeat(50 * 1024 * 1024) } });
      expect(huge).toMatchObject({ ok: false, error: { code: 'bad_request' } });
      expect(!huge.ok && huge.error.message).toMatch(
        /input\.prompt: Text of 52,428,800 characters is over the 200,000-character limit for one text field \(promptChars\)/,
      );
      // Many fields each within promptChars, together over the run's bound.
      const wide = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`f${i}`, 'w'.repeat(100_000)]));
      const tooWide = await backend.invoke('predictions:create', { model: 'owner/model', input: wide });
      expect(!tooWide.ok && tooWide.error.message).toMatch(/over the 1 MB limit for one run \(runInputBytes\)/);
      const list = await backend.invoke('predictions:list', {});
      expect(list).toMatchObject({ ok: true, value: { items: [] } });
      // The CLI (which calls the engine directly) asks the same rule.
      expect(runInputProblem({ prompt: 'x'.repeat(200_001) })).toMatch(/promptChars/);
      expect(runInputProblem({ prompt: 'fine', seed: 3, image: 'kiln-file:abc' })).toBe(null);
    } finally {
      await backend.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('names the per-message limit of each channel, and measures hostile payloads without walking them whole', async () => {
    const { messageLimit, tooLargeError, approxJsonSize } = await import('../../shared/message-size.ts');
    const { LIMITS } = await import('../../shared/limits.ts');
    expect(messageLimit('files:stage')).toBe(LIMITS.ipcMessageBytes);
    expect(messageLimit('predictions:create')).toBe(LIMITS.ipcRequestBytes);
    expect(tooLargeError('predictions:create', 50 * 1024 * 1024)).toMatchObject({
      code: 'too_large',
      message: expect.stringMatching(/50 MB, over Kiln's 2 MB limit for one message \(ipcRequestBytes\)/),
    });
    expect(approxJsonSize({ a: 'x'.repeat(100) }, 1_000)).toBeGreaterThan(100);
    const wide = Array.from({ length: 1_000_000 }, () => 'y'.repeat(10));
    expect(approxJsonSize(wide, 1_000)).toBeLessThan(2_000_000);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(approxJsonSize(cyclic, 1_000)).toBeLessThan(1_000);
  });
});
