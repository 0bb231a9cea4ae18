import fs from 'node:fs';
import path from 'node:path';
import type { Settings } from '../../../shared/domain/settings.ts';
import type { Logger, SettingsAdapter } from '../types.ts';
import { applySettingsPatch, parseStoredSettings } from './parse.ts';
import { FILE_MODE, chmodIfExists, privateDirSync } from '../data-dir.ts';
import { SETTINGS_FILE, migrateLegacySettings, serializeSettings } from './settings-file.ts';

// settings.json in the data dir, for everything that runs outside Electron; the app writes the same
// file in the same format through electron-store (settings-file.ts). A missing file means
// defaults; an unreadable or invalid one is kept aside (settings.json.corrupt-<ts>) for the user to
// inspect and replaced with defaults, because a settings typo must never stop the app from opening.
export function createFileSettings(opts: { file: string; log: Logger; now?: () => number }): SettingsAdapter {
  const now = opts.now ?? Date.now;
  let current = load();
  chmodIfExists(opts.file, FILE_MODE); // a file an older version wrote 0644

  function load(): Settings {
    // An app that predates the one settings file kept them in config.json: carry them over once.
    if (path.basename(opts.file) === SETTINGS_FILE) migrateLegacySettings(path.dirname(opts.file), opts.log);
    let text: string;
    try {
      text = fs.readFileSync(opts.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') opts.log.warn('settings: unreadable file, using defaults', { file: opts.file, err: String(err) });
      const s = parseStoredSettings({}).settings;
      tryWrite(s);
      return s;
    }
    let raw: unknown;
    let reason: string | null = null;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      reason = `not JSON: ${(err as Error).message}`;
    }
    const parsed = reason ? null : parseStoredSettings(raw);
    if (parsed?.ok) return parsed.settings;
    reason ??= parsed && !parsed.ok ? parsed.reason : 'invalid';
    const aside = `${opts.file}.corrupt-${now()}`;
    try {
      fs.renameSync(opts.file, aside);
    } catch {
      // If we cannot even move it, we still start with defaults; the write below may fail too.
    }
    opts.log.warn('settings: invalid file replaced with defaults', { file: opts.file, keptAs: aside, reason });
    const s = parseStoredSettings({}).settings;
    tryWrite(s);
    return s;
  }

  function tryWrite(s: Settings) {
    try {
      write(s);
    } catch (err) {
      opts.log.warn('settings: could not write file', { file: opts.file, err: String(err) });
    }
  }

  function write(s: Settings) {
    privateDirSync(path.dirname(opts.file));
    const tmp = `${opts.file}.${process.pid}.tmp`;
    // Owner-only like everything in the data folder (prompts live in formValues).
    fs.writeFileSync(tmp, serializeSettings(s), { mode: FILE_MODE });
    chmodIfExists(tmp, FILE_MODE);
    fs.renameSync(tmp, opts.file);
  }

  return {
    get: () => structuredClone(current),
    set(patch) {
      const next = applySettingsPatch(current, patch);
      write(next);
      current = next;
      return structuredClone(next);
    },
  };
}
