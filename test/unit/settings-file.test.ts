import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Conf from 'conf';
import { createFileSettings } from '../../electron/backend/settings/file-settings.ts';
import { migrateLegacySettings, settingsFilePath, settingsStoreOptions } from '../../electron/backend/settings/settings-file.ts';
import { DEFAULT_SETTINGS } from '../../shared/domain/settings.ts';
import type { Logger } from '../../electron/backend/types.ts';

// One settings file for every host (docs/ARCHITECTURE.md, "Settings and secrets"). electron-store cannot be imported outside Electron,
// but its engine `conf` can: electron-store passes our options to it unchanged (renaming `name` to
// `configName`), so opening `conf` with settingsStoreOptions() is what the app does to the file.

const dirs: string[] = [];
function tmp() {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-settings-file-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
const log: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** What electron-store does with its options before handing them to conf. */
function appStore(dataDir: string) {
  const { name, ...rest } = settingsStoreOptions(dataDir);
  return new Conf<Record<string, unknown>>({ ...rest, configName: name, projectName: 'kiln' });
}

describe('the electron-store options', () => {
  it('point at <data folder>/settings.json, owner-only, never wiping an unreadable file', () => {
    const dir = tmp();
    const opts = settingsStoreOptions(dir);
    expect(opts).toMatchObject({ cwd: dir, name: 'settings', fileExtension: 'json', configFileMode: 0o600, clearInvalidConfig: false });
    expect(appStore(dir).path).toBe(settingsFilePath(dir));
  });
});

describe('the app and the other hosts share one settings file', () => {
  it('what the app writes, the CLI and browser mode read — byte for byte the same format', () => {
    const dir = tmp();
    const store = appStore(dir);
    store.store = { ...DEFAULT_SETTINGS, theme: 'dark', createConcurrency: 7 };
    const appBytes = fs.readFileSync(settingsFilePath(dir), 'utf8');
    const file = createFileSettings({ file: settingsFilePath(dir), log });
    expect(file.get()).toMatchObject({ theme: 'dark', createConcurrency: 7 });
    file.set({ theme: 'dark' }); // same values: the adapter rewrites the file
    expect(fs.readFileSync(settingsFilePath(dir), 'utf8')).toBe(appBytes);
    if (process.platform !== 'win32') expect(fs.statSync(settingsFilePath(dir)).mode & 0o777).toBe(0o600);
  });

  it('what the CLI writes, the app reads', () => {
    const dir = tmp();
    createFileSettings({ file: settingsFilePath(dir), log }).set({ theme: 'light', notifications: false });
    expect(appStore(dir).store).toMatchObject({ theme: 'light', notifications: false });
  });
});

describe('migration from the old config.json', () => {
  function legacy(dir: string, settings: unknown) {
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ settings, window: { maximized: true }, 'secret:replicate': 'ENCRYPTED' }));
  }

  it('carries the settings over once, and nothing else of config.json', () => {
    const dir = tmp();
    legacy(dir, { ...DEFAULT_SETTINGS, theme: 'dark', createConcurrency: 3 });
    const s = createFileSettings({ file: settingsFilePath(dir), log });
    expect(s.get()).toMatchObject({ theme: 'dark', createConcurrency: 3 });
    const written = fs.readFileSync(settingsFilePath(dir), 'utf8');
    expect(written).not.toContain('ENCRYPTED');
    expect(written).not.toContain('maximized');
    expect(appStore(dir).store).toMatchObject({ theme: 'dark', createConcurrency: 3 });
  });

  it('does not overwrite a settings.json that exists (it already happened, or the CLI wrote first)', () => {
    const dir = tmp();
    createFileSettings({ file: settingsFilePath(dir), log }).set({ theme: 'light' });
    legacy(dir, { ...DEFAULT_SETTINGS, theme: 'dark' });
    expect(migrateLegacySettings(dir, log)).toBe(false);
    expect(createFileSettings({ file: settingsFilePath(dir), log }).get().theme).toBe('light');
  });

  it('ignores a config.json without settings or that is not JSON', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'config.json'), '{"window":');
    expect(migrateLegacySettings(dir, log)).toBe(false);
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ window: {} }));
    expect(migrateLegacySettings(dir, log)).toBe(false);
    expect(fs.existsSync(settingsFilePath(dir))).toBe(false);
  });
});
