// Is this text an SVG document? SVG has no magic bytes, so the root element decides: what an XML
// parser (librsvg, a browser opening the .svg) would take as the document. Before the root, XML
// allows only a prolog: a BOM, whitespace, the `<?xml …?>` declaration and other processing
// instructions, comments, and one doctype — which must name `svg`, so `<!DOCTYPE html>` followed
// by an `<svg>` is an HTML page, refused. Read from the file's first bytes (magic.ts), bounded.

export type SvgRoot = 'svg' | 'other' | 'binary';

const XML_SPACE = /[ \t\r\n]/;
/** Sticky: tried at the position reached. */
const DOCTYPE_SVG = /<!DOCTYPE[ \t\r\n]+svg[ \t\r\n>[]/iy;
const SVG_ROOT = /<svg[ \t\r\n>/]/y;

export function svgRootIn(head: Uint8Array): SvgRoot {
  // A text document has no NUL: UTF-16, or bytes that merely begin with `<svg`, are not taken.
  if (head.includes(0)) return 'binary';
  let s = Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('utf8');
  if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
  let i = 0;
  for (;;) {
    while (i < s.length && XML_SPACE.test(s[i]!)) i++;
    let end: number;
    if (s.startsWith('<?', i)) end = after(s, '?>', i + 2);
    else if (s.startsWith('<!--', i)) end = after(s, '-->', i + 4);
    else if (at(DOCTYPE_SVG, s, i)) end = afterDoctype(s, i);
    else return at(SVG_ROOT, s, i) ? 'svg' : 'other';
    if (end < 0) return 'other'; // a prolog that never ends within the bytes read
    i = end;
  }
}

function at(re: RegExp, s: string, i: number): boolean {
  re.lastIndex = i;
  return re.test(s);
}

function after(s: string, close: string, from: number): number {
  const found = s.indexOf(close, from);
  return found < 0 ? -1 : found + close.length;
}

/** Past `<!DOCTYPE svg …>`, whose internal subset `[ … ]` (an editor's entity declarations) may hold `>`. */
function afterDoctype(s: string, from: number): number {
  const gt = s.indexOf('>', from);
  const open = s.indexOf('[', from);
  if (open < 0 || (gt >= 0 && gt < open)) return gt < 0 ? -1 : gt + 1;
  const close = s.indexOf(']', open);
  return close < 0 ? -1 : after(s, '>', close);
}
