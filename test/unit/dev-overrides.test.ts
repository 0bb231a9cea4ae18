import { describe, expect, it } from 'vitest';
import { resolveOverrides } from '../../electron/main/dev-overrides.ts';

// Issue 10 item 11: a packaged app does not honour development overrides from the environment.
describe('development overrides', () => {
  const env = {
    KILN_DEV_SERVER_URL: 'http://127.0.0.1:5173/',
    KILN_REPLICATE_BASE_URL: 'http://127.0.0.1:9999/v1',
    KILN_FAL_QUEUE_URL: 'http://127.0.0.1:9998/queue',
    KILN_FAL_API_URL: 'http://127.0.0.1:9998/v1',
    KILN_FAL_STORAGE_URL: 'http://127.0.0.1:9998/storage',
  };

  it('a packaged app ignores every variable (the fal key must not follow KILN_FAL_*_URL either) and names them (not their values) for the log', () => {
    const o = resolveOverrides({ isPackaged: true, env });
    expect(o).toEqual({
      devServerUrl: null,
      replicateBaseUrl: undefined,
      falBases: {},
      ignored: ['KILN_DEV_SERVER_URL', 'KILN_REPLICATE_BASE_URL', 'KILN_FAL_QUEUE_URL', 'KILN_FAL_API_URL', 'KILN_FAL_STORAGE_URL'],
    });
    expect(JSON.stringify(o)).not.toContain('127.0.0.1');
  });

  it('a packaged app changes the API base only through the setting the user sees', () => {
    expect(resolveOverrides({ isPackaged: true, env, replicateBaseUrlSetting: 'https://proxy.example/v1' }).replicateBaseUrl).toBe('https://proxy.example/v1');
    expect(resolveOverrides({ isPackaged: true, env: {}, replicateBaseUrlSetting: '  ' }).replicateBaseUrl).toBeUndefined();
    expect(resolveOverrides({ isPackaged: true, env: {} }).ignored).toEqual([]);
  });

  it("a development build keeps the variables (npm run demo, tests), fal's as the CLI and browser mode read them", () => {
    expect(resolveOverrides({ isPackaged: false, env })).toEqual({
      devServerUrl: env.KILN_DEV_SERVER_URL,
      replicateBaseUrl: env.KILN_REPLICATE_BASE_URL,
      falBases: { queueUrl: env.KILN_FAL_QUEUE_URL, apiUrl: env.KILN_FAL_API_URL, storageUrl: env.KILN_FAL_STORAGE_URL },
      ignored: [],
    });
    expect(resolveOverrides({ isPackaged: false, env: {} })).toEqual({ devServerUrl: null, replicateBaseUrl: undefined, falBases: {}, ignored: [] });
  });
});
