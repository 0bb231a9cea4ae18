import { describe, expect, it } from 'vitest';
import {
  falKeyTrust,
  falNetTrust,
  mayReceiveKey,
  mayReceiveUpload,
  mayServeDownload,
  privateAddressBehind,
  replicateKeyTrust,
  replicateNetTrust,
} from '../../electron/backend/net/trust.ts';
import { mayCarryToken } from '../../electron/backend/vault/download.ts';
import { nodeResolveHost } from '../../electron/backend/net/resolve.ts';

// The one URL-trust policy (electron/backend/net/trust.ts) as tables: who may receive a key, who may
// serve a download. The vault's download path and (after the engine reshape) both providers use it.

describe('which URLs may receive the Replicate key', () => {
  const api = 'https://api.replicate.com/v1';
  it.each([
    ['https://api.replicate.com/v1/predictions?cursor=x', true],
    ['https://stream.replicate.com/v1/files/abc', true],
    // A file host: never the key (ARCHITECTURE.md, "Security"), though it may serve the download.
    ['https://replicate.delivery/xezq/a/out.png', false],
    ['https://pbxt.replicate.delivery/a/out.png', false],
    ['https://REPLICATE.delivery/a.png', false],
    ['http://replicate.delivery/a.png', false],
    ['http://stream.replicate.com/v1/files/abc', false],
    ['https://evilreplicate.delivery/a.png', false],
    ['https://replicate.delivery.evil.com/a.png', false],
    ['https://user:pw@replicate.delivery/a.png', false],
    ['https://user:pw@api.replicate.com/v1/predictions', false],
    ['https://cdn.example.com/a.png', false],
    ['not a url', false],
  ])('%s → %s', (url, ok) => {
    expect(mayReceiveKey(url, replicateKeyTrust(api))).toBe(ok);
  });

  it('the configured base origin may (the simulator on loopback over http), a neighbouring port may not', () => {
    const sim = replicateKeyTrust('http://127.0.0.1:5000/v1');
    expect(mayReceiveKey('http://127.0.0.1:5000/v1/predictions', sim)).toBe(true);
    expect(mayReceiveKey('http://127.0.0.1:5000/stream/abc', sim)).toBe(true);
    expect(mayReceiveKey('http://127.0.0.1:5001/v1/predictions', sim)).toBe(false);
  });

  it("the vault's 401 path uses the same rule (Replicate's API host may; its file host and a URL with credentials may not)", () => {
    expect(mayCarryToken('https://api.replicate.com/v1/files/abc', api)).toBe(true);
    expect(mayCarryToken('https://replicate.delivery/a.png', api)).toBe(false);
    expect(mayCarryToken('https://user:pw@api.replicate.com/v1/files/abc', api)).toBe(false);
  });
});

describe('which URLs may receive the fal key (its API bases only, never the media CDN)', () => {
  const fal = falKeyTrust(['https://queue.fal.run', 'https://api.fal.ai/v1', 'https://rest.fal.ai']);
  it.each([
    ['https://queue.fal.run/fal-ai/flux/dev/requests/r1/status', true],
    ['https://api.fal.ai/v1/models?q=flux', true],
    ['https://api.fal.ai/v1', true],
    ['https://api.fal.ai/v2/models', false],
    ['https://api.fal.ai/v1x/models', false],
    ['https://rest.fal.ai/storage/upload/initiate', true],
    ['https://v3.fal.media/files/penguin/out.png', false],
    ['https://fal.media/files/out.png', false],
    ['https://fal.run/fal-ai/flux/dev', false],
    ['http://queue.fal.run/fal-ai/flux/dev', false],
    ['https://k:s@queue.fal.run/fal-ai/flux/dev', false],
    ['https://queue.fal.run.evil.com/x', false],
  ])('%s → %s', (url, ok) => {
    expect(mayReceiveKey(url, fal)).toBe(ok);
  });

  it('a simulator base with a path prefix keeps the key under that prefix', () => {
    const sim = falKeyTrust(['http://127.0.0.1:6000/queue', 'http://127.0.0.1:6000/api/v1']);
    expect(mayReceiveKey('http://127.0.0.1:6000/queue/fal-ai/x/requests/1', sim)).toBe(true);
    expect(mayReceiveKey('http://127.0.0.1:6000/media/out.png', sim)).toBe(false);
  });
});

describe('which URLs may serve a download', () => {
  const bases = ['https://api.replicate.com/v1'];
  it.each([
    ['https://replicate.delivery/x/out.png', true],
    ['https://v3.fal.media/files/out.png', true],
    ['https://cdn.example.com/a.webp', true],
    ['http://cdn.example.com/a.webp', false],
    ['https://169.254.169.254/latest/meta-data/', false],
    ['https://127.0.0.1:8443/x.png', false],
    ['https://10.1.2.3/x.png', false],
    ['https://100.64.0.1/x.png', false],
    ['https://172.16.0.1/x.png', false],
    ['https://192.168.1.1/x.png', false],
    ['https://[::1]/x.png', false],
    ['https://[fe80::1]/x.png', false],
    ['https://[fd00::1]/x.png', false],
    ['https://[::ffff:169.254.169.254]/x.png', false],
    ['https://[::ffff:127.0.0.1]/x.png', false],
    ['https://93.184.216.34/x.png', true],
    ['https://[::ffff:93.184.216.34]/x.png', true],
    ['https://[2606:2800:220:1::1]/x.png', true],
    ['https://198.18.0.1/x.png', false],
    ['https://224.0.0.1/x.png', false],
    ['https://255.255.255.255/x.png', false],
    ['https://[ff02::1]/x.png', false],
    ['https://localhost/x.png', false],
    ['https://a.localhost/x.png', false],
    ['https://localhost./x.png', false],
    ['https://A.LocalHost./x.png', false],
    ['file:///etc/passwd', false],
    ['not a url', false],
  ])('%s → %s', (url, ok) => {
    expect(mayServeDownload(url, bases)).toBe(ok);
  });

  it('any configured base origin may serve, even on loopback (simulators); others on loopback may not', () => {
    const sims = ['http://127.0.0.1:5000/v1', 'http://127.0.0.1:6000/queue'];
    expect(mayServeDownload('http://127.0.0.1:5000/files/x.png', sims)).toBe(true);
    expect(mayServeDownload('http://127.0.0.1:6000/media/x.png', sims)).toBe(true);
    expect(mayServeDownload('http://127.0.0.1:5001/files/x.png', sims)).toBe(false);
  });
});

describe('upload targets fal names (no key goes with them, same rule as downloads)', () => {
  const bases = ['http://127.0.0.1:6000/rest'];
  it.each([
    ['https://v3.fal.media/files/upload/abc', true],
    ['http://127.0.0.1:6000/cdn/upload/abc', true],
    ['http://v3.fal.media/files/upload/abc', false],
    ['https://169.254.169.254/latest/meta-data/', false],
    ['https://192.168.1.1/upload', false],
    ['http://127.0.0.1:6001/upload', false],
    ['https://u:p@v3.fal.media/files/upload', false],
  ])('%s → %s', (url, ok) => {
    expect(mayReceiveUpload(url, bases)).toBe(ok);
  });
});

describe("each provider's network trust (what the vault gets per run)", () => {
  it("fal: `Key …` only under its API bases; its media CDN and Replicate's hosts never", async () => {
    const t = falNetTrust(['https://queue.fal.run', 'https://api.fal.ai/v1', 'https://rest.fal.ai'], async () => 'id:secret');
    expect(await t.authorization()).toBe('Key id:secret');
    expect(mayReceiveKey('https://queue.fal.run/fal-ai/flux/dev/requests/1', t.key)).toBe(true);
    expect(mayReceiveKey('https://v3.fal.media/files/a.png', t.key)).toBe(false);
    expect(mayReceiveKey('https://replicate.delivery/a.png', t.key)).toBe(false);
    expect(await falNetTrust([], async () => null).authorization()).toBeNull();
  });

  it("Replicate: `Bearer …` to its own API hosts; never its file host, never fal's", async () => {
    const t = replicateNetTrust('https://api.replicate.com/v1', async () => 'r8_x');
    expect(await t.authorization()).toBe('Bearer r8_x');
    expect(mayReceiveKey('https://api.replicate.com/v1/files/abc', t.key)).toBe(true);
    expect(mayReceiveKey('https://replicate.delivery/a.png', t.key)).toBe(false);
    expect(mayReceiveKey('https://queue.fal.run/x', t.key)).toBe(false);
    expect(await replicateNetTrust('https://api.replicate.com/v1', async () => null).authorization()).toBeNull();
  });

  it('a download URL with credentials in it is refused even on a configured origin', () => {
    expect(mayServeDownload('http://u:p@127.0.0.1:5000/files/x.png', ['http://127.0.0.1:5000/v1'])).toBe(false);
  });
});

describe('a download host name is judged by where it leads (privateAddressBehind)', () => {
  const names: Record<string, string[]> = { 'cdn.example.com': ['93.184.216.34'], 'mixed.example.com': ['93.184.216.34', '::ffff:10.0.0.1'] };
  const resolve = async (h: string) => names[h] ?? [];
  it.each([
    ['https://cdn.example.com/a.png', null],
    ['https://mixed.example.com/a.png', '::ffff:10.0.0.1'],
    // Literals are mayServeDownload's; configured origins are trusted as they are.
    ['https://10.0.0.1/a.png', null],
    ['http://sim.test:5000/files/a.png', null],
  ])('%s → %s', async (url, want) => {
    expect(await privateAddressBehind(url, ['http://sim.test:5000/v1'], resolve)).toBe(want);
  });

  it('with the system resolver: a name /etc/hosts points at this machine is refused, an unknown one is an error, not a pass', async () => {
    const resolveHost = nodeResolveHost(5_000);
    expect(await privateAddressBehind('https://localhost/x.png', [], resolveHost)).toMatch(/^(127\.0\.0\.1|::1)$/);
    await expect(privateAddressBehind('https://no-such-host.invalid/x.png', [], resolveHost)).rejects.toThrow();
  });
});
