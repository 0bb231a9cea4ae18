import { z } from 'zod';
import type { DownloadKind } from '../limits.ts';
import { PRICE_UNITS } from './cost.ts';
import { DEFAULT_SETTINGS as D } from './settings-defaults.ts';

// User settings: stored by electron-store in the app, by a JSON file elsewhere. Never secrets.
export const Theme = z.enum(['system', 'light', 'dark']);

const MiB = 1024 * 1024;
/** A download cap in MB: at least 1 MB, at most 1 TB. */
const LimitMB = z
  .number()
  .int()
  .min(1)
  .max(1024 * 1024);
/** Per kind of output, in MB (ARCHITECTURE.md, "Security"); the defaults come from LIMITS.download (settings-defaults.ts). */
export const DownloadLimitsMB = z.object({ image: LimitMB, text: LimitMB, audio: LimitMB, video: LimitMB, other: LimitMB }).strict();
export type DownloadLimitsMB = z.infer<typeof DownloadLimitsMB>;

/** The settings' caps as bytes, the unit the vault checks. */
export function downloadLimitBytes(s: Pick<Settings, 'downloadLimitsMB'>): Record<DownloadKind, number> {
  return Object.fromEntries(Object.entries(s.downloadLimitsMB).map(([k, v]) => [k, v * MiB])) as Record<DownloadKind, number>;
}

/** Dollars: a budget or a price (bounded like every input). */
const Usd = z.number().min(0).max(1_000_000);
/**
 * The user's own price for a model (ARCHITECTURE.md, "Money"), keyed by its canonical ref (`replicate:owner/name`,
 * `fal:endpoint`): wins over Replicate's table and fal's pricing API. `unit` as in shared/domain/cost.ts.
 */
export const PriceOverride = z
  .object({
    unit: z.enum(PRICE_UNITS),
    usd: Usd,
    /** Per input token, for `token` prices. */
    inputUsd: Usd.nullable().optional(),
  })
  .strict();
export type PriceOverride = z.infer<typeof PriceOverride>;
export const PriceOverrides = z.record(z.string().min(3).max(200), PriceOverride).refine((o) => Object.keys(o).length <= 500, 'At most 500 price overrides');

/**
 * The "give up if not started within" setting (`cancelAfter`: `90s`, `10m`, `1h30m`, or bare
 * seconds, as Replicate's Cancel-After reads it) in ms; null when unset or unreadable.
 */
export function cancelAfterMs(text: string | null | undefined): number | null {
  const s = text?.trim();
  if (!s) return null;
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(s);
  if (!m || (!m[1] && !m[2] && !m[3])) return null;
  return ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000;
}

/** Replicate refuses a Cancel-After under 5 s (its reference: "The minimum allowed duration is 5 seconds"). */
export const CANCEL_AFTER_MIN_MS = 5_000;

export const Settings = z.object({
  theme: Theme.default(D.theme),
  /**
   * "Give up if not started within", sent as Replicate's Cancel-After (e.g. "10m") and fal's
   * x-fal-request-timeout; null = never. Replicate's deadline also ends a run still going at that
   * time (measured from creation), which the Settings help says.
   */
  cancelAfter: z
    .string()
    .regex(/^(\d+h)?(\d+m)?(\d+s)?$|^\d+$/, 'Use a duration like 90s, 10m or 1h30m')
    .refine((v) => (cancelAfterMs(v) ?? CANCEL_AFTER_MIN_MS) >= CANCEL_AFTER_MIN_MS, 'At least 5 seconds (the shortest deadline Replicate accepts)')
    .nullable()
    .default(D.cancelAfter),
  /** How many creates may be in flight at once. */
  createConcurrency: z.number().int().min(1).max(32).default(D.createConcurrency),
  notifications: z.boolean().default(D.notifications),
  recentModels: z.array(z.string()).max(20).default(D.recentModels),
  pinnedModels: z.array(z.string()).max(50).default(D.pinnedModels),
  /** Last form values per model ref, so iterating on a prompt survives restarts. */
  formValues: z.record(z.string(), z.record(z.string(), z.unknown())).default(D.formValues),
  /** Largest output Kiln downloads, per kind, in MB (an output over it is refused, naming the limit). */
  downloadLimitsMB: DownloadLimitsMB.default(D.downloadLimitsMB),
  /** Spend per calendar day / month (USD) above which a run asks first and `kiln` refuses; null = none. */
  budgetDailyUsd: Usd.nullable().default(D.budgetDailyUsd),
  budgetMonthlyUsd: Usd.nullable().default(D.budgetMonthlyUsd),
  /** The user's prices, overriding the shipped table and fal's pricing API. */
  priceOverrides: PriceOverrides.default(D.priceOverrides),
});
export type Settings = z.infer<typeof Settings>;
/**
 * A partial update: only the keys given. Built from the fields without their defaults, because
 * zod's .partial() keeps them and would silently reset every key the patch leaves out.
 */
type Shape = typeof Settings.shape;
export const SettingsPatch = z
  .object(Object.fromEntries(Object.entries(Settings.shape).map(([k, v]) => [k, v.unwrap()])) as { [K in keyof Shape]: ReturnType<Shape[K]['unwrap']> })
  .partial();
export type SettingsPatch = z.infer<typeof SettingsPatch>;

/** What a fresh install starts from (plain values in settings-defaults.ts, so the renderer needs no zod). */
export const DEFAULT_SETTINGS: Settings = D;
