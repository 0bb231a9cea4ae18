import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createFileSecrets } from '../../electron/backend/secrets/file-secrets.ts';
import { createEnvSecrets } from '../../electron/backend/secrets/env-secrets.ts';
import { secretStatus } from '../../electron/backend/secrets/status.ts';
import { createNodeDeps } from '../../electron/backend/node-deps.ts';
import { protectionFrom } from '../../electron/main/platform/secrets-protection.ts';
import { KilnError } from '../../shared/ipc.ts';

const dirs: string[] = [];
function tmp() {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-secrets-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('file secrets adapter', () => {
  it('stores the key in a 0600 file, reads it back from a fresh adapter, and clears it', async () => {
    const file = path.join(tmp(), 'nested', 'secrets.json');
    const old = process.umask(0o022);
    try {
      const a = createFileSecrets({ file });
      expect(await a.get('replicate')).toBe(null);
      await a.set('replicate', 'r8_first_key_123');
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(await createFileSecrets({ file }).get('replicate')).toBe('r8_first_key_123');
      expect(a.knownValues()).toEqual(['r8_first_key_123']);
      await a.clear('replicate');
      expect(await createFileSecrets({ file }).get('replicate')).toBe(null);
      expect(fs.readFileSync(file, 'utf8')).not.toContain('r8_first');
      expect(a.protection()).toBe('file');
    } finally {
      process.umask(old);
    }
  });

  it('treats a corrupt secrets file as no key instead of crashing', async () => {
    const file = path.join(tmp(), 'secrets.json');
    fs.writeFileSync(file, '{not json');
    expect(await createFileSecrets({ file }).get('replicate')).toBe(null);
  });
});

describe('env secrets adapter', () => {
  it('serves REPLICATE_API_TOKEN and refuses changes from the UI', async () => {
    const a = createEnvSecrets('r8_from_env_abcd');
    expect(await a.get('replicate')).toBe('r8_from_env_abcd');
    expect(a.protection()).toBe('env');
    await expect(a.set('replicate', 'x'.repeat(10))).rejects.toBeInstanceOf(KilnError);
    await expect(a.clear('replicate')).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('is chosen by createNodeDeps when the variable is set, else the 0600 file', async () => {
    const dir = tmp();
    const withEnv = createNodeDeps({ dataDir: dir, mode: 'memory', env: { REPLICATE_API_TOKEN: ' r8_env_value_zzzz ' } });
    expect(withEnv.secrets.protection()).toBe('env');
    expect(await withEnv.secrets.get('replicate')).toBe('r8_env_value_zzzz');
    const withoutEnv = createNodeDeps({ dataDir: dir, mode: 'memory', env: {} });
    expect(withoutEnv.secrets.protection()).toBe('file');
    await withoutEnv.secrets.set('replicate', 'r8_file_value_yyyy');
    expect(fs.statSync(path.join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
  });
});

describe('secret status', () => {
  it('reveals whether a key is set and its last 4 characters, never the key', () => {
    const s = secretStatus('r8_abcdefghijklmnop1234', 'os', 'me');
    expect(s).toEqual({ set: true, last4: '1234', account: 'me', protection: 'os' });
    expect(JSON.stringify(s)).not.toContain('abcdefgh');
    expect(secretStatus(null, 'file', 'me')).toEqual({ set: false, last4: null, account: null, protection: 'file' });
  });

  it('maps safeStorage answers to a protection level (Linux basic_text is flagged)', () => {
    expect(protectionFrom(true, 'linux', 'basic_text')).toBe('basic_text');
    expect(protectionFrom(true, 'linux', 'gnome_libsecret')).toBe('os');
    expect(protectionFrom(true, 'darwin', null)).toBe('os');
    expect(protectionFrom(true, 'win32', null)).toBe('os');
    expect(protectionFrom(false, 'darwin', null)).toBe('none');
  });
});
