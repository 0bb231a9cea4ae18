import { describe, expect, it } from 'vitest';
import { UsageError, exitForError, exitForStatus, modelRefOf, parseCli, parseInputValue, parseModelArg } from '../../electron/cli/args.ts';
import { defaultDataDir } from '../../electron/backend/data-dir.ts';

describe('kiln argument parsing', () => {
  it('parses run with JSON-when-it-parses inputs and @files', () => {
    const c = parseCli([
      'run',
      'black-forest-labs/flux-schnell',
      '-i',
      'prompt=a red fox',
      '-i',
      'steps=4',
      '-i',
      'go=true',
      '-i',
      'image=@./in.png',
      '-i',
      'tags=["a","b"]',
      '--json',
    ]);
    expect(c).toEqual({
      cmd: 'run',
      ref: 'black-forest-labs/flux-schnell',
      json: true,
      cancelOnInterrupt: false,
      inputs: [
        ['prompt', { value: 'a red fox' }],
        ['steps', { value: 4 }],
        ['go', { value: true }],
        ['image', { file: './in.png' }],
        ['tags', { value: ['a', 'b'] }],
      ],
    });
  });
  it('keeps `=` inside values and takes --cancel-on-interrupt', () => {
    const c = parseCli(['run', 'o/n:abc', '-i', 'prompt=x=y', '--cancel-on-interrupt']);
    expect(c).toMatchObject({ cmd: 'run', ref: 'o/n:abc', cancelOnInterrupt: true, inputs: [['prompt', { value: 'x=y' }]] });
  });
  it('parses list, show, retry, cancel', () => {
    expect(parseCli(['list', '--limit', '5'])).toEqual({ cmd: 'list', limit: 5, json: false });
    expect(parseCli(['show', 'abc', '--json'])).toEqual({ cmd: 'show', id: 'abc', json: true, wait: true });
    expect(parseCli(['show', 'abc', '--no-wait'])).toEqual({ cmd: 'show', id: 'abc', json: false, wait: false });
    expect(() => parseCli(['cancel', 'abc', '--no-wait'])).toThrow(UsageError);
    expect(parseCli(['retry', 'abc'])).toEqual({ cmd: 'retry', id: 'abc', json: false, cancelOnInterrupt: false });
    expect(parseCli(['cancel', 'abc'])).toEqual({ cmd: 'cancel', id: 'abc', json: false });
    expect(parseCli(['--help'])).toEqual({ cmd: 'help' });
    expect(parseCli(['--version'])).toEqual({ cmd: 'version' });
  });
  it('no arguments is a usage error (exit 2), with nothing else to say than the usage', () => {
    expect(() => parseCli([])).toThrow(new UsageError(''));
  });
  it('rejects bad usage', () => {
    expect(() => parseCli(['run'])).toThrow(UsageError);
    expect(() => parseCli(['run', 'o/n', '-i', 'novalue'])).toThrow(UsageError);
    expect(() => parseCli(['frobnicate'])).toThrow(UsageError);
    expect(() => parseCli(['show'])).toThrow(UsageError);
    expect(() => parseCli(['list', '--limit', '0'])).toThrow(UsageError);
    expect(() => parseCli(['run', 'o/n', '--bogus'])).toThrow(UsageError);
  });
  it('maps outcomes to ARCHITECTURE.md, "Fixed interfaces" exit codes', () => {
    expect(exitForStatus('succeeded')).toBe(0);
    for (const s of ['failed', 'canceled', 'aborted']) expect(exitForStatus(s)).toBe(1);
    expect(exitForError('invalid_input')).toBe(2);
    expect(exitForError('not_found')).toBe(2);
    expect(exitForError('auth')).toBe(3);
    expect(exitForError('billing')).toBe(3);
    expect(exitForError('network')).toBe(1);
  });
  it('model references per ARCHITECTURE.md, "Fixed interfaces": replicate: prefix or bare, fal:ENDPOINT_ID', () => {
    expect(parseModelArg('black-forest-labs/flux-schnell')).toEqual({ provider: 'replicate', model: 'black-forest-labs/flux-schnell', version: null });
    expect(parseModelArg('replicate:black-forest-labs/flux-schnell')).toEqual({
      provider: 'replicate',
      model: 'black-forest-labs/flux-schnell',
      version: null,
    });
    const v = 'a'.repeat(64);
    expect(parseModelArg(`replicate:stability-ai/sdxl:${v}`)).toEqual({ provider: 'replicate', model: 'stability-ai/sdxl', version: v });
    expect(parseModelArg(`stability-ai/sdxl:${v}`)).toEqual({ provider: 'replicate', model: 'stability-ai/sdxl', version: v });
    expect(parseModelArg('fal:fal-ai/flux/dev')).toEqual({ provider: 'fal', model: 'fal-ai/flux/dev', version: null });
    expect(parseModelArg(' FAL:fal-ai/kling-video/v2.1/master/text-to-video ')).toEqual({
      provider: 'fal',
      model: 'fal-ai/kling-video/v2.1/master/text-to-video',
      version: null,
    });
    expect(parseModelArg('fal:workflows/me/my-flow')).toEqual({ provider: 'fal', model: 'workflows/me/my-flow', version: null });
    expect(() => parseModelArg('fal:flux')).toThrow(/not a fal model reference/);
    expect(() => parseModelArg('fal:')).toThrow(UsageError);
    expect(() => parseModelArg('fal:../../etc/passwd')).toThrow(UsageError);
    expect(() => parseModelArg('openai:gpt')).toThrow(/Unknown provider "openai"/);
    expect(modelRefOf({ provider: 'fal', model: 'fal-ai/flux/dev', version: null })).toBe('fal:fal-ai/flux/dev');
    expect(modelRefOf({ provider: 'replicate', model: 'o/n', version: 'v1' })).toBe('o/n:v1');
    expect(() => parseModelArg('flux')).toThrow(/not a model reference/);
    expect(() => parseModelArg('replicate:')).toThrow(UsageError);
  });
  it('a value that is not JSON stays text', () => {
    expect(parseInputValue('hello')).toEqual({ value: 'hello' });
    expect(parseInputValue('@')).toEqual({ value: '@' });
  });
});

describe('default data dir', () => {
  it('matches Electron userData for productName Kiln', () => {
    expect(defaultDataDir('linux', {}, '/home/u')).toBe('/home/u/.config/Kiln');
    expect(defaultDataDir('linux', { XDG_CONFIG_HOME: '/x' }, '/home/u')).toBe('/x/Kiln');
    expect(defaultDataDir('darwin', {}, '/Users/u')).toBe('/Users/u/Library/Application Support/Kiln');
    expect(defaultDataDir('win32', { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'C:\\Users\\u')).toMatch(/Roaming[\\/]Kiln$/);
  });
});
