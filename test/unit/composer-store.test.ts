import { describe, it, expect } from 'vitest';
import { createMemoryKiln } from '../../renderer/src/platform/memory-kiln.ts';
import { createSettingsStore } from '../../renderer/src/stores/settings.ts';
import { createComposerStore } from '../../renderer/src/stores/composer.ts';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/domain/settings.ts';
import { KilnError } from '../../shared/ipc.ts';
import { CATALOGUE, openapiSchema, fullName } from '../replicate-sim/catalogue.ts';

// The composer and settings stores against the in-memory transport.

const flux = CATALOGUE.find((m) => fullName(m) === 'black-forest-labs/flux-schnell')!;

function setup(opts: { createFails?: KilnError } = {}) {
  let settings: Settings = { ...DEFAULT_SETTINGS };
  const created: unknown[] = [];
  const kiln = createMemoryKiln({
    'settings:get': () => settings,
    'settings:set': (patch) => (settings = { ...settings, ...patch }),
    // A key is set: the composer never sends without one (blockedReason).
    'secrets:status': () => ({ set: true, last4: 'abcd', account: null, protection: 'file' }),
    'secrets:set': (req) => ({ set: true, last4: req.key.slice(-4), account: null, protection: 'basic_text' }),
    'secrets:clear': () => ({ set: false, last4: null, account: null, protection: 'file' }),
    'secrets:validate': () => ({ type: 'user', username: 'ada', name: 'Ada Lovelace' }),
    'models:get': (req) => ({
      ref: req.ref,
      provider: 'replicate' as const,
      owner: 'black-forest-labs',
      name: 'flux-schnell',
      description: null,
      coverImageUrl: null,
      runCount: 1,
      latestVersionId: 'v1',
      official: true,
      inputSchema: openapiSchema(flux),
      outputSchema: null,
    }),
    'predictions:create': (req) => {
      if (opts.createFails) throw opts.createFails;
      created.push(req);
      return { ids: Array.from({ length: req.count }, (_, i) => `id${i}`) };
    },
  });
  const errors: string[] = [];
  const settingsStore = createSettingsStore(
    () => kiln,
    (m) => errors.push(m),
  );
  const composer = createComposerStore({ api: () => kiln, settings: settingsStore, onError: (m) => errors.push(m), rememberDelayMs: 5 });
  return { kiln, settingsStore, composer, created, errors, getSettings: () => settings };
}

const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));

describe('composer store', () => {
  it('builds the form from the model schema, validates before sending, and keeps values after Generate', async () => {
    const { composer, created, settingsStore } = setup();
    await settingsStore.getState().load();
    await composer.getState().selectModel('black-forest-labs/flux-schnell');
    const names = composer.getState().fields.map((f) => f.name);
    expect(names[0]).toBe('prompt');
    expect(composer.getState().values.aspect_ratio).toBe('1:1');

    expect(await composer.getState().submit()).toBeNull();
    expect(composer.getState().errors.prompt).toMatch(/required/);
    expect(created).toHaveLength(0);

    composer.getState().setValue('prompt', 'a red fox in snow');
    expect(composer.getState().errors.prompt).toBeUndefined();
    composer.getState().setCount(3);
    expect(await composer.getState().submit()).toEqual(['id0', 'id1', 'id2']);
    // An official model runs through the model endpoint: no version is sent.
    expect(created[0]).toMatchObject({
      model: 'black-forest-labs/flux-schnell',
      version: null,
      count: 3,
      input: { prompt: 'a red fox in snow', aspect_ratio: '1:1' },
    });
    expect(composer.getState().values.prompt).toBe('a red fox in snow');
  });

  it('remembers values per model in settings and restores them', async () => {
    const { composer, settingsStore, getSettings } = setup();
    await settingsStore.getState().load();
    await composer.getState().selectModel('black-forest-labs/flux-schnell');
    composer.getState().setValue('prompt', 'kept across restarts');
    await tick(40);
    expect(getSettings().formValues['black-forest-labs/flux-schnell']).toMatchObject({ prompt: 'kept across restarts' });
    expect(getSettings().recentModels[0]).toBe('black-forest-labs/flux-schnell');

    const again = setup();
    // A new session over the same settings.
    await again.kiln.invoke('settings:set', { formValues: getSettings().formValues });
    await again.settingsStore.getState().load();
    await again.composer.getState().selectModel('black-forest-labs/flux-schnell');
    expect(again.composer.getState().values.prompt).toBe('kept across restarts');
  });

  it('puts 422 field errors next to their fields', async () => {
    const { composer, settingsStore } = setup({
      createFails: new KilnError({ code: 'invalid_input', message: 'Invalid input', fields: { num_outputs: 'must be less than or equal to 4' } }),
    });
    await settingsStore.getState().load();
    await composer.getState().selectModel('black-forest-labs/flux-schnell');
    composer.getState().setValue('prompt', 'x');
    expect(await composer.getState().submit()).toBeNull();
    expect(composer.getState().errors).toEqual({ num_outputs: 'must be less than or equal to 4' });
  });

  it('shows other create errors on the form and as a toast', async () => {
    const { composer, settingsStore, errors } = setup({ createFails: new KilnError({ code: 'auth', message: 'Replicate rejected the API key' }) });
    await settingsStore.getState().load();
    await composer.getState().selectModel('black-forest-labs/flux-schnell');
    composer.getState().setValue('prompt', 'x');
    await composer.getState().submit();
    expect(composer.getState().errors._form).toMatch(/rejected/);
    expect(errors.some((e) => e.includes('rejected'))).toBe(true);
  });

  it('remix values win over remembered ones', async () => {
    const { composer, settingsStore } = setup();
    await settingsStore.getState().load();
    await composer.getState().selectModel('black-forest-labs/flux-schnell', { values: { prompt: 'remixed', seed: 7 } });
    expect(composer.getState().values).toMatchObject({ prompt: 'remixed', seed: 7 });
  });
});

describe('settings store', () => {
  it('saves and clears the key, learns the account, never keeps the key', async () => {
    const { settingsStore, kiln } = setup();
    await settingsStore.getState().load();
    expect(await settingsStore.getState().saveKey('  r8_abcdefgh1234  ')).toBe(true);
    await tick();
    const s = settingsStore.getState();
    expect(s.secret).toMatchObject({ set: true, last4: '1234', protection: 'basic_text' });
    expect(s.account).toBe('Ada Lovelace');
    expect(JSON.stringify(s)).not.toContain('r8_abcdefgh1234');
    expect(kiln.calls.find((c) => c.channel === 'secrets:set')!.req).toEqual({ provider: 'replicate', key: 'r8_abcdefgh1234' });
    await settingsStore.getState().clearKey();
    expect(settingsStore.getState().secret!.set).toBe(false);
    expect(settingsStore.getState().account).toBeNull();
  });

  it('rolls an optimistic update back when the backend refuses it', async () => {
    const { settingsStore, kiln, errors } = setup();
    await settingsStore.getState().load();
    kiln.handle('settings:set', () => {
      throw new KilnError({ code: 'bad_request', message: 'no' });
    });
    await settingsStore.getState().update({ theme: 'dark' });
    expect(settingsStore.getState().settings.theme).toBe('system');
    expect(errors.some((e) => e.includes('no'))).toBe(true);
  });
});
