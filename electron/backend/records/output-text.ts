// Whether a run's output is text or files: the one rule, read by the engine (the card's text, as
// the run goes) and the vault (what to save). Replicate answers a language model with an array of
// text chunks (`x-cog-array-display: concatenate`) and an image model with an array of file URLs;
// a chunk can itself be a link ("https://replicate.com" streamed as one piece), so an array is
// files only when every element is a file reference on its own, and a string only when it is one.
// fal answers every model with an object: a language model's text is its `output` (`{output,
// partial?, error?, reasoning?, usage?}`), a transcriber's its `text` (whisper's `{text, chunks}`,
// also Replicate's whisper ports; openai/whisper's `transcription`; a captioner's `results`) — text
// when the object names no file beside it (a media result's strings are captions and prompts, its
// files the answer), except a transcription, whose files are the same words as .txt and .srt.

/** A file URL or data URI standing alone (no other text around it). */
export function isFileRef(s: string): boolean {
  const t = s.trim();
  return /^https?:\/\/\S+$/i.test(t) || /^data:[^,\s]*,/i.test(t);
}

/** Does this value hold a file reference anywhere (bounded in depth, as the vault's search for files is)? */
export function holdsFileRef(v: unknown, depth = 0): boolean {
  if (depth > 4) return false;
  if (typeof v === 'string') return isFileRef(v);
  if (Array.isArray(v)) return v.some((x) => holdsFileRef(x, depth + 1));
  if (v !== null && typeof v === 'object') return Object.values(v).some((x) => holdsFileRef(x, depth + 1));
  return false;
}

/** Keys only a language model's answer object has beside its `output` (fal's `{output, partial, error, reasoning, usage}`). */
const ANSWER_KEYS = ['partial', 'error', 'reasoning', 'usage'];

/**
 * The answer inside an object (`output`, else `text`, else a captioner's one string of `results`),
 * when nothing else in it is a file; null otherwise. A `transcription` (openai/whisper on
 * Replicate: `{transcription, segments, txt_file, srt_file, …}`) is the answer whatever files come
 * with it: those are the same words in other formats, saved beside it.
 */
function answerIn(o: Record<string, unknown>): string | null {
  if (typeof o.transcription === 'string' && o.transcription && !isFileRef(o.transcription)) return o.transcription;
  const key = (['output', 'text', 'results'] as const).find((k) => typeof o[k] === 'string' && o[k]) ?? null;
  if (!key) return null;
  const answer = o[key] as string;
  // A lone link is a file (`{output: "https://…/x.png"}`): losing a file costs more than saving a
  // link. A language model's answer object that is one link is words to show, not a file to fetch.
  if (isFileRef(answer) && !(key === 'output' && ANSWER_KEYS.some((k) => k in o))) return null;
  return Object.entries(o).some(([k, v]) => k !== key && holdsFileRef(v, 1)) ? null : answer;
}

/** The output as text (a string, the chunks of a language model joined, or an answer object's text), or null when it is files or data. */
export function outputText(output: unknown): string | null {
  if (typeof output === 'string') return isFileRef(output) ? null : output;
  if (Array.isArray(output) && output.length > 0 && output.every((x) => typeof x === 'string') && !output.every(isFileRef)) return output.join('');
  if (output !== null && typeof output === 'object' && !Array.isArray(output)) return answerIn(output as Record<string, unknown>);
  return null;
}
