import { LIMITS, type DownloadKind } from '../limits.ts';

// The settings' defaults, as plain values: the zod schema (./settings.ts) takes each default from
// here, and the renderer starts from DEFAULT_SETTINGS without loading zod (the contract's schemas
// were ~60 ms of the page's start). A unit test checks that the schema parses {} to exactly this.

const MiB = 1024 * 1024;
export const DEFAULT_DOWNLOAD_LIMITS_MB = Object.fromEntries(Object.entries(LIMITS.download).map(([k, v]) => [k, v / MiB])) as Record<DownloadKind, number>;

// Typed here, not as `Settings` (whose type is inferred from the schema that reads these: a cycle);
// settings.ts checks that this is a Settings.
export const DEFAULT_SETTINGS = {
  theme: 'system' as 'system' | 'light' | 'dark',
  cancelAfter: null as string | null,
  createConcurrency: 4,
  notifications: true,
  recentModels: [] as string[],
  pinnedModels: [] as string[],
  formValues: {} as Record<string, Record<string, unknown>>,
  downloadLimitsMB: DEFAULT_DOWNLOAD_LIMITS_MB,
  budgetDailyUsd: null as number | null,
  budgetMonthlyUsd: null as number | null,
  priceOverrides: {} as Record<string, never>,
};
