import { createParser, type EventSourceMessage } from 'eventsource-parser';

// Replicate's prediction stream (DESIGN §4, reference §4): `output` events carry plain-text chunks,
// `error` a JSON error, `done` the end. eventsource-parser does the framing (multi-line data, CRLF,
// comments, retry fields) so we only interpret event types.

export interface StreamHandlers {
  onOutput(chunk: string): void;
  onError?(message: string): void;
  onDone?(reason: string | null): void;
}

/** Reads an SSE body to its end. Resolves on `done` or EOF; rejects on a broken connection. */
export async function readPredictionStream(body: ReadableStream<Uint8Array>, h: StreamHandlers): Promise<'done' | 'eof'> {
  let finished = false;
  const parser = createParser({
    onEvent(ev: EventSourceMessage) {
      if (finished) return;
      const type = ev.event ?? 'message';
      if (type === 'output') h.onOutput(ev.data);
      else if (type === 'error') {
        let msg = ev.data;
        try {
          const j = JSON.parse(ev.data) as { detail?: string; message?: string };
          msg = j.detail ?? j.message ?? ev.data;
        } catch {
          /* plain text error */
        }
        h.onError?.(msg);
      } else if (type === 'done') {
        finished = true;
        let reason: string | null = null;
        try {
          reason = (JSON.parse(ev.data || '{}') as { reason?: string }).reason ?? null;
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
      parser.feed(decoder.decode(value, { stream: true }));
    }
  } finally {
    if (finished) await reader.cancel().catch(() => {});
    else reader.releaseLock();
  }
  return finished ? 'done' : 'eof';
}
