// How soon to look at a prediction again (ARCHITECTURE.md, "The engine"): quick right after create (most short models
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
  /** Added per run ahead in the provider's queue (fal): far back, waiting is cheap... */
  queueStepMs: number;
  /** ...up to this while queued. */
  queueMaxMs: number;
  /** The slowest look while a run is far from the end its model's past runs predict. */
  predictedMaxMs: number;
}

export const DEFAULT_CADENCE: CadenceOptions = { initialMs: 500, processingMs: 1000, processingMaxMs: 1000, processingRampMs: 10_000, startingMaxMs: 5000, longStartMs: 30_000, queueStepMs: 1000, queueMaxMs: 15_000, predictedMaxMs: 10_000 };

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

/** What Kiln knows about one run when it times its next look (ARCHITECTURE.md, "The engine": "timed by what Kiln knows"). */
export interface LookContext {
  status: string;
  /** ms since the provider accepted it. */
  sinceCreate: number;
  /** ms in the current status. */
  inStatus: number;
  /** Runs ahead of it in the provider's queue (fal), when known. */
  queuePosition: number | null;
  /** This model's (and version's) typical run time from its past runs (typicalRunMs), when known. */
  typicalRunMs: number | null;
}

/**
 * When to look next. A queue position makes waiting cheap: one step more per run ahead (up to
 * queueMaxMs). A typical run time says when a running run should end: look at half the time left
 * (converging on the end), never slower than predictedMaxMs, and at the normal pace once the end is
 * near or past. Without either, the status-only cadence (nextPollDelay). Table-tested in
 * test/unit/engine-cadence.test.ts.
 */
export function nextLookDelay(ctx: LookContext, opts: CadenceOptions = DEFAULT_CADENCE): number {
  const base = nextPollDelay(ctx.status, ctx.sinceCreate, ctx.inStatus, opts);
  const q = ctx.queuePosition;
  if (ctx.status !== 'processing' && q !== null && Number.isFinite(q) && q > 0) {
    return Math.min(opts.queueMaxMs, Math.max(base, opts.startingMaxMs + Math.floor(q) * opts.queueStepMs));
  }
  if (ctx.status === 'processing' && ctx.typicalRunMs !== null && ctx.typicalRunMs > 0) {
    const left = ctx.typicalRunMs - ctx.inStatus;
    if (left > 2 * base) return Math.min(opts.predictedMaxMs, Math.round(left / 2));
  }
  return base;
}

/**
 * A model's typical run time from the durations of its past runs (ms, Kiln's own clock: started →
 * completed): the median of the most recent, once there are at least `min` of them; else null.
 */
export function typicalRunMs(durations: readonly number[], min = 3): number | null {
  const ok = durations.filter((d) => Number.isFinite(d) && d > 0).sort((a, b) => a - b);
  if (ok.length < min) return null;
  const mid = Math.floor(ok.length / 2);
  return ok.length % 2 ? ok[mid]! : Math.round((ok[mid - 1]! + ok[mid]!) / 2);
}
