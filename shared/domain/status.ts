// The prediction lifecycle rules (ARCHITECTURE.md, "Runs and their lifecycle"). One home for "is this over?" so the engine, the CLI
// and the UI can never disagree.

/** Remote statuses that end a prediction. Exactly this set: anything else keeps being followed. */
export const TERMINAL_STATUSES = ['succeeded', 'failed', 'canceled', 'aborted'] as const;
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

/** Local states that wrap the remote ones before the provider knows the prediction. */
export const LOCAL_PRE_STATUSES = ['queued', 'submitting'] as const;

/**
 * Waiting in Kiln, never sent: `queued` with no provider id. Kiln's local states share a namespace
 * with the provider's statuses, and a provider may one day report its own `queued` (Replicate's
 * reference allows new statuses): that run exists remotely — it must be resumed by its id and
 * canceled there, never treated as unsent.
 */
export function isQueuedLocally(rec: { status: string; providerId: string | null }): boolean {
  return rec.status === 'queued' && !rec.providerId;
}

/** Known remote statuses; the provider may send others (e.g. a future `queued`), which are non-terminal. */
export const KNOWN_REMOTE_STATUSES = ['starting', 'processing', ...TERMINAL_STATUSES] as const;

export function isTerminal(status: string): status is TerminalStatus {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

/** Terminal statuses a user may want to run again with one click. */
export function isRetryable(status: string): boolean {
  return status === 'failed' || status === 'canceled' || status === 'aborted';
}

/** Where the local copy of the outputs stands (ARCHITECTURE.md, "Storage"). */
export const SAVE_STATES = ['none', 'saving', 'saved', 'save-failed', 'expired'] as const;
export type SaveState = (typeof SAVE_STATES)[number];
