import { z } from 'zod';

// User settings: stored by electron-store in the app, by a JSON file elsewhere. Never secrets.
export const Theme = z.enum(['system', 'light', 'dark']);

export const Settings = z.object({
  theme: Theme.default('system'),
  /** "Give up if not started within", sent as Replicate's Cancel-After (e.g. "10m"); null = never. */
  cancelAfter: z.string().regex(/^(\d+h)?(\d+m)?(\d+s)?$|^\d+$/, 'Use a duration like 90s, 10m or 1h30m').nullable().default(null),
  /** How many creates may be in flight at once. */
  createConcurrency: z.number().int().min(1).max(32).default(4),
  notifications: z.boolean().default(true),
  recentModels: z.array(z.string()).max(20).default([]),
  pinnedModels: z.array(z.string()).max(50).default([]),
  /** Last form values per model ref, so iterating on a prompt survives restarts. */
  formValues: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
});
export type Settings = z.infer<typeof Settings>;
/**
 * A partial update: only the keys given. Built from the fields without their defaults, because
 * zod's .partial() keeps them and would silently reset every key the patch leaves out.
 */
type Shape = typeof Settings.shape;
export const SettingsPatch = z.object(
  Object.fromEntries(Object.entries(Settings.shape).map(([k, v]) => [k, v.unwrap()])) as { [K in keyof Shape]: ReturnType<Shape[K]['unwrap']> },
).partial();
export type SettingsPatch = z.infer<typeof SettingsPatch>;

export const DEFAULT_SETTINGS: Settings = Settings.parse({});
