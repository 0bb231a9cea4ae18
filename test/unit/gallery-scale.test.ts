import { describe, it, expect } from 'vitest';
import { cardAspect, rowMediaHeights, MAX_ASPECT } from '../../renderer/src/features/scale/aspect.ts';
import { pythonLiteral, requestCode } from '../../renderer/src/features/reproduce/code.ts';
import type { PredictionView, OutputView } from '../../shared/domain/prediction.ts';
import { predictionView } from './view-fixture.ts';

const img = (width: number | null, height: number | null): OutputView => ({
  index: 0,
  kind: 'image',
  state: 'saved',
  mime: 'image/webp',
  size: 1,
  width,
  height,
  path: 'a.webp',
  thumbPath: null,
  remoteUrl: null,
});
const p = (o: Partial<PredictionView>): PredictionView => predictionView(o);

describe('card shapes', () => {
  it('use the output’s measured size, else the input’s aspect ratio or size, else square', () => {
    expect(cardAspect(p({ outputs: [img(1024, 576)], input: { aspect_ratio: '1:1' } }))).toBeCloseTo(16 / 9);
    expect(cardAspect(p({ input: { aspect_ratio: '9:16' } }))).toBeCloseTo(9 / 16);
    expect(cardAspect(p({ input: { width: 1536, height: 1024 } }))).toBeCloseTo(1.5);
    expect(cardAspect(p({ outputs: [img(null, null)] }))).toBe(1);
    expect(cardAspect(p({ input: { aspect_ratio: '32:9' } }))).toBe(MAX_ASPECT); // bounded
  });

  it('make each row as tall as its tallest shape, at most 3:4', () => {
    const shapes = { a: 21 / 9, b: 9 / 16, c: 16 / 9 };
    expect(rowMediaHeights(['a', 'b', 'c'], shapes, 2, 180)).toEqual([240, 101]);
    expect(rowMediaHeights(['a', 'c'], shapes, 2, 180)).toEqual([101]); // 21:9 and 16:9: the 16:9's height
    // A slot with no shape of its own (a stack) leaves the row's height to the others.
    expect(rowMediaHeights(['stack:g', 'c'], shapes, 2, 180)).toEqual([101]);
  });
});

describe('request code', () => {
  const req = {
    provider: 'replicate' as const,
    method: 'POST' as const,
    url: 'https://api.replicate.com/v1/predictions',
    headers: { Authorization: 'Bearer $REPLICATE_API_TOKEN', 'Content-Type': 'application/json' },
    body: { version: 'v', input: { prompt: "it's", go: true, n: null } },
    keyVariable: 'REPLICATE_API_TOKEN' as const,
    files: [],
  };
  it('never writes a key, only the variable', () => {
    for (const lang of ['curl', 'javascript', 'python'] as const) expect(requestCode(req, lang)).toMatch(/REPLICATE_API_TOKEN/);
    expect(requestCode(req, 'curl')).toContain(`-H "Authorization: Bearer $REPLICATE_API_TOKEN"`);
    expect(requestCode(req, 'javascript')).toContain('`Bearer ${process.env.REPLICATE_API_TOKEN}`');
    expect(requestCode(req, 'python')).toContain(`f"Bearer {os.environ['REPLICATE_API_TOKEN']}"`);
  });
  it('writes JSON values as Python literals', () => {
    expect(pythonLiteral({ a: true, b: false, c: null, d: [1, 'x'] })).toBe(
      '{\n    "a": True,\n    "b": False,\n    "c": None,\n    "d": [\n        1,\n        "x",\n    ],\n}',
    );
  });
});
