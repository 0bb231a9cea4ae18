import { describe, expect, it } from 'vitest';
import { mergeRemote, type MergeContext } from '../../electron/backend/engine/merge.ts';
import { outputText } from '../../electron/backend/records/output-text.ts';
import { NO_ERROR_MESSAGE } from '../../electron/backend/engine/record-rules.ts';
import { SettingsPatch, cancelAfterMs } from '../../shared/domain/settings.ts';
import type { PredictionRecord } from '../../electron/backend/history/types.ts';
import type { RemoteRun } from '../../electron/backend/providers/types.ts';
import { LIMITS } from '../../shared/limits.ts';

// What a remote answer changes in a run's record (merge.ts), as a table: no timers, no sockets,
// no database. Each row is a record as stored, an answer, and exactly the patch expected.

const NOW = 1_700_000_000_000;
const V = 'a'.repeat(64);

function rec(over: Partial<PredictionRecord> = {}): PredictionRecord {
  return {
    id: 'k1',
    provider: 'replicate',
    providerId: 'p1',
    model: 'o/m',
    version: null,
    target: 'model',
    input: {},
    inputSchema: null,
    status: 'starting',
    saveState: 'none',
    createdAt: NOW - 10_000,
    providerCreatedAt: NOW - 9000,
    startedAt: null,
    completedAt: null,
    statusSince: NOW - 9000,
    timeline: [],
    logs: '',
    progress: null,
    text: null,
    output: null,
    error: null,
    metrics: null,
    urls: {},
    cancelAfter: null,
    retryOf: null,
    favourite: false,
    note: null,
    submitAttempts: 1,
    cancelRequested: false,
    dataRemoved: false,
    ...over,
  };
}

function run(over: Partial<RemoteRun> = {}): RemoteRun {
  return { id: 'p1', status: 'starting', rawStatus: 'starting', createdAt: NOW - 9000, startedAt: null, completedAt: null, ...over };
}

const ctx = (over: Partial<MergeContext> = {}): MergeContext => ({ now: NOW, fromList: false, holdLocalEnd: false, keepNote: false, ...over });

const rows: { name: string; rec?: Partial<PredictionRecord>; run?: Partial<RemoteRun>; ctx?: Partial<MergeContext>; patch: Partial<PredictionRecord> }[] = [
  { name: 'nothing new: no patch at all', patch: {} },
  {
    name: 'first answer: the provider id and its created time',
    rec: { providerId: null, providerCreatedAt: null },
    patch: { providerId: 'p1', providerCreatedAt: NOW - 9000 },
  },
  {
    name: 'starting → processing: started now, by Kiln’s clock',
    run: { status: 'processing', startedAt: NOW - 60_000_000 },
    patch: { status: 'processing', statusSince: NOW, startedAt: NOW },
  },
  {
    name: 'an unknown status is taken as it is, not started, not ended',
    run: { status: 'warming', rawStatus: 'warming' },
    patch: { status: 'warming', statusSince: NOW },
  },
  {
    name: 'an unknown status with a start time counts as started',
    run: { status: 'booting', startedAt: NOW - 5 },
    patch: { status: 'booting', statusSince: NOW, startedAt: NOW },
  },
  {
    name: 'started already: the start time is kept',
    rec: { status: 'processing', startedAt: NOW - 3000 },
    run: { status: 'succeeded', startedAt: NOW - 2 },
    patch: { status: 'succeeded', statusSince: NOW, completedAt: NOW },
  },
  {
    name: 'started and ended in one answer: the run time is the provider’s own (a held create, a run between two looks)',
    run: { status: 'succeeded', startedAt: NOW - 90_000, completedAt: NOW - 87_500 },
    patch: { status: 'succeeded', statusSince: NOW, startedAt: NOW - 2500, completedAt: NOW },
  },
  {
    name: 'ended in one answer without the provider’s end time: no run time to take',
    run: { status: 'succeeded', startedAt: NOW - 90_000 },
    patch: { status: 'succeeded', statusSince: NOW, startedAt: NOW, completedAt: NOW },
  },
  {
    name: 'straight to failed without a message: says so',
    run: { status: 'failed' },
    patch: { status: 'failed', statusSince: NOW, completedAt: NOW, error: { code: null, message: NO_ERROR_MESSAGE } },
  },
  {
    name: 'a failure message with an E-code',
    run: { status: 'failed', error: 'E1001 out of memory' },
    patch: { status: 'failed', statusSince: NOW, completedAt: NOW, error: { code: 'E1001', message: 'E1001 out of memory' } },
  },
  { name: 'an error object is kept as JSON', run: { error: { detail: 'x' } }, patch: { error: { code: null, message: '{"detail":"x"}' } } },
  { name: 'an error already on the record is not replaced', rec: { error: { code: null, message: 'first' } }, run: { error: 'second' }, patch: {} },
  {
    name: 'logs: new text and the progress read from it',
    run: { logs: ' 50%|█████     | 5/10 [00:01<00:01]' },
    patch: { logs: ' 50%|█████     | 5/10 [00:01<00:01]', progress: { percent: 50, current: 5, total: 10 } },
  },
  { name: 'logs not carried (a list item): left as they are', rec: { logs: 'old' }, run: { logs: undefined }, patch: {} },
  { name: 'a usable version is learnt; `hidden` is not', run: { version: V }, patch: { version: V } },
  { name: '`hidden` version ignored', run: { version: 'hidden' }, patch: {} },
  {
    name: 'urls changed',
    run: { urls: { get: 'https://x/g', stream: 'https://s/1' } },
    patch: { urls: { get: 'https://x/g', cancel: null, stream: 'https://s/1', web: null } },
  },
  {
    name: 'text output at the end becomes the card text',
    run: { status: 'succeeded', output: ['Hel', 'lo'] },
    patch: { status: 'succeeded', statusSince: NOW, completedAt: NOW, output: ['Hel', 'lo'], text: 'Hello' },
  },
  {
    name: 'text output mid-run: kept as output, no text yet',
    run: { status: 'processing', output: ['Hel'] },
    patch: { status: 'processing', statusSince: NOW, startedAt: NOW, output: ['Hel'] },
  },
  {
    name: 'the end repeats the output a processing answer already brought (a held create): the card text comes from it',
    rec: { status: 'processing', startedAt: NOW - 1000, output: ['Hel', 'lo'] },
    run: { status: 'succeeded', output: ['Hel', 'lo'] },
    patch: { status: 'succeeded', statusSince: NOW, completedAt: NOW, text: 'Hello' },
  },
  {
    name: 'a stream cut short left part of the text: the end puts the whole output in its place',
    rec: { status: 'processing', startedAt: NOW - 1000, output: ['Hel', 'lo'], text: 'Hel' },
    run: { status: 'succeeded', output: ['Hel', 'lo'] },
    patch: { status: 'succeeded', statusSince: NOW, completedAt: NOW, text: 'Hello' },
  },
  {
    name: 'an end that says nothing of the output (a list item) keeps the streamed text, ahead of the last polled output',
    rec: { status: 'processing', startedAt: NOW - 1000, output: ['Hel'], text: 'Hello wor' },
    run: { status: 'succeeded' },
    patch: { status: 'succeeded', statusSince: NOW, completedAt: NOW },
  },
  {
    name: 'file outputs are not text',
    run: { status: 'succeeded', output: ['https://f/1.png'] },
    patch: { status: 'succeeded', statusSince: NOW, completedAt: NOW, output: ['https://f/1.png'] },
  },
  {
    name: 'metrics only at the end',
    run: { status: 'processing', metrics: { predictTime: 1, totalTime: 2 } },
    patch: { status: 'processing', statusSince: NOW, startedAt: NOW },
  },
  {
    name: 'token counts at the end',
    rec: { status: 'processing', startedAt: NOW - 1 },
    run: { status: 'succeeded', metrics: { predictTime: 1, totalTime: 2, inputTokens: 3, outputTokens: 40 } },
    patch: { status: 'succeeded', statusSince: NOW, completedAt: NOW, metrics: { predictTime: 1, totalTime: 2, inputTokens: 3, outputTokens: 40 } },
  },
  {
    name: 'metrics at the end',
    rec: { status: 'processing', startedAt: NOW - 1 },
    run: { status: 'succeeded', metrics: { predictTime: 1, totalTime: 2 } },
    patch: { status: 'succeeded', statusSince: NOW, completedAt: NOW, metrics: { predictTime: 1, totalTime: 2 } },
  },
  { name: 'outputs removed by the provider', run: { dataRemoved: true }, patch: { dataRemoved: true } },
  {
    name: 'finished from a list item: the progress bar is completed',
    rec: { status: 'processing', startedAt: NOW - 1, progress: { percent: 80, current: 8, total: 10 } },
    run: { status: 'succeeded' },
    ctx: { fromList: true },
    patch: { status: 'succeeded', statusSince: NOW, completedAt: NOW, progress: { percent: 100, current: 10, total: 10 } },
  },
  {
    name: 'ended locally: a running status does not bring the card back',
    rec: { status: 'canceled' },
    run: { status: 'processing' },
    ctx: { holdLocalEnd: true },
    patch: {},
  },
  { name: 'a note is cleared by an answer', rec: { note: 'Retrying in 2 s' }, patch: { note: null } },
  { name: 'a note that must stay (offline, key, refused cancel) stays', rec: { note: 'Paused — key rejected' }, ctx: { keepNote: true }, patch: {} },
  { name: 'waiting with a queue position: the card says how many are ahead', run: { queuePosition: 3 }, patch: { note: 'In queue — 3 ahead' } },
  { name: 'first in the queue', run: { queuePosition: 0 }, patch: { note: 'In queue — next' } },
  { name: 'the same position again: nothing to write', rec: { note: 'In queue — 3 ahead' }, run: { queuePosition: 3 }, patch: {} },
  { name: 'the queue moved', rec: { note: 'In queue — 3 ahead' }, run: { queuePosition: 1 }, patch: { note: 'In queue — 1 ahead' } },
  {
    name: 'running: the queue note goes',
    rec: { note: 'In queue — next' },
    run: { status: 'processing', queuePosition: null },
    patch: { status: 'processing', statusSince: NOW, startedAt: NOW, note: null },
  },
  {
    name: 'offline while queued: the outage note stays',
    rec: { note: 'fal unreachable — retrying in 4 s' },
    run: { queuePosition: 2 },
    ctx: { keepNote: true },
    patch: {},
  },
];

describe('what a remote answer changes (merge.ts)', () => {
  for (const row of rows) {
    it(row.name, () => {
      expect(mergeRemote(rec(row.rec), run(row.run), ctx(row.ctx))).toEqual(row.patch);
    });
  }

  it('an endless text is cut at the limit and the note says where', () => {
    const patch = mergeRemote(rec(), run({ status: 'succeeded', output: 'x'.repeat(LIMITS.runTextChars + 10) }), ctx({ keepNote: true }));
    expect(patch.text).toHaveLength(LIMITS.runTextChars);
    expect(patch.note).toMatch(/runTextChars/);
  });

  it('outputText: strings and chunk arrays are text; a file URL, or an array of nothing but file refs, is not', () => {
    expect(outputText('hi')).toBe('hi');
    expect(outputText(['a', 'b'])).toBe('ab');
    expect(outputText('https://x/y.png')).toBeNull();
    expect(outputText(['data:image/png;base64,AA'])).toBeNull();
    expect(outputText(['https://x/a.png', ' https://x/b.png\n'])).toBeNull();
    expect(outputText([])).toBeNull();
    expect(outputText({ a: 1 })).toBeNull();
    // A language model's chunk may be a link on its own: the answer is still text.
    expect(outputText(['See ', 'https://replicate.com/docs', ' for more.'])).toBe('See https://replicate.com/docs for more.');
    expect(outputText('https://replicate.com is where it runs')).toBe('https://replicate.com is where it runs');
    // Answer objects: a language model's `{output, …}` and a transcriber's `{text, chunks}` are text;
    // a lone link in `output` is a file (unless the object is a language model's answer), and
    // an object naming a file beside its text is files.
    expect(outputText({ output: 'Hi', partial: false, error: null })).toBe('Hi');
    expect(outputText({ text: 'hello', chunks: [] })).toBe('hello');
    expect(outputText({ output: 'https://f/1.png' })).toBeNull();
    expect(outputText({ output: 'https://fal.ai', partial: false })).toBe('https://fal.ai');
    expect(outputText({ text: 'a caption', image: { url: 'https://f/1.png' } })).toBeNull();
    // openai/whisper on Replicate: the transcript is the answer, its .txt/.srt files beside it are extras.
    const whisper = {
      segments: [{ id: 0, start: 0, end: 2.5, text: ' Hello there.' }],
      transcription: ' Hello there.',
      translation: null,
      txt_file: 'https://replicate.delivery/x/transcription.txt',
      srt_file: 'https://replicate.delivery/x/transcription.srt',
      detected_language: 'english',
    };
    expect(outputText(whisper)).toBe(' Hello there.');
    // A captioner's or OCR's one string of results (fal's Florence-2): text; with a file beside it, a media result.
    expect(outputText({ results: 'A cat on a sofa.' })).toBe('A cat on a sofa.');
    expect(outputText({ results: 'A cat.', image: { url: 'https://f/1.png' } })).toBeNull();
  });
});

describe('the give-up setting as a start deadline (shared/domain/settings.ts cancelAfterMs)', () => {
  const table: [string | null, number | null][] = [
    [null, null],
    ['', null],
    ['90s', 90_000],
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['1h', 3_600_000],
    ['45', 45_000],
    ['soon', null],
    ['h', null],
  ];
  for (const [text, ms] of table) it(`${JSON.stringify(text)} → ${ms}`, () => expect(cancelAfterMs(text)).toBe(ms));
});

describe('the give-up setting refuses what Replicate would refuse on every create', () => {
  const table: [string | null, boolean][] = [
    [null, true],
    ['5s', true],
    ['10m', true],
    ['5', true],
    ['4s', false],
    ['0', false],
    ['0m', false],
    ['3', false],
  ];
  for (const [cancelAfter, ok] of table)
    it(`${JSON.stringify(cancelAfter)} ${ok ? 'accepted' : 'refused'}`, () => expect(SettingsPatch.safeParse({ cancelAfter }).success).toBe(ok));
});
