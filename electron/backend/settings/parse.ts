import { DEFAULT_SETTINGS, Settings, type SettingsPatch } from '../../../shared/domain/settings.ts';

// Shared by the JSON-file adapter (plain Node) and the electron-store adapter, so both recover from
// a bad file the same way: whatever does not validate falls back to defaults, never a crash.

export type ParsedSettings = { ok: true; settings: Settings } | { ok: false; settings: Settings; reason: string };

export function parseStoredSettings(raw: unknown): ParsedSettings {
  const r = Settings.safeParse(raw ?? {});
  if (r.success) return { ok: true, settings: r.data };
  return {
    ok: false,
    settings: structuredClone(DEFAULT_SETTINGS),
    reason: r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '),
  };
}

/** The patch was validated by the router; re-parsing the merge keeps defaults and invariants in one place. */
export function applySettingsPatch(current: Settings, patch: SettingsPatch): Settings {
  const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
  return Settings.parse({ ...current, ...defined });
}
