import { describe, expect, it } from 'vitest';
import { createHealth, type RequestClass } from '../../electron/backend/engine/health.ts';
import { classifyFailure, keyNote, worthRetrying, type FailureClass } from '../../electron/backend/engine/failures.ts';
import { boundText, usableVersion, writeFailedNote, NO_ERROR_MESSAGE } from '../../electron/backend/engine/record-rules.ts';
import { retryAfterMs } from '../../electron/backend/providers/errors.ts';
import { ProviderError, errorFromResponse, networkError, malformedError } from '../../electron/backend/providers/replicate/errors.ts';
import { LIMITS } from '../../shared/limits.ts';

// The engine's pure decisions as tables (ARCHITECTURE.md, "The engine"): per-kind network health, what a failure
// means, and the record rules. No timers, no sockets.

describe('network health per kind of request (health.ts)', () => {
  const table: { name: string; steps: [RequestClass, 'ok' | 'fail'][]; online: boolean }[] = [
    {
      name: 'three GET failures in a row',
      steps: [
        ['get', 'fail'],
        ['get', 'fail'],
        ['get', 'fail'],
      ],
      online: false,
    },
    {
      name: 'three create failures in a row',
      steps: [
        ['create', 'fail'],
        ['create', 'fail'],
        ['create', 'fail'],
      ],
      online: false,
    },
    { name: 'the list failing alone, however often', steps: Array.from({ length: 20 }, () => ['list', 'fail'] as [RequestClass, 'fail']), online: true },
    { name: 'streams failing alone', steps: Array.from({ length: 5 }, () => ['stream', 'fail'] as [RequestClass, 'fail']), online: true },
    {
      name: 'list failing while GETs work',
      steps: [
        ['list', 'fail'],
        ['get', 'ok'],
        ['list', 'fail'],
        ['get', 'ok'],
        ['list', 'fail'],
        ['get', 'fail'],
        ['list', 'fail'],
        ['get', 'fail'],
      ],
      online: true,
    },
    {
      name: 'a lost create whose reconciling list fails too (nothing else to fall back on)',
      steps: [
        ['create', 'fail'],
        ['reconcile', 'fail'],
        ['reconcile', 'fail'],
      ],
      online: false,
    },
    {
      name: 'list and GET both failing',
      steps: [
        ['list', 'fail'],
        ['get', 'fail'],
        ['list', 'fail'],
        ['get', 'fail'],
        ['cancel', 'fail'],
      ],
      online: false,
    },
    {
      name: 'a success of any kind in between',
      steps: [
        ['get', 'fail'],
        ['get', 'fail'],
        ['list', 'ok'],
        ['get', 'fail'],
        ['get', 'fail'],
      ],
      online: true,
    },
  ];
  for (const row of table) {
    it(row.name, () => {
      const h = createHealth({ offlineAfterFailures: 3 });
      for (const [kind, r] of row.steps) {
        if (r === 'ok') h.success(kind);
        else h.failure(kind);
      }
      expect(h.online).toBe(row.online);
    });
  }

  it('reports the moment it goes offline and the moment it is back, once each', () => {
    const h = createHealth({ offlineAfterFailures: 2 });
    expect([h.failure('get'), h.failure('get'), h.failure('get')]).toEqual([false, true, false]);
    expect([h.success('probe'), h.success('get')]).toEqual([true, false]);
    expect(h.failures('list')).toBe(0);
    h.failure('list');
    h.failure('list');
    expect(h.failures('list')).toBe(2);
    expect(h.streak).toBe(0);
  });
});

describe('what a failed request means (failures.ts)', () => {
  const table: [string, unknown, FailureClass][] = [
    ['401', errorFromResponse(401, null, { detail: 'x' }, { isCreate: false }), 'key'],
    ['403', errorFromResponse(403, null, null, { isCreate: false }), 'key'],
    ['no key set', new ProviderError({ code: 'auth', message: 'No key' }), 'key'],
    ['429', errorFromResponse(429, null, { detail: 'Request was throttled.' }, { isCreate: false }), 'rate'],
    ['500', errorFromResponse(500, null, null, { isCreate: false }), 'network'],
    ['503 on cancel', errorFromResponse(503, null, null, { isCreate: false }), 'network'],
    ['connection reset', networkError(new Error('ECONNRESET'), false), 'network'],
    ['unreadable body', malformedError(false, 'not JSON'), 'network'],
    ['HTML 404', errorFromResponse(404, null, '<!DOCTYPE html><html><head><title>404 Not Found</title></head></html>', { isCreate: false }), 'answer'],
    ['404 of another account', errorFromResponse(404, null, { detail: 'Not found.' }, { isCreate: false }), 'answer'],
    ['422', errorFromResponse(422, null, { detail: 'bad' }, { isCreate: false }), 'answer'],
    ['a plain Error (a bug, not the network)', new Error('boom'), 'answer'],
  ];
  for (const [name, err, cls] of table) {
    it(`${name} → ${cls}`, () => {
      expect(classifyFailure(err)).toBe(cls);
      expect(worthRetrying(cls)).toBe(cls === 'network' || cls === 'rate');
    });
  }

  it('an HTML error page is named by its title, not pasted as markup', () => {
    const e = errorFromResponse(404, null, '<!DOCTYPE html><html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>', {
      isCreate: false,
    });
    expect(e.message).toBe('Not found on Replicate: 404 Not Found.');
  });

  it('key notes: rejected vs missing', () => {
    expect(keyNote(errorFromResponse(401, null, null, { isCreate: false }))).toBe('Paused — key rejected');
    expect(keyNote(new ProviderError({ code: 'auth', message: 'No key' }))).toMatch(/no API key/);
  });
});

describe('record rules (record-rules.ts)', () => {
  it('text within the limit is kept whole; beyond it is cut and the note names the limit', () => {
    expect(boundText('abc', 5)).toEqual({ text: 'abc', note: null });
    const cut = boundText('abcdefgh', 5);
    expect(cut.text).toBe('abcde');
    expect(cut.note).toMatch(/runTextChars/);
    expect(boundText('x'.repeat(LIMITS.runTextChars)).note).toBeNull();
    expect(boundText('x'.repeat(LIMITS.runTextChars + 1)).text).toHaveLength(LIMITS.runTextChars);
  });

  it.each([
    ['a'.repeat(64), 'a'.repeat(64)],
    ['hidden', null],
    ['dp-4d0e5b5c1b6a4d9c9f1e2b3a4c5d6e7f', null],
    ['d-abc123', null],
    [null, null],
    [undefined, null],
    ['', null],
  ])('version %s → %s', (v, want) => expect(usableVersion(v)).toBe(want));

  it('disk full says what to do; other write errors say what happened', () => {
    expect(writeFailedNote(new Error('database or disk is full'))).toBe('Disk full — free space, Kiln will retry saving this card');
    expect(writeFailedNote(new Error('SQLITE_FULL'))).toMatch(/^Disk full/);
    expect(writeFailedNote(new Error('database is locked'))).toMatch(/database is locked.*Kiln will retry/);
    expect(NO_ERROR_MESSAGE).toBe('the model gave no error message');
  });
});

describe('Retry-After from every place a server puts it (backoff.ts)', () => {
  it.each([
    ['header', new Headers({ 'retry-after': '3' }), null, 3000],
    ['DRF body', null, { detail: 'Request was throttled. Expected available in 7 seconds.' }, 7000],
    ['retry_after number in the body, no title', null, { detail: 'Too many requests', retry_after: 5 }, 5000],
    ['retry_after string in the body', null, { retry_after: '2.5' }, 2500],
    ['nothing', null, { detail: 'slow down' }, null],
  ])('%s', (_n, headers, body, want) => expect(retryAfterMs(headers as Headers | null, body)).toBe(want));
});
