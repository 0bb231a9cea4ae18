// The one place that decides what a secret looks like in a log line (ARCHITECTURE.md, "Security": never log tokens).
// Everything the logger writes passes through `redact`, including nested fields and error texts.

export const REDACTED = '[redacted]';

/** Replicate tokens (`r8_` + ~37 base62 chars); matched loosely so a truncated or pasted one is caught too. */
const TOKEN_RE = /\br8_[A-Za-z0-9_-]{6,}/g;
/** `Authorization: Bearer xyz`, `"authorization":"Token xyz"`, `Bearer xyz` in error texts. */
const AUTH_RE = /\b(bearer|token|basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi;
const SECRET_KEY_RE = /^(authorization|api[-_]?key|token|secret|password|key|cookie|set-cookie)$/i;

/**
 * Returns a deep copy of `value` with anything secret replaced: strings that look like a token,
 * strings containing one of `known` (the keys currently stored), and values under keys such as
 * `authorization` or `apiKey`. Pure; cycles and depth are bounded so a log call can never hang.
 */
export function redact(value: unknown, known: readonly string[] = [], depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactString(value, known);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8 || seen.has(value)) return '[…]';
  seen.add(value);
  if (value instanceof Error) return redactString(`${value.name}: ${value.message}`, known);
  if (Array.isArray(value)) return value.slice(0, 200).map((v) => redact(v, known, depth + 1, seen));
  if (value instanceof Headers) return redact(Object.fromEntries(value.entries()), known, depth + 1, seen);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEY_RE.test(k) && v != null && v !== '' ? REDACTED : redact(v, known, depth + 1, seen);
  }
  return out;
}

export function redactString(s: string, known: readonly string[] = []): string {
  let out = s;
  for (const k of known) {
    // Short strings would redact ordinary words; keys are at least 8 chars by contract.
    if (k && k.length >= 8) out = out.split(k).join(REDACTED);
  }
  return out.replace(TOKEN_RE, REDACTED).replace(AUTH_RE, (_m, scheme: string) => `${scheme} ${REDACTED}`);
}
