// Pure parts of the fal client: endpoint ids, the start-deadline header, error flags and messages,
// tolerant status parsing, schema picking and input matching for reconciliation.
import { describe, expect, it } from 'vitest';
import { appPath, parseEndpointId, requestUrls } from '../../electron/backend/providers/fal/endpoint.ts';
import { errorFromResponse, fieldErrors, messageOf, networkError } from '../../electron/backend/providers/fal/errors.ts';
import { parseStatus, requestTimeoutHeader } from '../../electron/backend/providers/fal/queue.ts';
import { schemasFromOpenApi } from '../../electron/backend/providers/fal/platform.ts';

describe('fal endpoint ids', () => {
  it.each([
    ['fal-ai/flux/dev', { owner: 'fal-ai', app: 'flux', path: 'dev', namespace: null }, 'fal-ai/flux'],
    ['fal:fal-ai/kling-video/v2.1/master/text-to-video', { owner: 'fal-ai', app: 'kling-video', path: 'v2.1/master/text-to-video' }, 'fal-ai/kling-video'],
    ['workflows/me/pipe/run', { namespace: 'workflows', owner: 'me', app: 'pipe', path: 'run' }, 'workflows/me/pipe'],
    ['123-name', { owner: '123', app: 'name', path: null }, '123/name'],
  ])('%s', (raw, parts, app) => {
    const e = parseEndpointId(raw);
    expect(e).toMatchObject(parts);
    expect(appPath(e)).toBe(app);
  });
  it.each(['flux', 'fal-ai/', '../etc/passwd', 'fal-ai/flux/../x', 'a b/c'])('refuses %s', (raw) => {
    expect(() => parseEndpointId(raw)).toThrow(/not a fal endpoint id/);
  });
  it('request URLs drop the sub-path', () => {
    expect(requestUrls('https://queue.fal.run', 'fal-ai/flux/dev', 'r1')).toEqual({
      responseUrl: 'https://queue.fal.run/fal-ai/flux/requests/r1',
      statusUrl: 'https://queue.fal.run/fal-ai/flux/requests/r1/status',
      cancelUrl: 'https://queue.fal.run/fal-ai/flux/requests/r1/cancel',
    });
  });
});

describe('x-fal-request-timeout from a deadline', () => {
  it('is the seconds left, rounded down to a tenth; refuses a deadline ≤ 1 s away', () => {
    expect(requestTimeoutHeader(1_000_000 + 30_000, 1_000_000)).toBe('30.0');
    expect(requestTimeoutHeader(1_000_000 + 12_345, 1_000_000)).toBe('12.3');
    expect(() => requestTimeoutHeader(1_000_000 + 1_000, 1_000_000)).toThrow(/deadline has already passed/);
    expect(() => requestTimeoutHeader(999_000, 1_000_000)).toThrow();
  });
});

describe('fal errors', () => {
  it('flags: 429 never ambiguous, 5xx ambiguous only for a submit, 401/403 not transient', () => {
    const h = new Headers({ 'retry-after': '7' });
    const r429 = errorFromResponse(429, h, { detail: 'Queue is full' }, { isSubmit: true });
    expect([r429.code, r429.transient, r429.ambiguous, r429.retryAfterMs]).toEqual(['rate_limited', true, false, 7000]);
    expect(errorFromResponse(503, null, '<html>nginx</html>', { isSubmit: true }).ambiguous).toBe(true);
    expect(errorFromResponse(503, null, '<html>nginx</html>', { isSubmit: false }).ambiguous).toBe(false);
    expect(errorFromResponse(401, null, { detail: 'No user found for Key ID and Secret' }, { isSubmit: false })).toMatchObject({
      code: 'auth',
      transient: false,
    });
    expect(errorFromResponse(403, null, { detail: 'User is locked. Reason: Exhausted balance.' }, { isSubmit: true }).code).toBe('billing');
    expect(errorFromResponse(422, null, { detail: [{ loc: ['body', 'seed'], msg: 'Input should be a valid integer' }] }, { isSubmit: true }).fields).toEqual({
      seed: 'Input should be a valid integer',
    });
  });
  it('a refused connection was never sent; a reset may have landed', () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    const reset = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });
    expect(networkError(refused, true).ambiguous).toBe(false);
    expect(networkError(reset, true).ambiguous).toBe(true);
    expect(networkError(reset, false).ambiguous).toBe(false);
  });
  it('messages from either dialect; HTML pages say nothing', () => {
    expect(messageOf({ detail: 'Request timed out', error_type: 'request_timeout' })).toBe('Request timed out');
    expect(
      messageOf({
        detail: [
          { loc: ['body', 'prompt'], msg: 'Field required' },
          { loc: ['body'], msg: 'bad' },
        ],
      }),
    ).toBe('prompt: Field required; bad');
    expect(messageOf({ error: { type: 'not_found', message: 'No such model' } })).toBe('No such model');
    expect(messageOf('<html><center>nginx</center></html>')).toBeNull();
    expect(fieldErrors({ detail: 'plain string' })).toBeUndefined();
    expect(
      fieldErrors({
        detail: [{ loc: ['body', 'image_size', 'width'], msg: 'too wide' }, { loc: [], type: 'missing' }, null, { loc: ['body', 'seed'], msg: '' }],
      }),
    ).toEqual({
      image_size: 'too wide',
      '(input)': 'missing',
      seed: 'invalid',
    });
  });
});

describe('status parsing', () => {
  it('keeps unknown statuses, drops malformed log entries, accepts the legacy entry shape', () => {
    const s = parseStatus({
      status: 'IN_WARMUP',
      request_id: 'r',
      logs: [{ message: 'a', timestamp: '2024-12-20T15:37:17.120314', labels: {} }, { nope: 1 }, 'x'],
    });
    expect(s).toEqual({
      status: 'IN_WARMUP',
      queuePosition: null,
      logs: [{ message: 'a', timestamp: '2024-12-20T15:37:17.120314', labels: {} }],
      inferenceTimeS: null,
      error: null,
      errorType: null,
    });
    expect(parseStatus({ status: 'COMPLETED', logs: null, metrics: {}, error: 'boom', error_type: 'runner_server_error' })).toMatchObject({
      error: 'boom',
      errorType: 'runner_server_error',
      logs: null,
    });
    expect(() => parseStatus({ request_id: 'r' })).toThrow(/unreadable/);
  });
});

describe('schemas and reconciliation', () => {
  const doc = (paths: Record<string, unknown>, schemas: Record<string, unknown>) => ({ openapi: '3.0.4', paths, components: { schemas } });
  it('follows the POST body $ref, else the …Input naming', () => {
    const byRef = schemasFromOpenApi(
      'a/b',
      doc(
        { '/a/b': { post: { requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Odd' } } } } } } },
        { Odd: { type: 'object', properties: { x: {} } }, BInput: { type: 'object' } },
      ),
    );
    expect(byRef.input).toEqual({ type: 'object', properties: { x: {} } });
    const byName = schemasFromOpenApi('a/b', doc({}, { AbInput: { type: 'object', title: 'in' }, AbOutput: { type: 'object', title: 'out' } }));
    expect([byName.input.title, byName.output?.title]).toEqual(['in', 'out']);
    expect(() => schemasFromOpenApi('a/b', { error: { code: 'expansion_failed', message: 'nope' } })).toThrow(/could not provide the schema of a\/b: nope/);
    expect(() => schemasFromOpenApi('a/b', doc({}, {}))).toThrow(/no input schema/);
  });
});
