import type { CancelAnswer, Provider, RemoteRun, RunRef, StreamHandlers, SubmitIntent, SubmitSpec } from '../types.ts';
import { ProviderError } from '../errors.ts';
import { crashOf } from './errors.ts';
import { boundLogs } from '../bounds.ts';
import type { FalClient, FalHistoryItem, FalResult, FalStatus } from './client.ts';
import { FAL_MEDIA_LIFETIME_S, RETENTION_MS } from '../../records/retention.ts';
import { requestUrls } from './endpoint.ts';
import { LIMITS } from '../../../../shared/limits.ts';
import { RESULT_UNREAD } from '../../../../shared/domain/cost.ts';
import { isTerminal } from '../../../../shared/domain/status.ts';

// fal as the second implementation of the Provider interface (../types.ts), over the queue client.
// The trap it exists to hide from the engine (ARCHITECTURE.md, "Runs and their lifecycle" table; shared reference fal-api.md): a fal
// job never says FAILED. COMPLETED is not success until the result fetch answers 2xx — so `get`
// fetches the result as soon as the status says COMPLETED, and only then reports a Kiln end:
// succeeded (the output), failed (fal's message), aborted (the start deadline passed: not billed),
// canceled. Waiting carries fal's queue position, running carries the logs.

const endpointOf = (model: string) => model.trim().replace(/^fal:/, '');

function ms(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : null;
}

/** A fal status that is not COMPLETED, as a RemoteRun: IN_QUEUE waits, IN_PROGRESS runs, anything else is followed as it is. */
export function runOfFalStatus(id: string, st: FalStatus): RemoteRun {
  const status = st.status === 'IN_QUEUE' ? 'starting' : st.status === 'IN_PROGRESS' ? 'processing' : st.status;
  const run: RemoteRun = { id, status, rawStatus: st.status, createdAt: null, startedAt: null, completedAt: null, queuePosition: st.queuePosition };
  if (st.logs) run.logs = boundLogs(st.logs.map((l) => l.message).join('\n'));
  return run;
}

/** The end of a COMPLETED fal job, decided by its result fetch (queue.ts decideResult). */
export function runOfFalResult(id: string, st: FalStatus, r: FalResult): RemoteRun {
  const run = runOfFalStatus(id, st);
  run.queuePosition = null;
  if (st.inferenceTimeS !== null) run.metrics = { predictTime: st.inferenceTimeS, totalTime: null };
  switch (r.outcome) {
    case 'succeeded': {
      // fal's language models answer an upstream failure in the body of a 200 (reference §8:
      // `{output, partial?, error?}`): with no answer beside it, the run failed, with that error.
      const inBand = (r.output as { error?: unknown; output?: unknown }).error;
      const answer = (r.output as { output?: unknown }).output;
      if (typeof inBand === 'string' && inBand.trim() && (answer === undefined || answer === null || answer === ''))
        return { ...run, status: 'failed', error: inBand.trim() };
      // An answer with an error beside it (fal's `partial: true`) is still an answer: its text is
      // kept, and why it stopped goes with it (the detail view and `kiln run --json` show it).
      if (typeof inBand === 'string' && inBand.trim()) run.error = `The answer stopped before its end: ${inBand.trim()}`;
      // fal's language models report `usage: {input_tokens, output_tokens}` (reference §8): kept
      // with the metrics so a per-token price gives the run's cost.
      const usage = (r.output as { usage?: { input_tokens?: unknown; output_tokens?: unknown } }).usage;
      const count = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined);
      const inputTokens = count(usage?.input_tokens);
      const outputTokens = count(usage?.output_tokens);
      if (inputTokens !== undefined || outputTokens !== undefined)
        run.metrics = { predictTime: run.metrics?.predictTime ?? null, totalTime: null, inputTokens, outputTokens };
      return { ...run, status: 'succeeded', output: r.output };
    }
    case 'failed': {
      // An app that crashed says only "Internal Server Error"; its logs name the exception (errors.ts crashOf).
      const crash = r.httpStatus >= 500 && /^internal server error\.?$/i.test(r.message.trim()) ? crashOf(st.logs) : null;
      const message = crash ? `${r.message.trim().replace(/\.$/, '')}: ${crash}` : r.message;
      // A 5xx keeps its status in the message: fal never bills those, and the ledger reads it there.
      const error = r.httpStatus >= 500 && !/\(HTTP \d{3}\)/.test(message) ? `${message} (HTTP ${r.httpStatus})` : message;
      return { ...run, status: 'failed', error, ...(r.errorType === RESULT_UNREAD ? { errorCode: RESULT_UNREAD } : {}) };
    }
    case 'aborted':
      return { ...run, status: 'aborted', error: `${r.message} (not billed)` };
    case 'canceled':
      return { ...run, status: 'canceled' };
    case 'expired':
      // The result is gone before Kiln read it (fal keeps it an hour): the outputs are lost.
      return { ...run, status: 'failed', error: r.message, errorCode: RESULT_UNREAD, dataRemoved: true };
  }
}

/** A canceled request that fal no longer knows (404 after it accepted the cancel). */
function canceledGone(id: string): RemoteRun {
  return { id, status: 'canceled', rawStatus: 'NOT_FOUND', createdAt: null, startedAt: null, completedAt: null, queuePosition: null };
}

/** A request-history item (a lost submit found again): followed from here by `get`. */
export function runOfHistoryItem(item: FalHistoryItem): RemoteRun {
  return {
    id: item.request_id,
    status: 'starting',
    rawStatus: item.ended_at ? 'IN_HISTORY_ENDED' : 'IN_HISTORY',
    createdAt: ms(item.sent_at),
    // What the engine matches the lost submit by (engine/match.ts); absent when fal kept no payload.
    ...(item.json_input ? { input: item.json_input } : {}),
    startedAt: ms(item.started_at),
    completedAt: ms(item.ended_at),
  };
}

/** Request ids remembered between looks, in memory: each forgotten at its run's end, the oldest past `max`. */
function idMemo(max = 10_000) {
  const ids = new Set<string>();
  return {
    has: (id: string) => ids.has(id),
    add(id: string) {
      ids.add(id);
      if (ids.size > max) ids.delete(ids.values().next().value!);
    },
    delete: (id: string) => ids.delete(id),
  };
}

export function createFalProvider(client: FalClient): Provider {
  const ref = (r: RunRef) => ({ endpointId: endpointOf(r.model), requestId: r.id });
  // Runs whose polled logs grew past what one status answer may hold (bytes or JSON shape): fal's
  // polled logs are cumulative (reference §4), so that answer only grows and would never be read
  // again; such a run is polled without logs from then on (its card keeps the last logs it had).
  const logsTooLong = idMemo();
  // Runs whose cancel fal accepted: a 404 for them afterwards is the request gone because it was
  // canceled (fal may drop a canceled request, reference §7 UNVERIFIED), not a run to follow on.
  const cancelAccepted = idMemo();

  async function statusOf(r: RunRef): Promise<FalStatus> {
    if (!logsTooLong.has(r.id)) {
      try {
        return await client.status(ref(r), { logs: true });
      } catch (err) {
        if (!(err instanceof ProviderError && err.code === 'too_large')) throw err;
        logsTooLong.add(r.id);
      }
    }
    return client.status(ref(r), { logs: false });
  }

  async function look(r: RunRef): Promise<RemoteRun> {
    // Accepted here, or asked for by an earlier process or the CLI (the record says so).
    const canceled = cancelAccepted.has(r.id) || r.cancelRequested === true;
    let st: FalStatus;
    try {
      st = await statusOf(r);
    } catch (err) {
      if (canceled && err instanceof ProviderError && err.code === 'not_found') return canceledGone(r.id);
      throw err;
    }
    if (st.status !== 'COMPLETED') return withStream(runOfFalStatus(r.id, st), r);
    const result = await client.result(ref(r));
    if (result.outcome === 'expired' && canceled) return canceledGone(r.id);
    return runOfFalResult(r.id, st, result);
  }

  // The status stream (reference §5) as the run's `urls.stream` (capabilities.statusStream): while
  // it is open the engine follows the run by it instead of polling (engine/streams.ts), applies the
  // statuses it reports, and looks at once when it says COMPLETED; polling takes over when it breaks
  // (engine/health.ts: a stream has a fallback).
  const streamUrl = (r: RunRef) => `${requestUrls(client.bases.queueUrl, endpointOf(r.model), r.id).statusUrl}/stream`;
  const withStream = (run: RemoteRun, r: RunRef): RemoteRun =>
    run.status === 'starting' || run.status === 'processing' ? { ...run, urls: { stream: streamUrl(r) } } : run;
  return {
    id: 'fal',
    label: 'fal',
    // historyListsQueued: the request history (reference §12) carries started_at and filters by
    // outcome; a request still in the queue may not be listed (UNVERIFIED), so not finding a lost
    // submit there proves nothing until its start deadline has passed.
    capabilities: { list: false, stream: true, statusStream: true, historyListsQueued: false },
    retentionMs: RETENTION_MS.fal,
    keyHint: 'Settings, or FAL_KEY',
    setGate: (gate) => client.setGate(gate),
    async submit(spec: SubmitSpec): Promise<RemoteRun> {
      // fal keeps generated media for the lifetime asked for here (records/retention.ts: one policy, shown on the card).
      const s = await client.submit({
        endpointId: endpointOf(spec.model),
        input: spec.input,
        startDeadlineAt: spec.startDeadlineAt ?? null,
        objectLifecycle: { expirationSeconds: FAL_MEDIA_LIFETIME_S },
      });
      const run: RemoteRun = {
        id: s.requestId,
        status: 'starting',
        rawStatus: 'IN_QUEUE',
        createdAt: null,
        startedAt: null,
        completedAt: null,
        queuePosition: s.queuePosition,
      };
      return withStream(run, { id: s.requestId, model: spec.model });
    },
    async get(r: RunRef): Promise<RemoteRun> {
      const run = await look(r);
      if (isTerminal(run.status)) {
        logsTooLong.delete(r.id);
        cancelAccepted.delete(r.id);
      }
      return run;
    },
    async cancel(r: RunRef): Promise<CancelAnswer> {
      const outcome = await client.cancel(ref(r));
      if (outcome === 'requested') {
        cancelAccepted.add(r.id);
        return { run: null, status: 'canceled' };
      }
      // Answers, not trouble: the engine says "cancel refused" and follows the run to its end.
      if (outcome === 'already-completed')
        throw new ProviderError({ code: 'bad_request', status: 400, message: 'fal says the request has already completed.' });
      if (outcome === 'refused') throw new ProviderError({ code: 'bad_request', status: 400, message: 'fal did not cancel the request.' });
      throw new ProviderError({ code: 'not_found', status: 404, message: 'fal does not know this request (any more).' });
    },
    async findSubmitted(intent: SubmitIntent): Promise<RemoteRun[]> {
      const items = await client.requestHistory(endpointOf(intent.model), { since: intent.since });
      return items.map(runOfHistoryItem).reverse();
    },
    /**
     * Follows the status stream until COMPLETED (then `onDone`: the engine looks, and the result
     * fetch decides the end). Each other status goes to `onStatus` as the run now stands. Streamed
     * events carry only the log entries that are new (reference §4): they are added up here, as
     * fal's own client does, and passed on only when this stream saw the run from its queue — a
     * stream opened later may have missed earlier entries, and a shorter log must not replace the
     * whole one (the end's full look brings every entry). A stream that ends before COMPLETED is
     * a failure (transient): the engine polls instead.
     */
    async stream(url: string, handlers: StreamHandlers, signal?: AbortSignal): Promise<unknown> {
      const m = /^(.+)\/requests\/([^/]+)\/status\/stream$/.exec(
        url.startsWith(`${client.bases.queueUrl}/`) ? url.slice(client.bases.queueUrl.length + 1) : '',
      );
      if (!m) throw new ProviderError({ code: 'bad_request', message: 'Not a fal status stream URL.' });
      const requestId = decodeURIComponent(m[2]!);
      const logs: string[] = [];
      let logChars = 0;
      let fromQueue: boolean | null = null;
      const onStatus = (st: FalStatus) => {
        fromQueue ??= st.status === 'IN_QUEUE';
        if (st.status === 'COMPLETED') return;
        for (const l of st.logs ?? []) {
          logs.push(l.message);
          logChars += l.message.length + 1;
        }
        // Memory stays bounded however long the run logs: the tail, as much as a run keeps.
        while (logChars > LIMITS.runLogChars && logs.length > 1) logChars -= logs.shift()!.length + 1;
        const run = runOfFalStatus(requestId, { ...st, logs: null });
        if (fromQueue && logs.length) run.logs = boundLogs(logs.join('\n'));
        handlers.onStatus?.(run);
      };
      const last = await client.streamStatus({ endpointId: m[1]!, requestId }, { logs: true, signal, onStatus });
      if (last?.status !== 'COMPLETED')
        throw new ProviderError({ code: 'provider', transient: true, message: "fal's status stream ended before the request completed." });
      handlers.onDone?.(null);
      return last;
    },
    upload: (bytes, filename, mime) => client.upload(bytes, { fileName: filename, contentType: mime }),
    // fal's stream needs the key: only its queue's own URLs.
    mayStream: (url) => client.trustedForKey(url),
    // The transport cleans every body of the key before the client returns it (transport.ts).
    redact: (text) => text,
  };
}
