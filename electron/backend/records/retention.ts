import type { ProviderId } from '../../../shared/domain/provider.ts';

// How long each provider keeps a run's output files: the one policy (one row per provider), read
// by history (the card's "expires" time), the vault (a 403/410 after expiry means "gone", not "try
// again"), the engine (how far back a restart looks) and the providers themselves. It lives below
// all of them.
//
// - Replicate deletes API outputs one hour after creation (replicate-api.md).
// - fal keeps generated media for a lifetime the request may set (`x-fal-object-lifecycle-
//   preference`, fal-api.md §3, §10); its own default is undocumented ("configurable"; "at least 7
//   days" is UNVERIFIED). So Kiln asks for FAL_MEDIA_LIFETIME_S on every submit and counts from it:
//   the card's days are what Kiln asked for, not a guess.

/** fal media lifetime Kiln requests on submit: 7 days (fal's `7d` preset). */
export const FAL_MEDIA_LIFETIME_S = 7 * 24 * 60 * 60;

/** Output retention per provider, in ms from the provider's creation time (null: kept until deleted). */
export const RETENTION_MS: Readonly<Record<ProviderId, number | null>> = {
  replicate: 60 * 60 * 1000,
  fal: FAL_MEDIA_LIFETIME_S * 1000,
};

/** A run's provider's retention; an unknown or missing provider is Replicate (older rows). */
export function retentionMs(provider: ProviderId | null | undefined): number | null {
  return RETENTION_MS[provider ?? 'replicate'] ?? RETENTION_MS.replicate;
}

/** When a run's outputs are gone at its provider, or null if they are kept. */
export function outputsExpireAt(rec: { provider?: ProviderId | null; providerCreatedAt: number | null; createdAt: number }): number | null {
  const ms = retentionMs(rec.provider);
  return ms === null ? null : (rec.providerCreatedAt ?? rec.createdAt) + ms;
}
