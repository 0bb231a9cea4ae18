import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REDACTED, redact, redactString } from '../../electron/backend/log/redact.ts';
import { createFileLogger } from '../../electron/backend/log/logger.ts';

const TOKEN = 'r8_Zx81kLmN0pQrStUvWxYz0123456789AbCdEf';

describe('redaction', () => {
  it('removes Replicate tokens wherever they appear in a string', () => {
    expect(redactString(`key=${TOKEN} end`)).toBe(`key=${REDACTED} end`);
    expect(redactString(`"${TOKEN}"`)).not.toContain('r8_Zx81');
  });

  it('removes a known secret even when it does not look like a token', () => {
    expect(redactString('custom-secret-value in text', ['custom-secret-value'])).toBe(`${REDACTED} in text`);
    // Too short to be a key: not treated as one (would erase ordinary words).
    expect(redactString('the cat', ['cat'])).toBe('the cat');
  });

  it('removes Authorization schemes and secret-named fields, deeply', () => {
    const out = redact({
      headers: { Authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      nested: [{ apiKey: 'whatever-value' }, { message: `failed with Token abcdefghijk` }],
      status: 401,
      token: '',
    }) as any;
    expect(out.headers.Authorization).toBe(REDACTED);
    expect(out.headers['content-type']).toBe('application/json');
    expect(out.nested[0].apiKey).toBe(REDACTED);
    expect(out.nested[1].message).toBe(`failed with Token ${REDACTED}`);
    expect(out.status).toBe(401);
    expect(JSON.stringify(out)).not.toContain(TOKEN);
  });

  it('handles errors, Headers, cycles and depth without throwing', () => {
    const cyc: any = { a: 1 };
    cyc.self = cyc;
    expect(() => redact(cyc)).not.toThrow();
    expect(redact(new Error(`boom ${TOKEN}`))).toBe(`Error: boom ${REDACTED}`);
    const h = redact(new Headers({ authorization: `Bearer ${TOKEN}` })) as Record<string, string>;
    expect(h.authorization).toBe(REDACTED);
  });
});

describe('file logger', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('writes JSON lines to the log dir, echoes warn+ to stderr, and never writes a secret', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-log-'));
    dirs.push(dir);
    const err: string[] = [];
    const log = createFileLogger({
      dir: path.join(dir, 'logs'),
      knownSecrets: () => ['my-custom-key-1234'],
      stderr: (l) => err.push(l),
      now: () => Date.UTC(2026, 0, 2),
    });
    log.debug('dropped at info level');
    log.info('saved', { key: 'my-custom-key-1234', note: 'with my-custom-key-1234 inside' });
    log.warn(`request failed for ${TOKEN}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const file = path.join(dir, 'logs', 'kiln-2026-01-02.jsonl');
    const lines = fs
      .readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.msg)).toEqual(['saved', `request failed for ${REDACTED}`]);
    expect(lines[0]).toMatchObject({ level: 'info', key: REDACTED, note: `with ${REDACTED} inside` });
    const all = fs.readFileSync(file, 'utf8') + err.join('\n');
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain('my-custom-key-1234');
    expect(err).toHaveLength(1);
    expect(err[0]).toContain('warn');
  });

  it('makes its folder owner-only (0700), like the rest of the data folder', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-log-'));
    dirs.push(dir);
    const log = createFileLogger({ dir: path.join(dir, 'logs'), knownSecrets: () => [], stderr: () => {} });
    log.info('first line');
    expect(fs.statSync(path.join(dir, 'logs')).mode & 0o777).toBe(0o700);
  });
});

describe('environment overrides outside Electron (node-deps.ts)', () => {
  it('a base URL variable set but empty means the default, not a broken URL', async () => {
    const { createNodeDeps } = await import('../../electron/backend/node-deps.ts');
    const { silentLogger } = await import('../../electron/backend/log/logger.ts');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-env-'));
    const deps = createNodeDeps({
      dataDir: dir,
      mode: 'memory',
      log: silentLogger,
      env: { KILN_REPLICATE_BASE_URL: '', KILN_FAL_QUEUE_URL: '', KILN_FAL_API_URL: '', KILN_FAL_STORAGE_URL: '' },
    });
    expect(deps.replicateBaseUrl).toBeUndefined();
    expect(deps.falBases).toEqual({ queueUrl: undefined, apiUrl: undefined, storageUrl: undefined });
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
