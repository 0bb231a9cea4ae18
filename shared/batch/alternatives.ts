import { LIMITS } from '../limits.ts';

// `{a|b|c}` alternatives in a prompt (issue 14, Batch): "a {red|blue} {fox|owl}" is four prompts.
// Groups nest ("{a {big|small}|the} cat"), `\{ \| \} \\` are literal characters, and a brace group
// with no `|` at its own level is plain text ("{style}" stays "{style}"), so prompts that happen to
// contain braces are not mangled. Pure: the count is computed before anything is expanded, so a
// prompt that would make a million runs is refused at once, naming the limit.

type Node = string | Alt;
interface Alt {
  options: Node[][];
}

export class ExpansionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpansionError';
  }
}

function parse(text: string): Node[] {
  let i = 0;
  const seq = (depth: number, inGroup: boolean): { options: Node[][]; closed: boolean } => {
    const options: Node[][] = [[]];
    let buf = '';
    const flush = () => {
      if (buf) options[options.length - 1]!.push(buf);
      buf = '';
    };
    while (i < text.length) {
      const ch = text[i]!;
      if (ch === '\\' && i + 1 < text.length && '{|}\\'.includes(text[i + 1]!)) {
        buf += text[i + 1];
        i += 2;
        continue;
      }
      if (ch === '{') {
        if (depth + 1 > LIMITS.alternativesDepth)
          throw new ExpansionError(`Alternatives are nested more than ${LIMITS.alternativesDepth} deep (alternativesDepth). Simplify the {…|…} groups.`);
        const start = i;
        i++;
        flush();
        const inner = seq(depth + 1, true);
        if (!inner.closed) throw new ExpansionError(`The "{" at character ${start + 1} is never closed. Add a "}" or write \\{ for a literal brace.`);
        if (inner.options.length === 1) options[options.length - 1]!.push('{', ...inner.options[0]!, '}');
        else options[options.length - 1]!.push({ options: inner.options });
        continue;
      }
      if (ch === '}' && inGroup) {
        i++;
        flush();
        return { options, closed: true };
      }
      if (ch === '|' && inGroup) {
        i++;
        flush();
        options.push([]);
        continue;
      }
      buf += ch;
      i++;
    }
    flush();
    return { options, closed: false };
  };
  return seq(0, false).options[0]!;
}

function countSeq(seq: Node[]): number {
  let n = 1;
  for (const node of seq) {
    if (typeof node === 'string') continue;
    n *= node.options.reduce((sum, o) => sum + countSeq(o), 0);
    if (n > Number.MAX_SAFE_INTEGER / 2) return Infinity;
  }
  return n;
}

function expandSeq(seq: Node[]): string[] {
  let out = [''];
  for (const node of seq) {
    const parts = typeof node === 'string' ? [node] : node.options.flatMap(expandSeq);
    out = out.flatMap((prefix) => parts.map((p) => prefix + p));
  }
  return out;
}

/** How many prompts `text` expands to (without expanding it). */
export function countAlternatives(text: string): number {
  return countSeq(parse(text));
}

/**
 * Every prompt `text` stands for, in order. Refuses (ExpansionError, naming the limit) when that is
 * more than `cap` (default: the most runs one group may hold).
 */
export function expandAlternatives(text: string, cap: number = LIMITS.groupMembers): string[] {
  const seq = parse(text);
  const n = countSeq(seq);
  if (n > cap)
    throw new ExpansionError(
      `"${text.length > 60 ? `${text.slice(0, 57)}…` : text}" expands to ${Number.isFinite(n) ? n.toLocaleString('en-US') : 'too many'} prompts; a batch holds at most ${cap} runs (groupMembers). Remove some alternatives.`,
    );
  return expandSeq(seq);
}
