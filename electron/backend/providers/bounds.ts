import { LIMITS, formatBytes } from '../../../shared/limits.ts';

// Bounds on a provider's text, applied at the provider boundary by every provider (ARCHITECTURE.md,
// "Security"): whatever a server sends, the engine, the history and the UI see at most this much.

/** Logs kept per run: the tail (the end of a log explains a failure), bounded by LIMITS.runLogChars. */
export function boundLogs(logs: string, max: number = LIMITS.runLogChars): string {
  if (logs.length <= max) return logs;
  const marker = `[… earlier logs dropped: Kiln keeps the last ${formatBytes(max)} of a run's logs (runLogChars)]\n`;
  return marker + logs.slice(logs.length - (max - marker.length));
}

/**
 * How long one upload may take: a minute, plus what its bytes need at 100 KB/s (a slow uplink). A
 * fixed limit fails every attempt of a large file on a slow link, and each attempt starts over.
 */
export function uploadTimeoutMs(bytes: number): number {
  return 60_000 + Math.ceil(bytes / 100_000) * 1_000;
}
