import { z } from 'zod';
import { LIMITS, formatBytes } from './limits.ts';
import { approxJsonSize } from './message-size.ts';

// The input of one run, bounded in the contract (ARCHITECTURE.md, "Security" "input size per run") so every door —
// Electron IPC, browser mode, the CLI, tests — refuses the same oversize input with the same words,
// before anything is stored or sent. File inputs are references to staged files, not their bytes.

function textTooLong(chars: number): string {
  return `Text of ${chars.toLocaleString('en-US')} characters is over the ${LIMITS.promptChars.toLocaleString('en-US')}-character limit for one text field (promptChars). Shorten it.`;
}

/** Every string inside the input, with the field path it sits at (arrays and nested objects included). */
function* strings(value: unknown, path: (string | number)[], depth = 0): Generator<[string, (string | number)[]]> {
  if (typeof value === 'string') yield [value, path];
  else if (value && typeof value === 'object' && depth < 32) {
    for (const [k, v] of Object.entries(value)) yield* strings(v, [...path, Array.isArray(value) ? Number(k) : k], depth + 1);
  }
}

export const RunInput = z.record(z.string().max(200), z.unknown()).superRefine((input, ctx) => {
  // Size first, with an early stop: a 50 MB prompt costs a walk of ~1 MB, not a copy of 50 MB.
  const size = approxJsonSize(input, LIMITS.runInputBytes + 1);
  if (size > LIMITS.runInputBytes) {
    ctx.addIssue({
      code: 'custom',
      message: `The run's input is over the ${formatBytes(LIMITS.runInputBytes)} limit for one run (runInputBytes). Shorten the text or attach large content as a file.`,
    });
  }
  for (const [s, path] of strings(input, [])) {
    if (s.length > LIMITS.promptChars) {
      ctx.addIssue({ code: 'custom', path, message: textTooLong(s.length) });
      break;
    }
  }
});

/** For callers outside the router (the CLI): null when the input is within bounds, else the reason. */
export function runInputProblem(input: unknown): string | null {
  const r = RunInput.safeParse(input);
  return r.success ? null : r.error.issues.map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message)).join('; ');
}
