// The shape of untrusted JSON, bounded before it is parsed (ARCHITECTURE.md, "Security"). Parsing
// costs the heap some 100 bytes per object or array, whatever the text's length: 15 MB of `[],`
// became 5 million arrays and 2.8 GB, and a 256 MB archive manifest of `{},` ran the process out
// of memory after 94 s (measured). The byte bounds of `limits.ts` keep the text small; these keep
// what it turns into small. Pure: no Node, no DOM.

export interface JsonShapeBounds {
  /** Objects and arrays in the whole text. */
  containers: number;
  /** Deepest nesting (a deep tree also overflows the stack of whatever walks it next). */
  depth: number;
}

/**
 * Why the text's shape is past the bounds, or null when it is within them. Counted without parsing
 * (brackets inside strings are skipped, escapes honoured) and stopped at the first bound passed;
 * text that is not JSON at all is left for JSON.parse to refuse.
 */
export function jsonShapeProblem(text: string, bounds: JsonShapeBounds): string | null {
  let containers = 0;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // A string: to its closing quote, past escaped characters.
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 92) i++;
        else if (d === 34) break;
      }
    } else if (c === 123 || c === 91) {
      if (++containers > bounds.containers) return `it holds more than ${bounds.containers.toLocaleString('en')} objects and arrays`;
      if (++depth > bounds.depth) return `it is nested more than ${bounds.depth} deep`;
    } else if (c === 125 || c === 93) depth--;
  }
  return null;
}

/** JSON.parse, after the shape check: throws a SyntaxError (as JSON.parse does for bad text) naming the bound passed. */
export function parseJsonWithin(text: string, bounds: JsonShapeBounds): unknown {
  const problem = jsonShapeProblem(text, bounds);
  if (problem) throw new SyntaxError(`JSON not read: ${problem}`);
  return JSON.parse(text);
}
