// Whether a run's output is text or files: the one rule, read by the engine (the card's text, as
// the run goes) and the vault (what to save). Replicate answers a language model with an array of
// text chunks (`x-cog-array-display: concatenate`) and an image model with an array of file URLs;
// a chunk can itself be a link ("https://replicate.com" streamed as one piece), so an array is
// files only when every element is a file reference on its own, and a string only when it is one.

/** A file URL or data URI standing alone (no other text around it). */
export function isFileRef(s: string): boolean {
  const t = s.trim();
  return /^https?:\/\/\S+$/i.test(t) || /^data:[^,\s]*,/i.test(t);
}

/** The output as text (a string, or the chunks of a language model joined), or null when it is files or data. */
export function outputText(output: unknown): string | null {
  if (typeof output === 'string') return isFileRef(output) ? null : output;
  if (Array.isArray(output) && output.length > 0 && output.every((x) => typeof x === 'string') && !output.every(isFileRef)) return output.join('');
  return null;
}
