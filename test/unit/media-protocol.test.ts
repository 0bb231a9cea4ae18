import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mediaUrlFor, relPathFromMediaUrl } from '../../shared/media-url.ts';
import { handleMediaRequest } from '../../electron/backend/vault/media-handler.ts';

// The kiln-media:// URL shape shared by the preload (builds it) and the protocol handler (parses
// it, then hands the path to the vault's pure media handler).
describe('kiln-media URLs', () => {
  it('round-trips vault-relative paths, including spaces and unicode', () => {
    for (const p of ['outputs/2026/abc.png', 'outputs/a b/ç #?.webp', 'thumbs/x.jpg']) {
      const url = mediaUrlFor(p);
      expect(url.startsWith('kiln-media://vault/')).toBe(true);
      expect(new URL(url).pathname).not.toMatch(/[ #?]/);
      expect(relPathFromMediaUrl(url)).toBe(p);
    }
  });

  it('rejects URLs that are not ours', () => {
    expect(relPathFromMediaUrl('https://vault/x.png')).toBe(null);
    expect(relPathFromMediaUrl('kiln-media://other/x.png')).toBe(null);
    expect(relPathFromMediaUrl('kiln-media://vault/%E0%A4%A')).toBe(null);
    expect(relPathFromMediaUrl('garbage')).toBe(null);
  });

  describe('through the vault media handler', () => {
    let root: string;
    beforeAll(() => {
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-mp-'));
      fs.mkdirSync(path.join(root, 'vault', 'outputs'), { recursive: true });
      fs.writeFileSync(path.join(root, 'vault', 'outputs', 'a b.txt'), 'hello vault');
      fs.writeFileSync(path.join(root, 'secret.txt'), 'outside');
    });
    afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

    it('serves a vault file and refuses an encoded escape', async () => {
      const ok = await handleMediaRequest(path.join(root, 'vault'), relPathFromMediaUrl(mediaUrlFor('outputs/a b.txt'))!);
      expect(ok.status).toBe(200);
      const chunks: Buffer[] = [];
      if (ok.body && !(ok.body instanceof Uint8Array)) for await (const c of ok.body) chunks.push(Buffer.from(c as Uint8Array));
      else if (ok.body) chunks.push(Buffer.from(ok.body));
      expect(Buffer.concat(chunks).toString()).toBe('hello vault');
      // A path crafted to climb out: the URL parser normalises plain `..`, the encoded form reaches the handler.
      const rel = relPathFromMediaUrl('kiln-media://vault/..%2Fsecret.txt');
      expect(rel).toBe('../secret.txt');
      const bad = await handleMediaRequest(path.join(root, 'vault'), rel!);
      expect([403, 404]).toContain(bad.status);
    });
  });
});
