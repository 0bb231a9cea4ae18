import { describe, it, expect } from 'vitest';
import { createMemoryKiln } from '../../renderer/src/platform/memory-kiln.ts';
import { anyKeySet, createSettingsStore, keyFor } from '../../renderer/src/stores/settings.ts';
import { blockedReason, createComposerStore, placeholderSummary } from '../../renderer/src/stores/composer.ts';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/domain/settings.ts';
import type { SecretStatus } from '../../shared/ipc.ts';
import { CATALOGUE, openapiFor } from '../fal-sim/catalogue.ts';
import { schemasFromOpenApi } from '../../electron/backend/providers/fal/platform.ts';

// One key per provider in the renderer: the settings store keeps each provider's key view, and
// the composer asks for the key of the provider that runs the chosen model.

const flux = CATALOGUE.find((e) => e.id === 'fal-ai/flux/dev')!;

function setup() {
  let settings: Settings = { ...DEFAULT_SETTINGS };
  const keys: Record<string, SecretStatus> = {
    replicate: { set: false, last4: null, account: null, protection: 'file', state: 'unchecked' },
    fal: { set: false, last4: null, account: null, protection: 'file', state: 'unchecked' },
  };
  const kiln = createMemoryKiln({
    'settings:get': () => settings,
    'settings:set': (patch) => (settings = { ...settings, ...patch }),
    'app:info': () => ({ name: 'Kiln', version: '0', platform: 'linux', mode: 'memory', dataDir: '/tmp', providerBaseUrl: '' }),
    'secrets:status': (req) => keys[req.provider]!,
    'secrets:set': (req) =>
      (keys[req.provider] = { set: true, last4: req.key.slice(-4), account: null, protection: 'file', state: req.key.includes('bad') ? 'rejected' : 'valid' }),
    'secrets:clear': (req) => (keys[req.provider] = { set: false, last4: null, account: null, protection: 'file', state: 'unchecked' }),
    'models:get': (req) => {
      const s = schemasFromOpenApi(flux.id, openapiFor(flux, 'https://queue.fal.run'));
      return {
        ref: req.ref,
        provider: 'fal' as const,
        owner: 'fal-ai',
        name: 'FLUX.1 [dev]',
        description: null,
        coverImageUrl: null,
        runCount: null,
        latestVersionId: null,
        official: true,
        inputSchema: { ...s.input, components: { schemas: s.components } },
        outputSchema: null,
      };
    },
    'predictions:create': (req) => ({ ids: Array.from({ length: req.count }, (_, i) => `${req.model}#${i}`) }),
  });
  const errors: string[] = [];
  const settingsStore = createSettingsStore(
    () => kiln,
    (m) => errors.push(m),
  );
  const composer = createComposerStore({ api: () => kiln, settings: settingsStore, onError: (m) => errors.push(m), rememberDelayMs: 5 });
  return { kiln, settingsStore, composer, errors };
}

describe('provider keys in the renderer', () => {
  it('keeps each provider’s key apart; Replicate’s stays under the old names', async () => {
    const { settingsStore, kiln } = setup();
    await settingsStore.getState().load();
    expect(kiln.calls.filter((c) => c.channel === 'secrets:status').map((c) => c.req)).toEqual([{ provider: 'replicate' }, { provider: 'fal' }]);
    expect(anyKeySet(settingsStore.getState())).toBe(false);

    expect(await settingsStore.getState().saveKey(' 5c1f0d7e:6b69abcd ', 'fal')).toBe(true);
    const s = settingsStore.getState();
    expect(kiln.calls.find((c) => c.channel === 'secrets:set')!.req).toEqual({ provider: 'fal', key: '5c1f0d7e:6b69abcd' });
    expect(keyFor(s, 'fal').secret).toMatchObject({ set: true, last4: 'abcd', state: 'valid' });
    expect(s.secret).toMatchObject({ set: false });
    expect(anyKeySet(s)).toBe(true);
    expect(JSON.stringify(s)).not.toContain('6b69abcd');

    await settingsStore.getState().saveKey('r8_replicate_key_1234');
    expect(settingsStore.getState().secret).toMatchObject({ set: true, last4: '1234' });
    await settingsStore.getState().clearKey('fal');
    expect(keyFor(settingsStore.getState(), 'fal').secret).toMatchObject({ set: false });
    expect(settingsStore.getState().secret).toMatchObject({ set: true });
  });

  it('a fal model needs the fal key, not Replicate’s, to generate', async () => {
    const { settingsStore, composer, kiln } = setup();
    await settingsStore.getState().load();
    await settingsStore.getState().saveKey('r8_replicate_key_1234');
    await composer.getState().selectModel('fal:fal-ai/flux/dev');
    const reason = () => {
      const k = keyFor(settingsStore.getState(), 'fal').secret;
      return blockedReason(composer.getState(), k?.set ?? false, k?.state === 'rejected');
    };
    expect(reason()).toBe('Add your fal key in Settings');
    composer.getState().setValue('prompt', 'a fox');
    expect(await composer.getState().submit()).toBeNull();

    await settingsStore.getState().saveKey('bad_id:bad_secret', 'fal');
    expect(reason()).toBe('fal rejected your key — replace it in Settings');
    await settingsStore.getState().saveKey('5c1f0d7e:6b69abcd', 'fal');
    expect(reason()).toBeNull();
    expect(await composer.getState().submit()).toEqual(['fal:fal-ai/flux/dev#0']);
    // fal has no versions: none is sent; the form's presets go as they are.
    expect(kiln.calls.find((c) => c.channel === 'predictions:create')!.req).toMatchObject({
      model: 'fal:fal-ai/flux/dev',
      version: null,
      input: { prompt: 'a fox', image_size: 'landscape_4_3' },
    });
  });

  it('a placeholder for a fal ref knows its provider', () => {
    expect(placeholderSummary('fal:fal-ai/flux/dev')).toMatchObject({ ref: 'fal:fal-ai/flux/dev', provider: 'fal', owner: 'fal-ai', name: 'flux/dev' });
    expect(placeholderSummary('black-forest-labs/flux-dev')).toMatchObject({ provider: 'replicate', owner: 'black-forest-labs', name: 'flux-dev' });
  });
});
