import { ProviderError } from '../providers/errors.ts';

// What a failed request means for the run it was about (ARCHITECTURE.md, "Runs and their lifecycle"), as one pure decision the
// engine's paths share (poll, list, cancel, reconcile, probe), table-tested in
// test/unit/engine-failures.test.ts:
// - key:     401/403 or no key — not a network fault: pause the provider until a key is saved.
// - network: no answer, a 5xx or an unreadable body — retry with back-off; counts toward "unreachable".
// - rate:    429 — retry when the server says; the budget slows down.
// - answer:  any other 4xx — the server understood and said no: never worth sending again as is.

export type FailureClass = 'key' | 'network' | 'rate' | 'answer';

export function classifyFailure(err: unknown): FailureClass {
  if (!(err instanceof ProviderError)) return 'answer';
  if (err.code === 'auth') return 'key';
  if (err.code === 'rate_limited' || err.status === 429) return 'rate';
  if (err.code === 'network' || err.transient || (err.status !== null && err.status >= 500)) return 'network';
  return 'answer';
}

/** Worth sending again later (with back-off): the request may work next time. */
export function worthRetrying(c: FailureClass): boolean {
  return c === 'network' || c === 'rate';
}

/** The card note for a key problem: an unset key and a rejected one ask for different things. */
export function keyNote(err: unknown): string {
  return err instanceof ProviderError && err.status === null ? 'Paused — no API key (add one in Settings)' : 'Paused — key rejected';
}
