// How soon to look at a prediction again (ARCHITECTURE.md, "The engine"): quick right after create (most short models
// finish within seconds), slower the longer it sits in `starting` (a cold boot takes minutes and
// asking every half second would only burn budget), quicker again in `processing` where logs and
// progress move. Unknown statuses are treated like `starting`: followed, at a patient pace.

export interface CadenceOptions {
  /** First looks after create, this often... */
  initialMs: number;
  /** ...this many of them (a warm short model may be done already); then the status's own pace. */
  initialLooks: number;
  /** Poll while processing (the first processingRampMs of it), and near a predicted end... */
  processingMs: number;
  /** ...easing to this during a long run Kiln cannot predict (a 40 s video needs no twice-a-second look). */
  processingMaxMs: number;
  processingRampMs: number;
  /** Slowest poll during a long `starting`. */
  startingMaxMs: number;
  /** After this long in `starting`, use startingMaxMs. */
  longStartMs: number;
  /** Next in the provider's queue (position 0): this pace, the start is near... */
  queueFrontMs: number;
  /** ...plus this per run ahead, for the first queueFarAfter runs ahead (they may start together on an account's runners)... */
  queueStepMs: number;
  queueFarAfter: number;
  /** ...plus this per run ahead beyond those: far back, waiting is cheap... */
  queueFarStepMs: number;
  /** ...up to this while queued. */
  queueMaxMs: number;
  /** The slowest look while a run is far from the end its model's past runs predict. */
  predictedMaxMs: number;
  /**
   * Looks at the normal pace begin this share of the typical run time before the predicted end
   * (runs vary, and Kiln sees a start only at its next look, so the prediction runs late)...
   */
  predictedMarginShare: number;
  /** The same for an end predicted from the run's own steps: they run early, so a smaller margin will do. */
  progressMarginShare: number;
  /**
   * Around a predicted end (from the run's own progress, or its model's past runs), looks come
   * this often: the end is what detection waits for, and a prediction lets Kiln skip the looks in
   * the middle of the run to pay for quicker ones at its end...
   */
  endgameMs: number;
  /**
   * ...until this share of the predicted run has passed beyond the prediction (at least four looks);
   * then the processing pace. Each run's endgame is looks (or, in list mode, sweeps) at 250 ms, so
   * its length is what a batch of long runs with spread-out ends pays for (0.25 took N = 100's
   * request ratio past its target).
   */
  endgameOverrunShare: number;
}

export const DEFAULT_CADENCE: CadenceOptions = {
  initialMs: 500,
  initialLooks: 3,
  processingMs: 500,
  processingMaxMs: 2000,
  processingRampMs: 10_000,
  startingMaxMs: 5000,
  longStartMs: 30_000,
  queueFrontMs: 1000,
  queueStepMs: 250,
  queueFarAfter: 10,
  queueFarStepMs: 1000,
  queueMaxMs: 15_000,
  predictedMaxMs: 10_000,
  predictedMarginShare: 0.1,
  progressMarginShare: 0.05,
  endgameMs: 250,
  endgameOverrunShare: 0.1,
};

/** `sinceCreate`: ms since the provider accepted it; `inStatus`: ms in the current status. */
export function nextPollDelay(status: string, sinceCreate: number, inStatus: number, opts: CadenceOptions = DEFAULT_CADENCE): number {
  if (status === 'processing') {
    if (inStatus <= opts.processingRampMs) return opts.processingMs;
    const f = Math.min(1, (inStatus - opts.processingRampMs) / (5 * opts.processingRampMs));
    return Math.round(opts.processingMs + f * (opts.processingMaxMs - opts.processingMs));
  }
  if (sinceCreate < opts.initialLooks * opts.initialMs) return opts.initialMs;
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
  /** How far the queue has moved since Kiln first saw this run's position: positions gained over ms (null: first sighting). */
  queueMoved?: { positions: number; ms: number } | null;
  /** This model's (and version's) typical run time from its past runs (typicalRunMs), when known. */
  typicalRunMs: number | null;
  /** The last progress its logs showed in this status (tqdm steps), and how far into the status it was seen (ms). */
  progress?: ProgressSeen | null;
  /**
   * Looked at by list sweeps that cover only a handful of runs (EngineOptions.listFewAt): one
   * request looks at all of them, so a look costs this run a share of one request.
   */
  fewSwept?: boolean;
}

/** Steps done of the total, and about when (ms into `processing`) the run reached that step (stepSeenAt). */
export interface ProgressSeen {
  current: number;
  total: number;
  atInStatus: number;
}

/**
 * How long this run's `processing` will take, from its own progress if the logs show steps (the
 * share done at the moment it reached it), else from its model's past runs; null when nothing
 * predicts it.
 */
export function predictedRunMs(ctx: LookContext): { ms: number; from: 'progress' | 'history' } | null {
  const p = ctx.progress;
  if (p && p.total > 0 && p.current >= 1 && p.atInStatus > 0) {
    // Every step done: only the upload of the outputs is left.
    return { ms: p.current >= p.total ? p.atInStatus : Math.round(p.atInStatus / (p.current / p.total)), from: 'progress' };
  }
  return ctx.typicalRunMs !== null && ctx.typicalRunMs > 0 ? { ms: ctx.typicalRunMs, from: 'history' } : null;
}

/**
 * About when (ms into the status) a run reached the step a look first shows. It got there after
 * the previous look (which showed fewer) and at most one step's time before this look (steps run
 * at about inStatus / current each); the middle of that span is the estimate. Steps are coarse (a
 * 4-step model moves in quarters) and seen only at the next look, so taking the look's own time
 * would predict the end late, and a late prediction costs detection time where an early one only
 * costs a few quick looks.
 */
export function stepSeenAt(current: number, inStatus: number, prevLookInStatus: number | null): number {
  const oneStep = current > 0 ? inStatus / current : inStatus;
  const after = Math.max(prevLookInStatus ?? 0, inStatus - oneStep, 0);
  return Math.round((after + inStatus) / 2);
}

/**
 * When to look next (docs/DECISIONS.md, "Cadence, round two"). What matters is seeing the END soon
 * (ARCHITECTURE.md, "Performance targets": detection p95); every look before it is a cost.
 *
 * - Queued with a position (fal): the front pace (queueFrontMs, initialMs right after submit) plus a
 *   step per run ahead, up to queueMaxMs — far back, waiting is cheap. A position says how many
 *   wait ahead, not how long: an account's runners take several at once (ten jobs submitted
 *   together are all "ahead" of each other for the half second their runners take to start), so
 *   the first queueFarAfter runs ahead cost a small step each and only those beyond a large one.
 *   The long-start slowdown does not apply: a position is news about the wait, a cold boot is not.
 *   Once the queue has been seen moving (queueMoved), its own pace says when the run reaches the
 *   front: the next look is at half that time (a run of short jobs ahead drains fast), never later
 *   than the step rule.
 * - Running with a predicted end (predictedRunMs: its own progress, else its model's typical run
 *   time): one look, as late as predictedMaxMs allows, at the predicted end minus a margin
 *   (predictedMarginShare of the run, at least one endgame look for a prediction from progress,
 *   two processing looks for one from history), then the endgame pace (endgameMs)
 *   until the end shows; once the run is overdue by endgameOverrunShare of the prediction, the
 *   processing pace (processingMs, not the eased one) — the prediction was wrong, the end is near.
 * - Running, nothing predicts its end, early in `processing` (processingRampMs), and swept with a
 *   handful of others (fewSwept): the endgame pace. A short model's run ends within seconds of its
 *   start, at a moment nothing predicts yet; the official client looks at each run every 500 ms,
 *   and a sweep shared by a few runs can look twice as often for a fraction of its requests.
 * - Otherwise the status-only cadence (nextPollDelay).
 *
 * Table-tested in test/unit/engine-cadence.test.ts.
 */
export function nextLookDelay(ctx: LookContext, opts: CadenceOptions = DEFAULT_CADENCE): number {
  const base = nextPollDelay(ctx.status, ctx.sinceCreate, ctx.inStatus, opts);
  const q = ctx.queuePosition;
  if (ctx.status !== 'processing' && q !== null && Number.isFinite(q) && q >= 0) {
    const front = ctx.sinceCreate < opts.initialLooks * opts.initialMs ? opts.initialMs : opts.queueFrontMs;
    if (q < 1) return Math.min(base, front);
    const near = Math.min(Math.floor(q), opts.queueFarAfter);
    const far = Math.max(0, Math.floor(q) - opts.queueFarAfter);
    const byPosition = Math.min(opts.queueMaxMs, front + near * opts.queueStepMs + far * opts.queueFarStepMs);
    const m = ctx.queueMoved;
    if (!m || m.positions <= 0 || m.ms < opts.queueFrontMs) return byPosition;
    // The queue has been seen moving: at that pace it reaches this run in q / rate; look at half
    // of that (converging on the front, like a predicted end), never later than the step rule says.
    const reachMs = (q * m.ms) / m.positions;
    return Math.max(front, Math.min(byPosition, Math.round(reachMs / 2)));
  }
  const predicted = ctx.status === 'processing' ? predictedRunMs(ctx) : null;
  if (predicted !== null) {
    const left = predicted.ms - ctx.inStatus;
    // Kiln times `processing` from the look that first showed it, up to one look after the real
    // start. Steps reached later are timed the same way, so a prediction from progress runs early
    // (one endgame look of margin is enough); one from past runs runs late by up to that look's
    // gap: it gets the wider margin (two processing looks, as before the endgame pace existed).
    const floor = predicted.from === 'progress' ? opts.endgameMs : 2 * opts.processingMs;
    const margin = Math.max(floor, (predicted.from === 'progress' ? opts.progressMarginShare : opts.predictedMarginShare) * predicted.ms);
    if (left > margin + opts.endgameMs) return Math.min(opts.predictedMaxMs, Math.round(left - margin));
    const overrun = Math.max(4 * opts.endgameMs, opts.endgameOverrunShare * predicted.ms);
    return -left <= overrun ? opts.endgameMs : opts.processingMs;
  }
  if (ctx.status === 'processing' && ctx.fewSwept && ctx.inStatus <= opts.processingRampMs) return Math.min(base, opts.endgameMs);
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
