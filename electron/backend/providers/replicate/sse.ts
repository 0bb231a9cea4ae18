import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { LIMITS, formatBytes } from '../../../../shared/limits.ts';
import { parseJsonWithin } from '../../../../shared/json-shape.ts';
import type { StreamHandlers } from '../types.ts';
import { isFileRef } from '../../records/output-text.ts';

// Replicate's prediction stream (ARCHITECTURE.md, "The engine", reference §4): `output` events carry plain-text chunks,
// `error` a JSON error, `done` the end. eventsource-parser does the framing (multi-line data, CRLF,
// comments, retry fields) so we only interpret event types.

export type { StreamHandlers } from '../types.ts';

/** Reads an SSE body to its end. Resolves on `done` or EOF; rejects on a broken connection. */
export async function readPredictionStream(body: ReadableStream<Uint8Array>, h: StreamHandlers): Promise<'done' | 'eof'> {
  let finished = false;
  let sawText = false;
  /** Bytes fed since the last complete event: a hostile stream that never ends an event must not grow without bound. */
  let pendingBytes = 0;
  const parser = createParser({
    onEvent(ev: EventSourceMessage) {
      if (finished) return;
      const type = ev.event ?? 'message';
      pendingBytes = 0;
      if (type === 'output') {
        // A file reference on its own is a file output (records/output-text.ts, the one rule), until
        // the stream has carried text: then a chunk that is a link is part of the answer.
        if (!sawText && isFileRef(ev.data)) h.onFile?.(ev.data.trim());
        else {
          sawText = true;
          h.onOutput(ev.data);
        }
      } else if (type === 'error') {
        let msg = ev.data;
        try {
          const j = parseJsonWithin(ev.data, LIMITS.apiResponseShape) as { detail?: string; message?: string };
          msg = j.detail ?? j.message ?? ev.data;
        } catch {
          /* plain text error */
        }
        h.onError?.(msg);
      } else if (type === 'done') {
        finished = true;
        let reason: string | null = null;
        try {
          reason = (parseJsonWithin(ev.data || '{}', LIMITS.apiResponseShape) as { reason?: string }).reason ?? null;
        } catch {
          /* empty or odd done payload: still done */
        }
        h.onDone?.(reason);
      }
    },
  });
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    while (!finished) {
      const { value, done } = await reader.read();
      if (done) break;
      pendingBytes += value.byteLength;
      if (pendingBytes > LIMITS.apiResponseBytes) throw new Error(`stream event larger than ${formatBytes(LIMITS.apiResponseBytes)} (apiResponseBytes)`);
      parser.feed(decoder.decode(value, { stream: true }));
    }
  } catch (err) {
    // Our own refusal (an oversized event): close the connection rather than leave it streaming.
    await reader.cancel().catch(() => {});
    throw err;
  } finally {
    if (finished) await reader.cancel().catch(() => {});
    else reader.releaseLock();
  }
  return finished ? 'done' : 'eof';
}
