import { describe, expect, it } from 'vitest';
import {
  afterCreateError,
  afterReconcile,
  following,
  phaseOnResume,
  type PhaseKind,
  type ReconcileOutcome,
  type CreateFailure,
} from '../../electron/backend/engine/phase.ts';
import { ProviderError } from '../../electron/backend/providers/errors.ts';
import { KilnError } from '../../shared/ipc.ts';

// The run's phase (phase.ts) and the pure decisions that move it, as tables: no timers, no sockets.

describe('where a journal record resumes after a restart (phaseOnResume)', () => {
  const base = { statusSince: 1_000, providerCreatedAt: null };
  const table: { name: string; status: string; providerId: string | null; phase: PhaseKind | null }[] = [
    { name: 'never sent', status: 'queued', providerId: null, phase: 'queued' },
    { name: 'killed with the create out, no answer', status: 'submitting', providerId: null, phase: 'reconcile' },
    { name: 'killed after the answer', status: 'starting', providerId: 'p1', phase: 'follow' },
    { name: 'running', status: 'processing', providerId: 'p1', phase: 'follow' },
    { name: 'an unknown status with an id is followed', status: 'IN_WARMUP', providerId: 'p1', phase: 'follow' },
    { name: "the provider's own `queued` (with an id) is followed, not sent again", status: 'queued', providerId: 'p1', phase: 'follow' },
    { name: 'an unknown status without an id is looked for, never re-sent', status: 'warming', providerId: null, phase: 'reconcile' },
    { name: 'succeeded: nothing to follow', status: 'succeeded', providerId: 'p1', phase: null },
    { name: 'canceled before any create', status: 'canceled', providerId: null, phase: null },
    { name: 'aborted', status: 'aborted', providerId: 'p1', phase: null },
  ];
  it.each(table)('$name → $phase', ({ status, providerId, phase }) => {
    expect(phaseOnResume({ ...base, status, providerId }, 5_000)?.kind ?? null).toBe(phase);
  });

  it('a followed run keeps what the journal knew and asks for a full look first', () => {
    const p = phaseOnResume({ status: 'processing', providerId: 'p1', statusSince: 1_000, providerCreatedAt: 900 }, 5_000);
    expect(p).toMatchObject({
      kind: 'follow',
      providerId: 'p1',
      seenStatus: 'processing',
      statusSeenAt: 1_000,
      providerCreatedAt: 900,
      since: 5_000,
      needsFull: true,
      cancelSent: false,
      stream: null,
    });
  });

  it('a reconcile starts with no tries', () => {
    expect(phaseOnResume({ status: 'submitting', providerId: null, statusSince: 0, providerCreatedAt: null }, 0)).toEqual({ kind: 'reconcile', tries: 0 });
  });
});

describe('following: the follow phase carries only its own data', () => {
  it('after a create answer (a full view): no GET owed', () => {
    expect(following('r1', 7, { needsFull: false })).toMatchObject({ needsFull: false, lastFullAt: 7, since: 7, seenStatus: null });
  });
  it('found again (a partial view): a full GET first', () => {
    expect(following('r1', 7)).toMatchObject({ needsFull: true, lastFullAt: 0 });
  });
});

describe('what a failed create means (afterCreateError)', () => {
  const table: { name: string; err: unknown; next: CreateFailure }[] = [
    {
      name: 'connection lost after sending (ambiguous)',
      err: new ProviderError({ code: 'network', message: 'reset', transient: true, ambiguous: true }),
      next: 'reconcile',
    },
    { name: 'a 5xx before anything was created', err: new ProviderError({ code: 'provider', status: 503, message: 'down', transient: true }), next: 'requeue' },
    {
      name: 'throttled (429)',
      err: new ProviderError({ code: 'rate_limited', status: 429, message: 'slow down', transient: true, retryAfterMs: 1000 }),
      next: 'requeue',
    },
    { name: 'refused input (422)', err: new ProviderError({ code: 'invalid_input', status: 422, message: 'bad' }), next: 'fail' },
    { name: 'key refused at create', err: new ProviderError({ code: 'auth', status: 401, message: 'no' }), next: 'fail' },
    { name: 'not a provider error', err: new KilnError({ code: 'internal', message: 'bug' }), next: 'fail' },
  ];
  it.each(table)('$name → $next', ({ err, next }) => {
    expect(afterCreateError(err)).toBe(next);
  });
});

describe('what one reconcile sweep decides (afterReconcile)', () => {
  const table: { name: string; found: boolean; unwanted: boolean; tries: number; next: ReconcileOutcome }[] = [
    { name: 'found, still wanted', found: true, unwanted: false, tries: 0, next: 'follow' },
    { name: 'found, canceled or deleted meanwhile', found: true, unwanted: true, tries: 1, next: 'cancel-found' },
    { name: 'not found on the first look', found: false, unwanted: false, tries: 0, next: 'look-again' },
    { name: 'not found on the first look, unwanted: still looked for', found: false, unwanted: true, tries: 0, next: 'look-again' },
    { name: 'not found after every look: provably never created', found: false, unwanted: false, tries: 1, next: 'resend' },
    { name: 'never created and nobody wants it', found: false, unwanted: true, tries: 1, next: 'drop' },
  ];
  it.each(table)('$name → $next', ({ found, unwanted, tries, next }) => {
    expect(afterReconcile({ found, unwanted, tries, attempts: 2 })).toBe(next);
  });

  // A provider whose history lists a request only once it has started (fal): not found is no proof.
  const unproven: { name: string; unwanted: boolean; proven: boolean; expired: boolean; next: ReconcileOutcome }[] = [
    { name: 'may be waiting unseen in the queue: keep looking, never send again', unwanted: false, proven: false, expired: false, next: 'wait' },
    { name: 'unwanted and maybe waiting: still looked for (to cancel it if it shows)', unwanted: true, proven: false, expired: false, next: 'wait' },
    { name: 'its start deadline has passed: it can never start, send again', unwanted: false, proven: true, expired: false, next: 'resend' },
    { name: 'looked for as long as Kiln looks: fail it, saying so (Retry is a second click)', unwanted: false, proven: false, expired: true, next: 'give-up' },
    { name: 'looked for as long as Kiln looks, unwanted: done', unwanted: true, proven: false, expired: true, next: 'drop' },
  ];
  it.each(unproven)('$name → $next', ({ unwanted, proven, expired, next }) => {
    expect(afterReconcile({ found: false, unwanted, tries: 5, attempts: 2, proven, expired })).toBe(next);
  });
  it('found is found, whatever the proof', () => {
    expect(afterReconcile({ found: true, unwanted: false, tries: 9, attempts: 2, proven: false, expired: true })).toBe('follow');
  });
});
