// How long a provider keeps a run's output files. Shared by history (the card's "expires" time) and
// the vault (a 403/410 after expiry means "gone", not "try again"), so it lives below both.

/** Replicate deletes API outputs one hour after creation. */
export const PROVIDER_RETENTION_MS = 60 * 60 * 1000;
