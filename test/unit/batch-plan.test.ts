import { describe, expect, it } from 'vitest';
import { countAlternatives, expandAlternatives, ExpansionError } from '../../shared/batch/alternatives.ts';
import { parseCsvRecords, parseCsvTable, parsePromptLines, BatchInputError } from '../../shared/batch/table.ts';
import { countBatch, parseAxisValues, planBatch, seedList, type BatchSpec } from '../../shared/batch/plan.ts';
import { LIMITS } from '../../shared/limits.ts';

// The batch's pure parts (issue 14, Batch): `{a|b}` alternatives, prompt lists and CSV tables, and
// the whole fan-out (rows × alternatives × grid × seeds), each bounded with an error naming its limit.

describe('alternatives', () => {
  it.each([
    ['a {red|blue} fox', ['a red fox', 'a blue fox']],
    ['{a|b} {c|d}', ['a c', 'a d', 'b c', 'b d']],
    ['a {big {red|blue}|small} fox', ['a big red fox', 'a big blue fox', 'a small fox']],
    ['{|very }dark', ['dark', 'very dark']],
    ['no groups at all', ['no groups at all']],
    ['a {style} stays', ['a {style} stays']],
    ['{x {a|b}} braces kept around a nested group', ['{x a} braces kept around a nested group', '{x b} braces kept around a nested group']],
    ['pipes | outside groups are text', ['pipes | outside groups are text']],
    ['escaped \\{a\\|b\\} and \\\\', ['escaped {a|b} and \\']],
    ['{a\\|b|c}', ['a|b', 'c']],
  ])('%s', (text, expected) => {
    expect(expandAlternatives(text)).toEqual(expected);
    expect(countAlternatives(text)).toBe(expected.length);
  });

  it('refuses an unclosed brace, saying where', () => {
    expect(() => expandAlternatives('a {red|blue fox')).toThrow(/"\{" at character 3 is never closed/);
  });

  it('refuses nesting deeper than the limit', () => {
    const deep = '{a|'.repeat(LIMITS.alternativesDepth + 1) + 'z' + '}'.repeat(LIMITS.alternativesDepth + 1);
    expect(() => expandAlternatives(deep)).toThrow(ExpansionError);
    expect(() => expandAlternatives(deep)).toThrow(/alternativesDepth/);
    const ok = '{a|'.repeat(LIMITS.alternativesDepth) + 'z' + '}'.repeat(LIMITS.alternativesDepth);
    expect(expandAlternatives(ok)).toHaveLength(LIMITS.alternativesDepth + 1);
  });

  it('counts before expanding: a prompt that would make a million runs is refused at once', () => {
    const huge = '{a|b|c|d|e|f|g|h|i|j} '.repeat(6);
    expect(countAlternatives(huge)).toBe(1_000_000);
    expect(() => expandAlternatives(huge)).toThrow(new RegExp(`1,000,000 prompts; a batch holds at most ${LIMITS.groupMembers} runs \\(groupMembers\\)`));
    expect(() => expandAlternatives('{a|b|c}', 2)).toThrow(/at most 2 runs/);
    expect(expandAlternatives('{a|b}', 2)).toEqual(['a', 'b']);
  });
});

describe('prompt lists and CSV', () => {
  it('one prompt per line, blank lines skipped, CRLF read', () => {
    expect(parsePromptLines('a fox\r\n\r\n  an owl  \nthe sea\n')).toEqual(['a fox', 'an owl', 'the sea']);
  });

  it('refuses a list over the size or row limits, naming them', () => {
    expect(() => parsePromptLines('x'.repeat(LIMITS.batchFileBytes + 1))).toThrow(/batchFileBytes/);
    expect(() => parsePromptLines(Array.from({ length: LIMITS.groupMembers + 1 }, (_, i) => `p${i}`).join('\n'))).toThrow(
      new RegExp(`${LIMITS.groupMembers + 1} rows.*groupMembers`),
    );
  });

  it('RFC 4180: quotes, doubled quotes, commas and line breaks inside fields, a BOM', () => {
    expect(parseCsvRecords('\ufeffprompt,seed\r\n"a fox, in snow",1\n"say ""hi""\nthere",2\n')).toEqual([
      ['prompt', 'seed'],
      ['a fox, in snow', '1'],
      ['say "hi"\nthere', '2'],
    ]);
    expect(() => parseCsvRecords('prompt\n"never closed')).toThrow(BatchInputError);
  });

  const fields = [
    { name: 'prompt', kind: 'prompt' },
    { name: 'seed', kind: 'integer' },
    { name: 'aspect_ratio', kind: 'enum' },
    { name: 'go_fast', kind: 'boolean' },
  ];

  it('a CSV header names the inputs (any case); unknown columns are reported; cells are typed', () => {
    const t = parseCsvTable('Prompt,SEED,style,go_fast\na fox,3,oil,yes\nan owl,,watercolour,false\n', fields);
    expect(t.columns).toEqual(['prompt', 'seed', 'go_fast']);
    expect(t.ignored).toEqual(['style']);
    expect(t.rows).toEqual([
      { prompt: 'a fox', seed: 3, go_fast: true },
      { prompt: 'an owl', go_fast: false },
    ]);
  });

  it('a cell of the wrong type names its row and column', () => {
    expect(() => parseCsvTable('prompt,seed\na,1\nb,1.5\n', fields)).toThrow(/row 3, column "seed": "1.5" is not a whole number/);
  });

  it('a CSV naming no input of the model says which inputs it has', () => {
    expect(() => parseCsvTable('colour,mood\nred,calm\n', fields)).toThrow(
      /has no column naming an input of this model \(its inputs: prompt, seed, aspect_ratio, go_fast/,
    );
    expect(() => parseCsvTable('prompt\n', fields)).toThrow(/header row/);
  });
});

describe('the whole fan-out', () => {
  const base: BatchSpec = { base: { prompt: 'x', num_outputs: 1 }, rows: [], promptField: 'prompt', seedField: 'seed', seeds: { mode: 'none' } };

  it('rows × alternatives × grid × seeds, each member from the composer values', () => {
    const spec: BatchSpec = {
      ...base,
      rows: [{ prompt: 'a {red|blue} fox' }, { prompt: 'an owl', num_outputs: 2 }],
      seeds: { mode: 'range', from: 5, to: 6 },
      x: { field: 'num_inference_steps', values: [2, 4] },
    };
    expect(countBatch(spec)).toBe((2 + 1) * 2 * 2);
    const members = planBatch(spec);
    expect(members).toHaveLength(12);
    expect(members[0]).toEqual({ input: { prompt: 'a red fox', num_outputs: 1, num_inference_steps: 2, seed: 5 }, label: 'num_inference_steps 2 · seed 5' });
    expect(members[11]!.input).toEqual({ prompt: 'an owl', num_outputs: 2, num_inference_steps: 4, seed: 6 });
    expect(new Set(members.map((m) => JSON.stringify(m.input))).size).toBe(12);
  });

  it('no rows: the composer input once, swept over N seeds from a start', () => {
    const members = planBatch({ ...base, seeds: { mode: 'count', count: 3, start: 41 } });
    expect(members.map((m) => m.input.seed)).toEqual([41, 42, 43]);
    expect(members.every((m) => m.input.prompt === 'x')).toBe(true);
  });

  it('an X/Y grid over two inputs', () => {
    const members = planBatch({
      ...base,
      x: { field: 'aspect_ratio', values: ['1:1', '16:9'] },
      y: { field: 'num_inference_steps', values: parseAxisValues('1, 2, 4', 'integer') },
    });
    expect(members.map((m) => [m.input.aspect_ratio, m.input.num_inference_steps])).toEqual([
      ['1:1', 1],
      ['16:9', 1],
      ['1:1', 2],
      ['16:9', 2],
      ['1:1', 4],
      ['16:9', 4],
    ]);
  });

  it('refuses over the group limit before building anything, and bad seed sweeps', () => {
    expect(() => planBatch({ ...base, rows: [{ prompt: '{a|b|c|d|e|f|g|h|i|j}' }], seeds: { mode: 'count', count: 30, start: 0 } })).toThrow(
      /300 runs; a batch holds at most 200 \(groupMembers\)/,
    );
    expect(() => seedList({ mode: 'range', from: 9, to: 2 })).toThrow(/first not above the second/);
    expect(() => seedList({ mode: 'count', count: 0, start: 0 })).toThrow(/at least 1/);
    expect(() => parseAxisValues('1, two', 'integer')).toThrow(/"two" is not a whole number/);
  });
});
