// A run refused for its input keeps the provider's message, e.g.
//   "Invalid input: image: Does not match format 'uri'; scale: Must be less than or equal to 10"
// (electron/backend/providers/replicate/errors.ts writes it from the 422's per-field details).
// "Fix and run" reads it back onto the fields; anything it cannot place goes to the top of the form.

export function fieldErrorsFrom(message: string): Record<string, string> {
  const m = /^Invalid input:\s*(.*)$/s.exec(message.trim());
  if (!m) return { _form: message };
  const out: Record<string, string> = {};
  for (const part of m[1]!.split(/;\s+(?=[\w.-]+:\s)/)) {
    const kv = /^([\w.-]+):\s*(.*)$/s.exec(part.trim());
    if (kv) out[kv[1]!] = kv[2]!;
    else out._form = out._form ? `${out._form}; ${part}` : part;
  }
  return Object.keys(out).length ? out : { _form: message };
}
