import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ownProcessDir } from '../../electron/backend/vault/process-dir.ts';
import { tempDir, removeTempDirs } from './history-helpers.ts';
import { decodeDataUri, planOutputs } from '../../electron/backend/vault/outputs.ts';
import { isAllowedDownload, mayCarryToken } from '../../electron/backend/vault/download.ts';
import { derivePrompt, expiresAt } from '../../electron/backend/history/rows.ts';
import { decodeCursor, encodeCursor, ftsQuery } from '../../electron/backend/history/query.ts';

afterAll(removeTempDirs);

const plan = (output: unknown, text: string | null = null) =>
  planOutputs({ output, text }).map((p) => ({ kind: p.kind, url: p.remoteUrl, ext: p.ext, inline: p.inline ? Buffer.from(p.inline).toString() : null }));

describe('output normalisation', () => {
  it('one URL, an array of URLs', () => {
    expect(plan('https://r.delivery/a/out.webp')).toEqual([{ kind: 'image', url: 'https://r.delivery/a/out.webp', ext: '.webp', inline: null }]);
    expect(plan(['https://x/a.png', 'https://x/b.mp4']).map((p) => p.kind)).toEqual(['image', 'video']);
    expect(plan('https://x/noext')[0]).toMatchObject({ kind: 'file', ext: '.bin' });
  });
  it("a data URI's type never makes a path: a hostile subtype is saved as .bin", () => {
    const hostile = `data:x/a${'\\..'.repeat(12)}\\Users\\Public\\Documents\\p.cmd;base64,${Buffer.from('echo hi').toString('base64')}`;
    expect(plan(hostile)).toEqual([{ kind: 'file', url: null, ext: '.bin', inline: 'echo hi' }]);
    expect(plan('data:image/png;base64,AAAA')[0]!.ext).toBe('.png');
    // A stray % in a plain data URI keeps its text; the other outputs are still planned.
    expect(plan(['data:text/plain,100%', 'https://x/a.png']).map((p) => [p.kind, p.inline])).toEqual([
      ['text', '100%'],
      ['image', null],
    ]);
  });
  it('token arrays are joined into one text output', () => {
    expect(plan(['Hel', 'lo', ' world'])).toEqual([{ kind: 'text', url: null, ext: '.txt', inline: 'Hello world' }]);
    expect(plan('plain answer')[0]).toMatchObject({ kind: 'text', inline: 'plain answer' });
    // A chunk that is a link on its own is still part of the answer: one text, nothing downloaded.
    expect(plan(['Read ', 'https://x/docs', ' first.'])).toEqual([{ kind: 'text', url: null, ext: '.txt', inline: 'Read https://x/docs first.' }]);
    expect(plan('https://x/docs says so')).toEqual([{ kind: 'text', url: null, ext: '.txt', inline: 'https://x/docs says so' }]);
  });
  it('fal outputs: the files nested in images[] and video{} are saved beside the JSON', () => {
    const image = plan({
      images: [{ url: 'https://v3.fal.media/files/penguin/a.jpeg', width: 1024, content_type: 'image/jpeg' }],
      seed: 42,
      has_nsfw_concepts: [false],
    });
    expect(image.map((x) => [x.kind, x.url])).toEqual([
      ['json', null],
      ['image', 'https://v3.fal.media/files/penguin/a.jpeg'],
    ]);
    const video = plan({ video: { url: 'https://v3.fal.media/files/rabbit/b.mp4', content_type: 'video/mp4' } });
    expect(video.map((x) => [x.kind, x.url])).toEqual([
      ['json', null],
      ['video', 'https://v3.fal.media/files/rabbit/b.mp4'],
    ]);
  });

  it('objects become JSON plus any URLs inside', () => {
    const p = plan({ mask: 'https://x/m.png', score: 0.5 });
    expect(p.map((x) => x.kind)).toEqual(['json', 'image']);
    expect(JSON.parse(p[0]!.inline!)).toEqual({ mask: 'https://x/m.png', score: 0.5 });
  });
  it("fal's result objects: the JSON, then every file named in nested {url} objects", () => {
    const p = plan({
      images: [{ url: 'https://v3.fal.media/files/penguin/a.jpeg', width: 8, content_type: 'image/jpeg' }, { url: 'https://v3.fal.media/files/penguin/b.png' }],
      seed: 42,
      prompt: 'a fox',
    });
    expect(p.map((x) => [x.kind, x.url])).toEqual([
      ['json', null],
      ['image', 'https://v3.fal.media/files/penguin/a.jpeg'],
      ['image', 'https://v3.fal.media/files/penguin/b.png'],
    ]);
    expect(plan({ video: { url: 'https://v3.fal.media/files/x/clip.mp4' } }).map((x) => x.kind)).toEqual(['json', 'video']);
  });
  it("an input the answer echoes is not an output: under a key named `input`, or equal to one of the run's own inputs", () => {
    // andreasjansson/clip-features answers each input beside its embedding.
    const clip = [{ input: 'https://example.com/cat.jpg', embedding: [0.1, 0.2] }];
    expect(plan(clip).map((x) => [x.kind, x.url])).toEqual([['json', null]]);
    expect(JSON.parse(plan(clip)[0]!.inline!)).toEqual(clip[0]);
    // Anything under `input`, however deep.
    expect(plan({ input: { image: { url: 'https://x/in.png' } }, images: [{ url: 'https://x/out.png' }] }).map((x) => x.url)).toEqual([
      null,
      'https://x/out.png',
    ]);
    // A value the user sent, under another name.
    const withInput = (output: unknown, input: Record<string, unknown>) => planOutputs({ output, text: null, input }).map((p) => p.remoteUrl);
    expect(withInput({ source: 'https://x/in.jpg', mask: 'https://x/m.png' }, { image: 'https://x/in.jpg', prompt: 'a cat' })).toEqual([
      null,
      'https://x/m.png',
    ]);
    expect(withInput({ images: [{ url: 'https://x/a.png' }, { url: 'https://x/b.png' }] }, { image_urls: ['https://x/b.png'] })).toEqual([
      null,
      'https://x/a.png',
    ]);
    // The whole answer is never dropped for equalling an input: there is nothing else to keep of it.
    expect(withInput('https://x/in.jpg', { image: 'https://x/in.jpg' })).toEqual(['https://x/in.jpg']);
  });

  it("a transcript's files come with it (openai/whisper): the text, the answer as JSON, its .txt and .srt; an answer that is a link is never fetched", () => {
    const whisper = {
      transcription: ' Hello there.',
      segments: [{ id: 0, start: 0, end: 2.5, text: ' Hello there.' }],
      txt_file: 'https://replicate.delivery/x/transcription.txt',
      srt_file: 'https://replicate.delivery/x/transcription.srt',
    };
    expect(plan(whisper).map((x) => [x.kind, x.url])).toEqual([
      ['text', null],
      ['json', null],
      ['text', 'https://replicate.delivery/x/transcription.txt'],
      ['file', 'https://replicate.delivery/x/transcription.srt'],
    ]);
    // A language model's answer that is one link: words to show, not a file to save.
    expect(plan({ output: 'https://fal.ai', partial: false }).map((x) => [x.kind, x.url])).toEqual([
      ['text', null],
      ['json', null],
    ]);
  });

  it("fal's sync_mode: a data: URI is saved as its file, and the JSON names that file instead of holding the bytes again", () => {
    const bytes = Buffer.alloc(3000, 7);
    const uri = `data:image/png;base64,${bytes.toString('base64')}`;
    const p = planOutputs({ output: { images: [{ url: uri, width: 8, height: 8, content_type: 'image/png' }], seed: 1 }, text: null });
    expect(p.map((x) => [x.kind, x.ext])).toEqual([
      ['json', '.json'],
      ['image', '.png'],
    ]);
    expect(Buffer.from(p[1]!.inline!).equals(bytes)).toBe(true);
    const json = JSON.parse(Buffer.from(p[0]!.inline!).toString());
    expect(json).toEqual({
      images: [{ url: 'data:image/png;base64,… (saved as out-1.png, 2.9 KB)', width: 8, height: 8, content_type: 'image/png' }],
      seed: 1,
    });
    // Each object of an array answer likewise; a data URI under `input` is not saved, so it stays.
    const q = plan([{ input: 'data:text/plain,hi', mask: uri }]);
    expect(q.map((x) => x.kind)).toEqual(['json', 'image']);
    expect(JSON.parse(q[0]!.inline!)).toEqual({ input: 'data:text/plain,hi', mask: 'data:image/png;base64,… (saved as out-1.png, 2.9 KB)' });
  });

  it('file names: extensions up to 16 letters or digits, else the `file_name` beside the URL, else the stated type', () => {
    // fal's LoRA trainers.
    const lora = plan({
      diffusers_lora_file: {
        url: 'https://v3.fal.media/files/x/pytorch_lora_weights.safetensors',
        file_name: 'pytorch_lora_weights.safetensors',
        content_type: 'application/octet-stream',
      },
      config_file: { url: 'https://v3.fal.media/files/x/config.json', content_type: 'application/octet-stream', file_name: 'config.json' },
    });
    expect(lora.map((x) => [x.kind, x.ext])).toEqual([
      ['json', '.json'],
      ['file', '.safetensors'],
      ['json', '.json'],
    ]);
    expect(plan('https://x/model-q4_k_m.gguf')[0]).toMatchObject({ kind: 'file', ext: '.gguf' });
    // No extension in the URL: the file_name's, then the content type's.
    expect(
      plan({ model_mesh: { url: 'https://v3.fal.media/files/x/abcdef', file_name: 'model.glb', content_type: 'application/octet-stream' } })[1],
    ).toMatchObject({
      ext: '.glb',
    });
    expect(plan({ image: { url: 'https://v3.fal.media/files/x/abcdef', file_name: 'noext', content_type: 'image/webp' } })[1]).toMatchObject({
      kind: 'image',
      ext: '.webp',
    });
    // The URL's own extension comes first; a file_name that is a path or a program is judged when saved (safeExt).
    expect(plan({ f: { url: 'https://x/a.png', file_name: 'b.jpg' } })[1]).toMatchObject({ ext: '.png' });
    expect(plan({ f: { url: 'https://x/abc', file_name: '../../x/evil.exe' } })[1]).toMatchObject({ ext: '.exe', kind: 'file' });
  });

  it('no output but streamed text falls back to the text; nothing at all is nothing', () => {
    expect(plan(null, 'streamed')).toEqual([{ kind: 'text', url: null, ext: '.txt', inline: 'streamed' }]);
    expect(plan(null)).toEqual([]);
  });
  it('data: URIs are decoded inline', () => {
    expect(decodeDataUri('data:text/plain;base64,aGk=')).toEqual({ mime: 'text/plain', bytes: new Uint8Array([104, 105]) });
    expect(plan('data:image/png;base64,iVBORw0KGgo=')[0]).toMatchObject({ kind: 'image', ext: '.png', url: null });
  });
});

describe('download policy', () => {
  it('https anywhere, http only from the provider origin', () => {
    expect(isAllowedDownload('https://replicate.delivery/x.png', 'https://api.replicate.com/v1')).toBe(true);
    expect(isAllowedDownload('http://127.0.0.1:5000/delivery/x.png', 'http://127.0.0.1:5000/v1')).toBe(true);
    expect(isAllowedDownload('http://127.0.0.1:5001/x.png', 'http://127.0.0.1:5000/v1')).toBe(false);
    expect(isAllowedDownload('http://evil.example/x.png', 'https://api.replicate.com/v1')).toBe(false);
    expect(isAllowedDownload('file:///etc/passwd', 'https://api.replicate.com/v1')).toBe(false);
    expect(isAllowedDownload('not a url', 'https://api.replicate.com/v1')).toBe(false);
  });
  it("the token goes only to the provider's API origin or Replicate's own API hosts, never to a file host", () => {
    const api = 'https://api.replicate.com/v1';
    expect(mayCarryToken('https://replicate.delivery/xezq/a/out.png', api)).toBe(false);
    expect(mayCarryToken('https://pbxt.replicate.delivery/a/out.png', api)).toBe(false);
    expect(mayCarryToken('https://api.replicate.com/v1/files/x', api)).toBe(true);
    expect(mayCarryToken('https://evilreplicate.delivery/a.png', api)).toBe(false);
    expect(mayCarryToken('https://replicate.delivery.evil.com/a.png', api)).toBe(false);
    expect(mayCarryToken('http://replicate.delivery/a.png', api)).toBe(false);
    expect(mayCarryToken('https://cdn.example.com/a.png', api)).toBe(false);
  });
});

describe('history pure rules', () => {
  it('prompt derivation', () => {
    expect(derivePrompt({ prompt: 'p', text: 't' })).toBe('p');
    expect(derivePrompt({ text: 't' })).toBe('t');
    expect(derivePrompt({ image: 'https://x/y.png', style: 'noir' })).toBe('noir');
    expect(derivePrompt({ steps: 4 })).toBeNull();
  });
  it('expiry from provider creation (else local) + 1 h while not saved', () => {
    const base = { status: 'succeeded', createdAt: 1000, providerCreatedAt: null };
    expect(expiresAt({ ...base, saveState: 'saving' })).toBe(1000 + 3600_000);
    expect(expiresAt({ ...base, providerCreatedAt: 2000, saveState: 'save-failed' })).toBe(2000 + 3600_000);
    expect(expiresAt({ ...base, saveState: 'saved' })).toBeNull();
    expect(expiresAt({ ...base, saveState: 'expired' })).toBeNull();
    expect(expiresAt({ ...base, status: 'failed', saveState: 'none' })).toBeNull();
  });
  it('FTS query quoting and cursors', () => {
    expect(ftsQuery('  red "cat" ')).toBe('"red" """cat"""*');
    expect(ftsQuery('   ')).toBeNull();
    expect(decodeCursor(encodeCursor(1_700_000_000_123, 99))).toEqual({ createdAt: 1_700_000_000_123, seq: 99 });
    expect(decodeCursor('garbage!')).toBeNull();
  });
});

describe('per-process scratch folders (app and CLI share a data dir)', () => {
  it("removes dead processes' folders, keeps live ones, and empties its own", () => {
    const base = tempDir('kiln-procdir-');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    for (const name of [dead, String(process.ppid), String(process.pid), 'junk']) {
      fs.mkdirSync(path.join(base, name));
      fs.writeFileSync(path.join(base, name, 'f'), 'x');
    }
    const own = ownProcessDir(base);
    expect(own).toBe(path.join(base, String(process.pid)));
    expect(fs.readdirSync(own)).toEqual([]);
    expect(fs.readdirSync(base).sort()).toEqual([String(process.pid), String(process.ppid)].sort());
    expect(fs.existsSync(path.join(base, String(process.ppid), 'f'))).toBe(true);
  });
});
