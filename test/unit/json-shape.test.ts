import { describe, expect, it } from 'vitest';
import { jsonShapeProblem, parseJsonWithin } from '../../shared/json-shape.ts';

// The shape of untrusted JSON, counted before it is parsed (shared/json-shape.ts).

const bounds = { containers: 5, depth: 3 };

describe('json shape', () => {
  it('counts objects and arrays, and the deepest nesting', () => {
    expect(jsonShapeProblem('{"a":[1,2],"b":{"c":[]}}', bounds)).toBeNull(); // 4 containers, 3 deep
    expect(jsonShapeProblem('[[],[],[],[],[]]', bounds)).toMatch(/more than 5 objects and arrays/);
    expect(jsonShapeProblem('[[[[1]]]]', bounds)).toMatch(/nested more than 3 deep/);
    expect(jsonShapeProblem('[[1]],[[2]],[[3]]', { containers: 10, depth: 2 })).toBeNull(); // depth falls back as they close
  });

  it('skips brackets inside strings, escaped quotes included', () => {
    expect(jsonShapeProblem(JSON.stringify({ prompt: '[[[[{{{{ "quoted [" \\\\ ' }), bounds)).toBeNull();
    expect(jsonShapeProblem(JSON.stringify(['a\\"[[[[', '}}}}']), bounds)).toBeNull();
  });

  it('parses what is within, and refuses the rest as a SyntaxError (as bad JSON is)', () => {
    expect(parseJsonWithin('{"ok":[true]}', bounds)).toEqual({ ok: [true] });
    expect(() => parseJsonWithin('[[],[],[],[],[],[]]', bounds)).toThrow(SyntaxError);
    expect(() => parseJsonWithin('{"not json', bounds)).toThrow(SyntaxError);
  });
});
