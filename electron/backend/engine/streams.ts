import type { Clock } from '../types.ts';
import type { StreamHandlers } from '../providers/types.ts';
import { boundText } from './record-rules.ts';

// Following one run's text stream (ARCHITECTURE.md, "The engine"). File events (a model streaming its file outputs) are
// not text: the final prediction carries them. Writes are coalesced (one per flushMs, not one per
// token: a long text rewritten per token is quadratic), and the text kept is bounded
// (LIMITS.runTextChars via boundText): an endless stream is stopped, not saved whole.

export interface StreamFollow {
  /** Opens the stream (the provider's `stream`); resolves when it ends, rejects when it breaks. */
  open(handlers: StreamHandlers, signal: AbortSignal): Promise<unknown>;
  clock: Clock;
  flushMs: number;
  /** The text so far (and the note once it was cut at the limit). */
  write(text: string, note: string | null): void;
  /** The stream said `done`: the final prediction is worth a look now. */
  done(): void;
}

export async function followStream(f: StreamFollow, ac: AbortController): Promise<void> {
  let text = '';
  let timer: unknown = null;
  let stopped: string | null = null;
  let dirty = false;
  const flush = () => {
    if (timer !== null) f.clock.clearTimeout(timer);
    timer = null;
    if (!dirty) return;
    dirty = false;
    f.write(text, stopped);
  };
  try {
    await f.open(
      {
        onOutput(chunk) {
          if (stopped) return;
          const bounded = boundText(text + chunk);
          text = bounded.text;
          dirty = true;
          if (bounded.note) {
            stopped = bounded.note;
            ac.abort();
            return flush();
          }
          if (timer === null) timer = f.clock.setTimeout(flush, f.flushMs);
        },
        onDone: () => f.done(),
      },
      ac.signal,
    );
  } catch (err) {
    if (!stopped) throw err; // our own abort at the limit is not a broken stream
  } finally {
    flush();
  }
}
