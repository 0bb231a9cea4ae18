// How soon to look at a prediction again (DESIGN §4): quick right after create (most short models
// finish within seconds), slower the longer it sits in `starting` (a cold boot takes minutes and
// asking every half second would only burn budget), quicker again in `processing` where logs and
// progress move. Unknown statuses are treated like `starting`: followed, at a patient pace.

export interface CadenceOptions {
  /** First look after create. */
  initialMs: number;
  /** Poll while processing (the first processingRampMs of it)... */
  processingMs: number;
  /** ...easing to this during a long run (a 40 s video needs no per-second look; its progress bar moves slowly). */
  processingMaxMs: number;
  processingRampMs: number;
  /** Slowest poll during a long `starting`. */
  startingMaxMs: number;
  /** After this long in `starting`, use startingMaxMs. */
  longStartMs: number;
}

export const DEFAULT_CADENCE: CadenceOptions = { initialMs: 500, processingMs: 1000, processingMaxMs: 1000, processingRampMs: 10_000, startingMaxMs: 5000, longStartMs: 30_000 };

/** `sinceCreate`: ms since the provider accepted it; `inStatus`: ms in the current status. */
export function nextPollDelay(status: string, sinceCreate: number, inStatus: number, opts: CadenceOptions = DEFAULT_CADENCE): number {
  if (status === 'processing') {
    if (inStatus <= opts.processingRampMs) return opts.processingMs;
    const f = Math.min(1, (inStatus - opts.processingRampMs) / (5 * opts.processingRampMs));
    return Math.round(opts.processingMs + f * (opts.processingMaxMs - opts.processingMs));
  }
  if (sinceCreate < 5 * opts.initialMs) return opts.initialMs;
  if (inStatus >= opts.longStartMs) return opts.startingMaxMs;
  // Ramp from processing pace up to the long-start pace over the first longStartMs.
  const f = Math.min(1, inStatus / opts.longStartMs);
  return Math.round(opts.processingMs + f * (opts.startingMaxMs - opts.processingMs));
}
