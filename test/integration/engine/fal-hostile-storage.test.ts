import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { createFalClient } from '../../../electron/backend/providers/fal/client.ts';

// A hostile "fal storage" on 127.0.0.1: its upload initiate names upload URLs that point the user's
// bytes at a private address over https (a local service, cloud metadata) or at another local port.
// The upload target is judged by net/trust.ts (mayReceiveUpload) before any connection is made.

let storage: http.Server;
let victim: net.Server; // any TCP connection here is a contact the policy should have prevented
let victimConnections = 0;
let base = '';
let victimPort = 0;
let uploadUrl = '';
const keyOnUpload: (string | null)[] = [];

beforeAll(async () => {
  victim = net.createServer((s) => {
    victimConnections++;
    s.destroy();
  });
  await new Promise<void>((r) => victim.listen(0, '127.0.0.1', r));
  victimPort = (victim.address() as AddressInfo).port;
  storage = http.createServer((req, res) => {
    if (req.url?.startsWith('/rest/storage/upload/initiate')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ upload_url: uploadUrl, file_url: `${base}/cdn/files/x.png` }));
      return;
    }
    if (req.url?.startsWith('/cdn/upload')) {
      keyOnUpload.push(req.headers.authorization ?? null);
      req.resume();
      req.on('end', () => res.writeHead(200).end());
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => storage.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(storage.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => storage.close(() => r()));
  await new Promise<void>((r) => victim.close(() => r()));
});

const client = () =>
  createFalClient({
    bases: { queueUrl: `${base}/queue`, apiUrl: `${base}/api/v1`, storageUrl: `${base}/rest` },
    fetch: globalThis.fetch,
    getKey: async () => 'kid:ksecret',
    userAgent: 'test',
  });
const bytes = new Uint8Array([1, 2, 3, 4]);

describe('fal upload targets', () => {
  it('an https upload URL on a private address is refused before any connection', async () => {
    uploadUrl = `https://127.0.0.1:${victimPort}/upload/abc`;
    victimConnections = 0;
    await expect(client().upload(bytes, { contentType: 'image/png', fileName: 'a.png' })).rejects.toThrow(/upload URL .* refused/);
    expect(victimConnections).toBe(0);
  });

  it('an http upload URL on another local port is refused before any connection', async () => {
    uploadUrl = `http://127.0.0.1:${victimPort}/upload/abc`;
    victimConnections = 0;
    await expect(client().upload(bytes, { contentType: 'image/png', fileName: 'a.png' })).rejects.toThrow(/refused/);
    expect(victimConnections).toBe(0);
  });

  it('an https upload URL whose host name resolves to a private address is refused before any connection; an unresolved one is a network error', async () => {
    const resolveHost = async (h: string) => {
      if (h === 'upload.evil.test') return ['198.51.100.7', '127.0.0.1'];
      throw new Error(`getaddrinfo ENOTFOUND ${h}`);
    };
    const named = createFalClient({
      bases: { queueUrl: `${base}/queue`, apiUrl: `${base}/api/v1`, storageUrl: `${base}/rest` },
      fetch: globalThis.fetch,
      getKey: async () => 'kid:ksecret',
      userAgent: 'test',
      resolveHost,
    });
    uploadUrl = `https://upload.evil.test:${victimPort}/upload/abc`;
    victimConnections = 0;
    await expect(named.upload(bytes, { contentType: 'image/png', fileName: 'a.png' })).rejects.toThrow(
      /resolves to a private address \(127\.0\.0\.1\): refused/,
    );
    uploadUrl = `https://nowhere.test/upload/abc`;
    await expect(named.upload(bytes, { contentType: 'image/png', fileName: 'a.png' })).rejects.toMatchObject({ code: 'network' });
    expect(victimConnections).toBe(0);
  });

  it("an upload URL on the configured origin (the simulator's CDN) gets the bytes and never the key", async () => {
    uploadUrl = `${base}/cdn/upload/abc`;
    keyOnUpload.length = 0;
    await expect(client().upload(bytes, { contentType: 'image/png', fileName: 'a.png' })).resolves.toBe(`${base}/cdn/files/x.png`);
    expect(keyOnUpload).toEqual([null]);
  });
});
