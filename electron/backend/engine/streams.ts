import type { Clock } from '../types.ts';
import type { RemoteRun, StreamHandlers } from '../providers/types.ts';
import { backoffDelay } from '../../../shared/backoff.ts';
import { boundText } from './record-rules.ts';
import { isFollowed, STREAM_FLUSH_MS, type Core, type EngineOps, type FollowedTrack } from './core.ts';

// Following runs by their stream (ARCHITECTURE.md, "The engine"). Two kinds, told apart by the
// provider's capabilities:
//
// - A text stream (Replicate's `urls.stream`): the tokens of a text model. Writes are coalesced
//   (one per flushMs, not one per token: a long text rewritten per token is quadratic), and the
//   text kept is bounded (LIMITS.runTextChars via boundText): an endless stream is stopped, not
//   saved whole. Polling goes on beside it; one stream per run (a reopened one would restart the text).
// - A status stream (fal's `{status_url}/stream`, capabilities.statusStream): one request that
//   reports the run's status as it moves and says at once when it ends. While it is open and has
//   spoken, it IS how the run is followed: its statuses are applied like a poll's answer, and the
//   run is not polled but for a safety look after opts.streamSafetyMs without news. One that fails or stalls
//   hands the run back to polling at once; another may be opened later, after a back-off.
//
// File events (a model streaming its file outputs) are not text: the final answer carries them.

export interface StreamFollow {
  /** Opens the stream (the provider's `stream`); resolves when it ends, rejects when it breaks. */
  open(handlers: StreamHandlers, signal: AbortSignal): Promise<unknown>;
  clock: Clock;
  flushMs: number;
  /** The text so far (and the note once it was cut at the limit). */
  write(text: string, note: string | null): void;
  /**
   * A status the stream reported (status streams): a change of status at once, otherwise the
   * latest at most once per flushMs (a queue moving or a chatty log is not a write per event).
   */
  status?(run: RemoteRun): void;
  /** The stream said `done`: the final answer is worth a look now. */
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
  let pendingRun: RemoteRun | null = null;
  let shownStatus: string | null = null;
  let runTimer: unknown = null;
  const flushRun = () => {
    if (runTimer !== null) f.clock.clearTimeout(runTimer);
    runTimer = null;
    const run = pendingRun;
    if (!run) return;
    pendingRun = null;
    shownStatus = run.status;
    f.status?.(run);
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
        onStatus(run) {
          pendingRun = run;
          if (run.status !== shownStatus) return flushRun();
          if (runTimer === null) runTimer = f.clock.setTimeout(flushRun, f.flushMs);
        },
        onDone: () => {
          flushRun();
          f.done();
        },
      },
      ac.signal,
    );
  } catch (err) {
    if (!stopped) throw err; // our own abort at the limit is not a broken stream
  } finally {
    flush();
    flushRun();
  }
}

/**
 * Times a status stream may be opened for one run. Each reopen follows a failure and a back-off;
 * a server that accepts and drops every stream at once would otherwise cost a request per back-off
 * for the whole run, where polling would do.
 */
const STATUS_STREAM_OPENS_PER_RUN = 4;

interface StreamState {
  /** The run's stream URL, as its last answer gave it. */
  url: string | null;
  opens: number;
  /** The open stream has reported a status: it is following the run (no polls but the safety look). */
  confirmed: boolean;
  /** The run's status and queue position as last seen: which waiting run gets a free stream first. */
  status: string | null;
  queuePosition: number | null;
}

/** The lane's streams: which runs get one (bounded: opts.maxStreams / maxStatusStreams), opening, and falling back to polling. */
export function createStreams(c: Core): Pick<EngineOps, 'offerStream' | 'startStream'> {
  const statusStreams = c.provider.capabilities.statusStream === true;
  const limit = () => (statusStreams ? c.opts.maxStatusStreams : c.opts.maxStreams);
  const states = new WeakMap<FollowedTrack, StreamState>();
  /** Runs that would have a status stream but found every slot taken: the next free slot goes to one of them at once. */
  const waiting = new Set<FollowedTrack>();
  /** After a status stream failed: no new one before this (one back-off for the lane, as a stream endpoint fails for all runs alike). */
  let retryAt = 0;
  let retryTimer: unknown = null;

  const stateOf = (t: FollowedTrack): StreamState => {
    let s = states.get(t);
    if (!s) states.set(t, (s = { url: null, opens: 0, confirmed: false, status: null, queuePosition: null }));
    return s;
  };
  const mayOpen = () => c.running && !c.dead && !c.keyPause && c.health.online && c.streams < limit() && c.clock.now() >= retryAt;
  /** Running first, then the nearest the front of the provider's queue (they end first); else first come. */
  const rank = (s: StreamState) => (s.status === 'processing' ? -1 : (s.queuePosition ?? Number.MAX_SAFE_INTEGER));

  /**
   * After each answer about a followed run (applyRemote): open its stream when it has one and a
   * slot is free; while a status stream follows it, push its next poll out to the safety look.
   */
  function offerStream(t: FollowedTrack, url: string | null | undefined, p: RemoteRun) {
    if (!c.opts.stream || !c.provider.stream || !url) return;
    const s = stateOf(t);
    s.url = url;
    s.status = p.status;
    s.queuePosition = p.queuePosition ?? null;
    if (t.phase.stream) {
      if (statusStreams && s.confirmed) t.dueAt = Math.max(t.dueAt, c.clock.now() + c.opts.streamSafetyMs);
      return;
    }
    if (s.opens >= (statusStreams ? STATUS_STREAM_OPENS_PER_RUN : 1)) return;
    // Only a stream the provider vouches for is opened (and only its API hosts get the key); any other is simply polled.
    if (!c.provider.mayStream(url)) return;
    if (mayOpen()) startStream(t, url);
    else if (statusStreams) waiting.add(t);
  }

  /** A slot came free (or the back-off passed): the waiting run that will end soonest gets it now, not at its next poll (which may be far off in a long queue). */
  function fillSlots() {
    while (waiting.size && mayOpen()) {
      let best: FollowedTrack | null = null;
      for (const t of waiting) {
        const s = states.get(t);
        if (c.tracks.get(t.id) !== t || !isFollowed(t) || t.phase.stream || !s?.url || s.opens >= STATUS_STREAM_OPENS_PER_RUN) {
          waiting.delete(t);
          continue;
        }
        if (!best || rank(s) < rank(states.get(best)!)) best = t;
      }
      if (!best) return;
      startStream(best, states.get(best)!.url!);
    }
  }

  /** A status stream failed: none opens before a back-off, and then the waiting runs get theirs without waiting for a poll. */
  function backOff() {
    const delay = backoffDelay(Math.max(1, c.health.failures('stream')), c.opts.backoff, c.opts.random);
    retryAt = c.clock.now() + delay;
    if (retryTimer !== null) {
      c.clock.clearTimeout(retryTimer);
      c.detachedTimers.delete(retryTimer);
    }
    // A lane timer: halt() clears it with the others.
    const h = c.clock.setTimeout(() => {
      c.detachedTimers.delete(h);
      if (retryTimer === h) retryTimer = null;
      // This timer is the back-off's end, whatever the clock reads: Node times it from the event
      // loop's cached time, which on a busy loop is behind, so it can fire a few ms before
      // `retryAt` — and a run waiting for a slot then stayed waiting with no timer left to wake it.
      retryAt = Math.min(retryAt, c.clock.now());
      fillSlots();
    }, delay);
    retryTimer = h;
    c.detachedTimers.add(h);
  }

  /** Follows one run's stream; when it ends or breaks, polling carries the run and the final answer holds the full text. */
  function startStream(t: FollowedTrack, url: string) {
    const f = t.phase;
    const s = stateOf(t);
    const ac = new AbortController();
    f.stream = ac;
    s.opens++;
    s.confirmed = false;
    waiting.delete(t);
    c.streams++;
    const follow = followStream(
      {
        open: (handlers, signal) => c.provider.stream!(url, handlers, signal),
        clock: c.clock,
        flushMs: STREAM_FLUSH_MS,
        write(text, note) {
          if (!c.tracks.has(t.id)) return;
          if (note) f.stickyNote = note;
          const clean = c.provider.redact(text);
          c.tryWrite(t.id, note ? { text: clean, note } : { text: clean });
        },
        status(run) {
          if (ac.signal.aborted || c.dead || c.tracks.get(t.id) !== t) return;
          if (!s.confirmed) {
            s.confirmed = true;
            c.noteSuccess('stream');
          }
          try {
            c.applyRemote(t, run);
          } catch (err) {
            // Called from the stream's parser or a timer: a fault here must not pass for a broken stream, nor escape.
            c.log.error('applying a streamed status failed', { id: t.id, err: String(err) });
          }
        },
        done() {
          f.needsFull = true;
          t.dueAt = c.clock.now();
          c.schedule(0);
        },
      },
      ac,
    );
    c.run(
      follow
        .catch((err) => {
          if (ac.signal.aborted) return;
          c.noteFailure(err, 'stream');
          if (statusStreams) backOff();
          c.log.warn('stream ended early; polling instead', { id: t.id, err: String(err) });
        })
        .finally(() => {
          c.streams--;
          s.confirmed = false;
          // A text stream's controller stays: no second stream for this run. A status stream's goes, so one may be opened again.
          if (statusStreams && f.stream === ac) f.stream = null;
          f.needsFull = true;
          // Ended by itself (done, broken, stalled): the next look is now, not at the safety look
          // the stream had pushed it to (c.run schedules the loop once this settles).
          if (!ac.signal.aborted) t.dueAt = Math.min(t.dueAt, c.clock.now());
          fillSlots();
        }),
    );
  }

  return { offerStream, startStream };
}
