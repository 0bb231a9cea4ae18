// Whether model text is rendered as markdown or shown as it is (ARCHITECTURE.md, "Security"). Model
// text is untrusted, and micromark's parse is superlinear on some inputs: measured in Node,
// `- ` repeated 10,000 times (20 KB of nested lists) took 11 s, `>` repeated 40,000 times 37 s,
// `*a_` repeated over 10 KB (unmatched emphasis) 0.9 s and four times that over 40 KB, and nesting
// some 5,000 deep overflows the stack of the tree walk — all on the page's one thread, where a
// frozen or thrown render is the whole window. Ordinary answers are far inside these bounds (a
// 100 KB answer with headings, lists and emphasis renders in about half a second).

/** Longer text is shown as plain text: its parse alone would hold the page for a second or more. */
export const MARKDOWN_MAX_CHARS = 100_000;
/** Block containers (quote `>`, list `-`/`*`/`+`/`1.`) opened at the start of one line. */
const MAX_LINE_NESTING = 16;
/** Leading whitespace of one line: nesting by indentation (a list four levels deep indents 8–12). */
const MAX_INDENT = 64;
/** Emphasis delimiters (`*`, `_`) in one paragraph: matching them is quadratic when they do not pair. */
const MAX_DELIMITERS_PER_PARAGRAPH = 2_000;

/** Containers a line opens before its content: `> - 1. > text` opens four. */
function lineNesting(text: string, start: number, end: number): { nesting: number; indent: number } {
  let i = start;
  let indent = 0;
  while (i < end && (text[i] === ' ' || text[i] === '\t')) {
    i++;
    indent++;
  }
  let nesting = 0;
  while (i < end && nesting <= MAX_LINE_NESTING) {
    const c = text[i]!;
    let j = i;
    if (c === '>') j = i + 1;
    else if ((c === '-' || c === '*' || c === '+') && (text[i + 1] === ' ' || text[i + 1] === '\t')) j = i + 1;
    else if (c >= '0' && c <= '9') {
      while (j < end && j - i < 9 && text[j]! >= '0' && text[j]! <= '9') j++;
      if (text[j] !== '.' && text[j] !== ')') break;
      j++;
    } else break;
    nesting++;
    i = j;
    while (i < end && (text[i] === ' ' || text[i] === '\t')) i++;
  }
  return { nesting, indent };
}

/** True when the text may go through the markdown renderer; false: show it as plain text. */
export function renderAsMarkdown(text: string): boolean {
  if (text.length > MARKDOWN_MAX_CHARS) return false;
  let delimiters = 0;
  let lineStart = 0;
  let blank = true;
  for (let i = 0; i <= text.length; i++) {
    const c = text[i];
    if (c === undefined || c === '\n') {
      const { nesting, indent } = lineNesting(text, lineStart, i);
      if (nesting > MAX_LINE_NESTING || indent > MAX_INDENT) return false;
      if (blank) delimiters = 0; // a blank line ends the paragraph
      lineStart = i + 1;
      blank = true;
      continue;
    }
    if (c !== ' ' && c !== '\t' && c !== '\r') blank = false;
    if ((c === '*' || c === '_') && ++delimiters > MAX_DELIMITERS_PER_PARAGRAPH) return false;
  }
  return true;
}
