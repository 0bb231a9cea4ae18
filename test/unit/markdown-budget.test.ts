import { describe, expect, it } from 'vitest';
import { MARKDOWN_MAX_CHARS, renderAsMarkdown } from '../../renderer/src/features/detail/markdown-budget.ts';

// Which model text goes through the markdown renderer (renderer/src/features/detail/markdown-budget.ts).
// The refused inputs are the ones measured freezing the page (11–37 s) or overflowing its stack.

const answer = (chars: number) => {
  const para = 'Here is **bold text**, *some emphasis*, `code` and a [link](https://example.com). ';
  let s = '';
  for (let i = 0; s.length < chars; i++) s += (i % 10 === 0 ? `\n\n## Part ${i}\n\n` : '') + (i % 4 === 0 ? `\n- ${para}` : para);
  return s;
};

describe('markdown budget', () => {
  it('renders ordinary answers: headings, nested lists, quotes, emphasis, up to the size bound', () => {
    expect(renderAsMarkdown(answer(90_000))).toBe(true);
    expect(renderAsMarkdown('> a quote\n> > nested\n\n1. one\n   - two\n     - three\n       > four')).toBe(true);
    expect(renderAsMarkdown('- '.repeat(16) + 'sixteen deep on one line')).toBe(true);
    expect(renderAsMarkdown('2 * 3 * 4 = 24, and snake_case_names_are_fine')).toBe(true);
  });

  it.each([
    ['nested lists on one line', '- '.repeat(10_000) + 'a'],
    ['nested quotes', '>'.repeat(40_000) + ' a'],
    ['ordered lists on one line', '1. '.repeat(3_000) + 'a'],
    ['mixed containers', '> - 1) '.repeat(10) + 'a'],
    ['unmatched emphasis in one paragraph', '*a_'.repeat(3_000)],
    ['nesting by indentation', 'a\n' + ' '.repeat(200) + '- deep'],
    ['more than the size bound', 'word '.repeat(MARKDOWN_MAX_CHARS / 5 + 1)],
  ])('shows %s as plain text', (_name, text) => {
    expect(renderAsMarkdown(text)).toBe(false);
  });

  it('counts emphasis per paragraph: many short paragraphs with a few each are fine', () => {
    expect(renderAsMarkdown(Array.from({ length: 2_000 }, (_, i) => `*item ${i}* and _more_`).join('\n\n'))).toBe(true);
    expect(renderAsMarkdown(Array.from({ length: 2_000 }, (_, i) => `*item ${i}* and _more_`).join('\n'))).toBe(false);
  });
});
