import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { createBackend, type Backend } from '../../../electron/backend/index.ts';
import { systemClock, type BackendDeps } from '../../../electron/backend/types.ts';
import { DEFAULT_SETTINGS, type Settings } from '../../../shared/domain/settings.ts';
import { silentLog } from '../engine/harness.ts';
import { tempDir, removeTempDirs } from '../../unit/history-helpers.ts';

afterAll(removeTempDirs);

// The vault judges each run's downloads by the run's own provider (net/trust.ts ProviderNetTrust,
// built per provider in the backend's composition). A hostile "fal" host on 127.0.0.1 serves media
// under /cdn (fal's CDN: never the key), asks for a key, and redirects downloads elsewhere; a second
// host stands in for anything else. Whatever they do, the fal key reaches only fal's API bases, the
// Replicate token only Replicate's, and a host outside the configured origins is never contacted.

const FAL_KEY = 'fal-key-id:fal-key-secret-0123456789';
const REPLICATE_TOKEN = 'r8_replicate_token_abcdef';

let png: Buffer;
let falHost: http.Server; // the configured fal bases' origin: /queue, /api/v1, /rest, and /cdn media
let other: http.Server; // not configured for anything: must never be contacted
let replicateHost: http.Server; // the configured Replicate base's origin
let fal = '';
let otherOrigin = '';
let replicate = '';
/** Every request each host saw, with the Authorization header it carried. */
const seen: { host: string; url: string; auth: string | null }[] = [];

function server(
  name: string,
  route: (url: string, auth: string | null, send: (status: number, body?: Buffer | string, headers?: Record<string, string>) => void) => void,
): http.Server {
  return http.createServer((req, res) => {
    const auth = req.headers.authorization ?? null;
    seen.push({ host: name, url: req.url ?? '', auth });
    route(req.url ?? '', auth, (status, body = '', headers = {}) => {
      res.writeHead(status, { 'content-type': status === 200 ? 'image/png' : 'text/plain', 'content-length': String(Buffer.byteLength(body)), ...headers });
      res.end(body);
    });
  });
}

async function listen(s: http.Server): Promise<string> {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  png = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#cc6633' } })
    .png()
    .toBuffer();
  // A host that wants a key answers 401 without it, and the file with any key at all: a leak shows
  // as a saved file and an Authorization header in `seen`.
  const wantsKey = (auth: string | null, send: (s: number, b?: Buffer | string) => void) => (auth ? send(200, png) : send(401, 'key please'));
  other = server('other', (_url, auth, send) => wantsKey(auth, send));
  otherOrigin = await listen(other);
  falHost = server('fal', (url, auth, send) => {
    if (url === '/cdn/ok.png') return send(200, png);
    if (url === '/cdn/wants-key.png') return wantsKey(auth, send);
    if (url === '/queue/files/wants-key.png') return wantsKey(auth, send);
    if (url === '/cdn/to-other.png') return send(302, '', { location: `${otherOrigin}/x.png` });
    if (url === '/cdn/to-replicate.png') return send(302, '', { location: `${replicate}/v1/files/wants-key.png` });
    send(404, 'no');
  });
  fal = await listen(falHost);
  replicateHost = server('replicate', (url, auth, send) => {
    if (url === '/v1/files/wants-key.png') return wantsKey(auth, send);
    if (url === '/delivery/to-fal-api.png') return send(302, '', { location: `${fal}/queue/files/wants-key.png` });
    send(404, 'no');
  });
  replicate = await listen(replicateHost);
});
afterAll(async () => {
  for (const s of [falHost, other, replicateHost]) await new Promise<void>((r) => s.close(() => r()));
});

let backend: Backend;
beforeEach(async (ctx) => {
  seen.length = 0;
  let settings: Settings = { ...DEFAULT_SETTINGS };
  const deps: BackendDeps = {
    dataDir: tempDir('kiln-vault-trust-'),
    fetch: globalThis.fetch,
    clock: systemClock,
    secrets: { get: async (p) => (p === 'fal' ? FAL_KEY : REPLICATE_TOKEN), set: async () => {}, clear: async () => {}, protection: () => 'env' },
    settings: { get: () => settings, set: (p) => (settings = { ...settings, ...p }) },
    log: silentLog,
    mode: 'memory',
    replicateBaseUrl: `${replicate}/v1`,
    falBases: { queueUrl: `${fal}/queue`, apiUrl: `${fal}/api/v1`, storageUrl: `${fal}/rest` },
    engineOptions: { resumeOnStart: false },
  };
  backend = await createBackend(deps);
  ctx.onTestFinished(() => backend.stop());
});

let n = 0;
async function save(provider: 'fal' | 'replicate', url: string) {
  const { history, vault } = backend.services;
  const id = `t${++n}`;
  history.insertIntent({ id, provider, model: provider === 'fal' ? 'fal-ai/flux/dev' : 'owner/model', version: null, target: 'model', input: { prompt: id } });
  await vault.saveOutputs(history.update(id, { status: 'succeeded', providerId: `p-${id}`, output: [url] }));
  return history.getOutputs(id)[0]!;
}

const keysSeen = () => seen.filter((s) => s.auth !== null);

describe("a fal run's downloads", () => {
  it('are served by the configured fal origin (the simulator over http) without any key', async () => {
    const o = await save('fal', `${fal}/cdn/ok.png`);
    expect(o).toMatchObject({ state: 'saved', kind: 'image' });
    expect(keysSeen()).toEqual([]);
  });

  it('a CDN URL that asks for a key gets none: the fal key never goes to the media host', async () => {
    const o = await save('fal', `${fal}/cdn/wants-key.png`);
    expect(o.state).not.toBe('saved');
    expect(seen.filter((s) => s.url === '/cdn/wants-key.png').length).toBeGreaterThan(0);
    expect(keysSeen()).toEqual([]);
  });

  it("a URL under fal's API base that asks gets the fal key as `Key …`, never the Replicate token", async () => {
    const o = await save('fal', `${fal}/queue/files/wants-key.png`);
    expect(o.state).toBe('saved');
    expect(keysSeen().map((s) => s.auth)).toEqual([`Key ${FAL_KEY}`]);
  });

  it('a redirect to another host is not followed: that host is never contacted, no key leaks', async () => {
    const o = await save('fal', `${fal}/cdn/to-other.png`);
    expect(o.state).not.toBe('saved');
    expect(o.error).toMatch(/disallowed origin/);
    expect(seen.filter((s) => s.host === 'other')).toEqual([]);
    expect(keysSeen()).toEqual([]);
  });

  it("a redirect to Replicate's origin gets neither key there (it is not this run's provider)", async () => {
    const o = await save('fal', `${fal}/cdn/to-replicate.png`);
    expect(o.state).not.toBe('saved');
    expect(seen.filter((s) => s.host === 'replicate')).toEqual([]);
    expect(keysSeen()).toEqual([]);
  });
});

describe("a Replicate run's downloads", () => {
  it('its own origin that asks gets the Replicate token as Bearer', async () => {
    const o = await save('replicate', `${replicate}/v1/files/wants-key.png`);
    expect(o.state).toBe('saved');
    expect(keysSeen().map((s) => s.auth)).toEqual([`Bearer ${REPLICATE_TOKEN}`]);
  });

  it("a redirect onto fal's API origin is not followed: the fal key and the token stay home", async () => {
    const o = await save('replicate', `${replicate}/delivery/to-fal-api.png`);
    expect(o.state).not.toBe('saved');
    expect(seen.filter((s) => s.host === 'fal')).toEqual([]);
    expect(keysSeen()).toEqual([]);
  });
});
