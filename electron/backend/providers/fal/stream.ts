import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { LIMITS, formatBytes } from '../../../../shared/limits.ts';
import { parseJsonWithin } from '../../../../shared/json-shape.ts';
import { ProviderError, networkError } from './errors.ts';
import { parseStatus, type FalQueueApi, type FalRequestRef, type FalStatus } from './queue.ts';
import { readCapped, type FalTransport } from './transport.ts';

// fal's status stream (reference §5): `GET {status_url}/stream?logs=0|1`, SSE whose events are
// unnamed `data: <status JSON>` frames (only the new log entries each), `: ping` keep-alives, and
// the server closes it after COMPLETED. eventsource-parser does the framing. It is one request
// that replaces many polls; when it fails, the engine falls back to polling (a partial outage is
// not an outage), so every failure here is a transient ProviderError.

export interface StatusStreamOptions {
  logs?: boolean;
  signal?: AbortSignal;
  /** No byte (event or ping) for this long → the stream is treated as broken (default 30 s). */
  idleMs?: number;
  onStatus(status: FalStatus): void;
}

/** Resolves with the last status seen when the server ends the stream (COMPLETED, normally). */
export async function streamStatus(t: FalTransport, queue: FalQueueApi, ref: FalRequestRef, opts: StatusStreamOptions): Promise<FalStatus | null> {
  const url = `${queue.urls(ref).statusUrl}/stream?logs=${opts.logs ? 1 : 0}`;
  if (!t.trustedForKey(url)) throw new ProviderError({ code: 'bad_request', message: "Refused to stream from a host that is not fal's queue." });
  const key = await t.key(true);
  const gate = t.gate();
  if (gate) await gate.acquire('other', opts.signal);
  t.counters.total++;
  t.counters.other++;
  const idle = new AbortController();
  const signal = AbortSignal.any([idle.signal, ...(opts.signal ? [opts.signal] : [])]);
  const idleMs = opts.idleMs ?? 30_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => idle.abort(new Error(`no event for ${idleMs} ms`)), idleMs);
  };
  touch();
  try {
    let res: Response;
    try {
      res = await t.fetchRaw(url, { headers: { Authorization: `Key ${key}`, Accept: 'text/event-stream', 'Cache-Control': 'no-store' }, signal });
    } catch (err) {
      if (err instanceof ProviderError) throw err;
      throw networkError(idle.signal.aborted ? idle.signal.reason : err, false);
    }
    if (!res.ok || !res.body) {
      const text = t.scrub(await readCapped(res, 64 * 1024).catch(() => ''));
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      throw t.failure({ status: res.status, ok: false, headers: res.headers, text, json: body, requestId: res.headers.get('x-fal-request-id') });
    }
    let last: FalStatus | null = null;
    let pending = 0;
    let bad: ProviderError | null = null;
    const parser = createParser({
      onEvent(ev: EventSourceMessage) {
        pending = 0;
        try {
          last = parseStatus(parseJsonWithin(ev.data, LIMITS.apiResponseShape));
          opts.onStatus(last);
        } catch (err) {
          bad =
            err instanceof ProviderError
              ? err
              : new ProviderError({ code: 'provider', transient: true, message: "fal's status stream sent an unreadable event." });
        }
      },
    });
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        touch();
        pending += value.byteLength;
        if (pending > LIMITS.apiResponseBytes)
          throw new ProviderError({
            code: 'too_large',
            transient: true,
            message: `fal's status stream sent an event over ${formatBytes(LIMITS.apiResponseBytes)}.`,
          });
        parser.feed(decoder.decode(value, { stream: true }));
        if (bad) throw bad;
        if ((last as FalStatus | null)?.status === 'COMPLETED') break;
      }
    } catch (err) {
      if (err instanceof ProviderError) throw err;
      throw networkError(idle.signal.aborted ? idle.signal.reason : err, false);
    } finally {
      await reader.cancel().catch(() => {});
    }
    return last;
  } finally {
    clearTimeout(timer);
  }
}
