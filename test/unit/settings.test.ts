import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createFileSettings } from '../../electron/backend/settings/file-settings.ts';
import { applySettingsPatch, parseStoredSettings } from '../../electron/backend/settings/parse.ts';
import { DEFAULT_SETTINGS, Settings } from '../../shared/domain/settings.ts';
import { DEFAULT_SETTINGS as PLAIN_DEFAULTS } from '../../shared/domain/settings-defaults.ts';
import type { Logger } from '../../electron/backend/types.ts';

const dirs: string[] = [];
function tmp() {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-settings-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function log() {
  const warnings: string[] = [];
  const l: Logger = { debug() {}, info() {}, warn: (m) => void warnings.push(m), error: (m) => void warnings.push(m) };
  return { l, warnings };
}

describe('file settings adapter', () => {
  it('creates the file with defaults when missing and persists patches', () => {
    const file = path.join(tmp(), 'settings.json');
    const s = createFileSettings({ file, log: log().l });
    expect(s.get()).toEqual(DEFAULT_SETTINGS);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(DEFAULT_SETTINGS);
    const next = s.set({ theme: 'dark', createConcurrency: 8 });
    expect(next.theme).toBe('dark');
    expect(createFileSettings({ file, log: log().l }).get()).toMatchObject({ theme: 'dark', createConcurrency: 8, notifications: true });
  });

  it.each([
    ['not JSON', '{"theme": "dark",'],
    ['wrong types', JSON.stringify({ theme: 'neon', createConcurrency: 'lots' })],
    ['not an object', '[1,2,3]'],
  ])('recreates a corrupt file (%s) with defaults and keeps the bad one aside', (_name, content) => {
    const dir = tmp();
    const file = path.join(dir, 'settings.json');
    fs.writeFileSync(file, content);
    const { l, warnings } = log();
    const s = createFileSettings({ file, log: l, now: () => 1234 });
    expect(s.get()).toEqual(DEFAULT_SETTINGS);
    expect(fs.readFileSync(path.join(dir, 'settings.json.corrupt-1234'), 'utf8')).toBe(content);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(DEFAULT_SETTINGS);
    expect(warnings.some((w) => w.includes('invalid file replaced'))).toBe(true);
  });

  it('fills in fields added in a later version from defaults', () => {
    const file = path.join(tmp(), 'settings.json');
    fs.writeFileSync(file, JSON.stringify({ theme: 'light' }));
    expect(createFileSettings({ file, log: log().l }).get()).toEqual({ ...DEFAULT_SETTINGS, theme: 'light' });
  });

  it('survives an unwritable location without crashing (defaults in memory)', () => {
    const dir = tmp();
    const blocker = path.join(dir, 'file-not-dir');
    fs.writeFileSync(blocker, 'x');
    const { l, warnings } = log();
    const s = createFileSettings({ file: path.join(blocker, 'settings.json'), log: l });
    expect(s.get()).toEqual(DEFAULT_SETTINGS);
    expect(warnings.length).toBeGreaterThan(0);
  });
});

describe('settings parsing shared with the electron-store adapter', () => {
  it('accepts valid settings and flags invalid ones with the failing field', () => {
    expect(parseStoredSettings(undefined)).toEqual({ ok: true, settings: DEFAULT_SETTINGS });
    const bad = parseStoredSettings({ createConcurrency: 999 });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.reason).toContain('createConcurrency');
    expect(bad.settings).toEqual(DEFAULT_SETTINGS);
  });

  it('merges a patch without letting undefined erase a value', () => {
    const s = applySettingsPatch({ ...DEFAULT_SETTINGS, theme: 'dark' }, { theme: undefined, notifications: false });
    expect(s).toMatchObject({ theme: 'dark', notifications: false });
  });
});

describe('electron-store settings adapter', () => {
  it('replaces invalid stored settings with defaults, keeps the bad file aside, and persists patches', async () => {
    const { createStoreSettings } = await import('../../electron/main/platform/settings.ts');
    // electron-store's surface the adapter uses: the whole file as `store`, and its `path`.
    const file = path.join(tmp(), 'settings.json');
    fs.writeFileSync(file, JSON.stringify({ theme: 'neon', createConcurrency: -1 }));
    const store = {
      path: file,
      get store() {
        return JSON.parse(fs.readFileSync(file, 'utf8'));
      },
      set store(v: unknown) {
        fs.writeFileSync(file, JSON.stringify(v));
      },
    };
    const { l, warnings } = log();
    const s = createStoreSettings(store as never, l);
    expect(s.get()).toEqual(DEFAULT_SETTINGS);
    const aside = fs.readdirSync(path.dirname(file)).filter((f) => f.startsWith('settings.json.corrupt-'));
    expect(aside.length).toBe(1);
    expect(JSON.parse(fs.readFileSync(path.join(path.dirname(file), aside[0]!), 'utf8'))).toMatchObject({ theme: 'neon' });
    expect(warnings.length).toBe(1);
    s.set({ theme: 'light' });
    expect(store.store).toMatchObject({ theme: 'light' });
    expect(createStoreSettings(store as never, l).get().theme).toBe('light');
  });
});

describe('the settings defaults', () => {
  it('are what the schema fills in for a fresh install: the renderer starts from the plain copy, without zod', () => {
    expect(Settings.parse({})).toEqual(PLAIN_DEFAULTS);
    expect(DEFAULT_SETTINGS).toEqual(PLAIN_DEFAULTS);
    expect(Object.keys(PLAIN_DEFAULTS).sort()).toEqual(Object.keys(Settings.shape).sort());
  });
});
