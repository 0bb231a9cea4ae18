// Whether a create is held open until its run ends (ARCHITECTURE.md, "The engine"; Replicate's
// `Prefer: wait=N`, replicate-api.md §3). A held create that finishes in time answers with the
// finished run: one request for the whole run, and its end seen the moment it happens instead of
// at the next look. While it is held the run's id is unknown, so it shows no logs or progress and
// a cancel waits for the answer (the card ends at once; the run is canceled where it turns up).
// That is only worth it for a run Kiln expects to end within seconds, which its model's own past
// runs say; a model nobody has run yet is created and followed as before. A hold that runs out
// answers with the run as it is (`starting`, `processing`), which is then followed as usual: it
// costs nothing but the wait. Table-tested in test/unit/engine-hold.test.ts.

export interface HoldOptions {
  /** Hold only for a model whose typical run (its past runs, started → completed) is at most this... */
  holdCreateMaxMs: number;
  /** ...and at most this many creates held at once per provider (each holds a connection); the rest are created and followed. */
  maxHeldCreates: number;
}

export interface HoldContext {
  /** The provider can hold a create (capabilities.holdCreate). */
  supported: boolean;
  /** The model's typical run time from its past runs (runtimes.ts), null when too few. */
  typicalRunMs: number | null;
  /** Its past runs had text output: its tokens stream live (streams.ts), which a hold would hide until the end. */
  streamsText: boolean;
  /** Creates of this provider held open now. */
  held: number;
}

/** Seconds to hold the create open, or null to create and follow. */
export function createHoldSeconds(ctx: HoldContext, o: HoldOptions): number | null {
  if (!ctx.supported || ctx.streamsText || ctx.held >= o.maxHeldCreates) return null;
  const typical = ctx.typicalRunMs;
  if (typical === null || typical <= 0 || typical > o.holdCreateMaxMs) return null;
  // The typical run and half again (runs vary), plus two seconds for the start, which the typical
  // run leaves out (a warm start takes about one; a cold boot is longer than any hold worth making).
  return Math.min(60, Math.ceil((1.5 * typical) / 1000) + 2);
}
