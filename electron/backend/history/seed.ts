// The seed a run was made with (issue 14, "Reproduce"): what the input asked for, else what the
// model said it used. Replicate models print it in their logs ("Using seed: 1234", "Random seed
// used: `1234`"); fal answers it in the result (`{ images, seed }`). Pure, so the rules are tested
// without a database; the store keeps the first seed found in the `seed` column (migration 8),
// because the logs it came from keep only their tail and may lose that first line later.

/** Largest seed kept: beyond 2^53 a number no longer survives JSON exactly. */
const MAX_SEED = Number.MAX_SAFE_INTEGER;
/** Only the head of the logs is searched: models print the seed before they start. */
const LOG_HEAD_CHARS = 16_000;
// "seed: 1", "seed = 1", "Random seed used: `1`", and without a colon "Seed set to 1" (PyTorch
// Lightning's seed_everything, as recorded in a real sdxl run's logs).
const LOG_SEED = /\bseed(?:\s+(?:used|set to|is))?\s*[:=]\s*`?(-?\d{1,17})\b|\bseed\s+set to\s+`?(-?\d{1,17})\b/i;

function asSeed(v: unknown): number | null {
  const n = typeof v === 'string' && /^-?\d{1,17}$/.test(v.trim()) ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && Math.abs(n) <= MAX_SEED ? n : null;
}

export function seedFromInput(input: Record<string, unknown> | null | undefined): number | null {
  return input ? asSeed(input.seed) : null;
}

export function seedFromLogs(logs: string | null | undefined): number | null {
  if (!logs) return null;
  const m = LOG_SEED.exec(logs.slice(0, LOG_HEAD_CHARS));
  return m ? asSeed(m[1] ?? m[2]) : null;
}

export function seedFromOutput(output: unknown): number | null {
  return output && typeof output === 'object' && !Array.isArray(output) ? asSeed((output as Record<string, unknown>).seed) : null;
}
