import { describe, expect, it } from 'vitest';
import { downloadCap, downloadKind, GIVE_UP, saveNote } from '../../electron/backend/vault/save-policy.ts';
import { isExecutableExt, safeExt } from '../../electron/backend/vault/mime.ts';
import { isAllowedDownload, isDiskFull } from '../../electron/backend/vault/download.ts';
import { DEFAULT_SETTINGS, Settings, SettingsPatch, downloadLimitBytes } from '../../shared/domain/settings.ts';
import { LIMITS } from '../../shared/limits.ts';

// The vault's pure rules, as tables: which cap applies, what the card says, which names are programs.

const MB = 1024 * 1024;

describe('download caps per kind', () => {
  it('maps output kinds onto the five caps, settings first, LIMITS.download otherwise', () => {
    expect(['image', 'video', 'audio', 'text', 'json', 'file'].map((k) => downloadKind(k as never))).toEqual([
      'image',
      'video',
      'audio',
      'text',
      'text',
      'other',
    ]);
    expect(downloadCap('video', undefined)).toEqual({ bytes: LIMITS.download.video, name: 'the 4 GB limit for videos' });
    expect(downloadCap('image', { image: 5 * MB })).toEqual({ bytes: 5 * MB, name: 'the 5 MB limit for images' });
    expect(downloadCap('file', { image: 5 * MB }).name).toBe('the 1 GB limit for other files');
  });

  it('settings carry them in MB with the design defaults, and older settings files get them', () => {
    expect(DEFAULT_SETTINGS.downloadLimitsMB).toEqual({ image: 200, text: 200, audio: 1024, video: 4096, other: 1024 });
    expect(downloadLimitBytes(DEFAULT_SETTINGS)).toEqual(LIMITS.download);
    expect(Settings.parse({ theme: 'dark' }).downloadLimitsMB.video).toBe(4096);
    expect(SettingsPatch.safeParse({ downloadLimitsMB: { ...DEFAULT_SETTINGS.downloadLimitsMB, video: 0 } }).success).toBe(false);
    expect(SettingsPatch.safeParse({ downloadLimitsMB: { ...DEFAULT_SETTINGS.downloadLimitsMB, video: 16384 } }).success).toBe(true);
  });
});

describe('the card note after a save pass', () => {
  const o = (state: string, failure: string | null = null, error: string | null = null) => ({ state, failure, error }) as never;
  it.each([
    [[o('saved'), o('saved')], null],
    [
      [o('failed', GIVE_UP, 'the output is larger than the 1 MB limit for images (raise it in Settings → Downloads)')],
      'Not saved: the output is larger than the 1 MB limit for images (raise it in Settings → Downloads). Re-download to try again.',
    ],
    [[o('failed', 'disk-full', 'x')], 'Disk full — free space, Kiln will retry'],
    [[o('failed', 'transient', 'HTTP 503 downloading output')], 'Saving failed: HTTP 503 downloading output — Kiln will retry'],
    [[o('expired')], undefined],
    [[], undefined],
  ])('%j → %j', (outputs, note) => {
    expect(saveNote(outputs)).toBe(note);
  });
});

describe('executable names', () => {
  it.each(['.exe', '.BAT', '.cmd', '.com', '.scr', '.msi', '.hta', '.js', '.vbs', '.ps1', '.sh', '.app', '.jar', '.desktop', '.lnk', '.appimage', '.elf'])(
    '%s is saved as .bin',
    (ext) => {
      expect(isExecutableExt(ext)).toBe(true);
      expect(safeExt(ext)).toBe('.bin');
    },
  );
  it.each(['.png', '.jpg', '.webp', '.mp4', '.wav', '.txt', '.json', '.glb', '.zip', '.pdf', '.svg'])('%s is kept', (ext) => {
    expect(safeExt(ext)).toBe(ext);
  });
  it.each(['.chm', '.iso', '.cab', '.html', '.htm', '.mht', '.docm', '.xll', '.macho'])('%s (opened by something that runs it) is saved as .bin', (ext) => {
    expect(safeExt(ext)).toBe('.bin');
  });
  it.each(['.a\\..\\..\\Users\\Public\\p.cmd', '.a/../../p', '.png ', '. png', '.tar.gz', '.muchtoolongforanext', '.', '.p\u0000ng', '.lora_weights'])(
    '%j is no extension at all: .bin',
    (ext) => {
      expect(safeExt(ext)).toBe('.bin');
    },
  );
  // Model files: a LoRA trainer's weights, a quantised model, a checkpoint. Up to 16 letters or digits.
  it.each(['.safetensors', '.gguf', '.ckpt', '.pt', '.onnx', '.ggml', '.mlpackage', '.npz'])('%s (a model file) is kept', (ext) => {
    expect(safeExt(ext)).toBe(ext);
  });
  // Longer names that launch an installer or a program when opened: the longer shape must not let them in.
  it.each(['.application', '.appxbundle', '.msixbundle', '.appinstaller', '.applescript', '.mobileconfig', '.flatpakref', '.APPIMAGE'])(
    '%s (longer than 8, runs when opened) is saved as .bin',
    (ext) => {
      expect(safeExt(ext)).toBe('.bin');
    },
  );
  it('is lowercase', () => {
    expect(safeExt('.PNG')).toBe('.png');
  });
});

describe('disk full', () => {
  it('is recognised from the OS and from SQLite', () => {
    expect(isDiskFull(Object.assign(new Error('no space'), { code: 'ENOSPC' }))).toBe(true);
    expect(isDiskFull(Object.assign(new Error('quota'), { code: 'EDQUOT' }))).toBe(true);
    expect(isDiskFull(Object.assign(new Error('database or disk is full'), { errcode: 13 }))).toBe(true);
    expect(isDiskFull(Object.assign(new Error('busy'), { errcode: 5 }))).toBe(false);
    expect(isDiskFull(new Error('ECONNRESET'))).toBe(false);
  });
});

describe('where outputs may come from (every redirect hop is judged by this too)', () => {
  const api = 'https://api.replicate.com/v1';
  it.each([
    ['https://replicate.delivery/x/out.png', true],
    ['https://cdn.example.com/a.webp', true],
    ['http://cdn.example.com/a.webp', false],
    ['https://169.254.169.254/latest/meta-data/', false],
    ['https://127.0.0.1:8443/x.png', false],
    ['https://10.1.2.3/x.png', false],
    ['https://192.168.1.1/x.png', false],
    ['https://[::1]/x.png', false],
    ['https://[fe80::1]/x.png', false],
    ['https://[::ffff:169.254.169.254]/x.png', false],
    ['https://localhost/x.png', false],
    ['file:///etc/passwd', false],
  ])('%s → %s', (url, ok) => {
    expect(isAllowedDownload(url, api)).toBe(ok);
  });
  it('the configured provider origin is allowed even on loopback (the simulator in tests)', () => {
    expect(isAllowedDownload('http://127.0.0.1:5000/files/x.png', 'http://127.0.0.1:5000/v1')).toBe(true);
    expect(isAllowedDownload('http://127.0.0.1:5001/files/x.png', 'http://127.0.0.1:5000/v1')).toBe(false);
  });
});
