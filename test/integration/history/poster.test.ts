import { afterAll, afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { once } from 'node:events';
import sharp from 'sharp';
import { call, setup, until, type Harness } from '../engine/harness.ts';
import { removeTempDirs } from '../../unit/history-helpers.ts';
import { LIMITS } from '../../../shared/limits.ts';
import { invoke } from '../../../shared/ipc.ts';
import { readMp4Tags } from '../../../electron/backend/vault/mp4-meta.ts';
import { handleMediaRequest } from '../../../electron/backend/vault/media-handler.ts';

afterAll(removeTempDirs);

// A video run on the simulator (real HTTP, a real H.264 MP4), saved by the vault: its file carries
// Kiln's metadata, and `media:poster` keeps a renderer-decoded frame as its thumbnail — after
// refusing every hostile payload.

const VIDEO = 'google/veo-3';
const IMAGE = 'black-forest-labs/flux-schnell';
const harnesses: Harness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});

const err = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('expected a failure');
};

async function saved(h: Harness, model: string, prompt: string): Promise<string> {
  const [id] = (await call(h.backend, 'predictions:create', { model, input: { prompt } })).ids as string[];
  await until(() => h.backend.services.history.get(id!)?.saveState === 'saved', 30_000, 'saved');
  return id!;
}

describe('video outputs: MP4 metadata and media:poster', () => {
  it('the saved MP4 carries the run in udta/meta; a valid poster becomes the thumbnail; hostile posters are refused', async () => {
    const h = await setup({ scenario: { models: { [VIDEO]: { coldBootMs: 100, runMs: 200 }, [IMAGE]: { coldBootMs: 100, runMs: 200 } } } });
    harnesses.push(h);
    const id = await saved(h, VIDEO, 'a slow pan over a kiln');
    const v = await call(h.backend, 'predictions:get', { id });
    expect(v.outputs[0]).toMatchObject({ kind: 'video', state: 'saved', thumbPath: null });
    const abs = h.backend.services.vault.resolve(v.outputs[0].path)!;
    const tags = await readMp4Tags(abs);
    expect(tags.title).toBe('a slow pan over a kiln');
    expect(JSON.parse(tags.comment!)).toMatchObject({ provider: 'replicate', model: VIDEO, kiln_id: id });

    const frame = await sharp({ create: { width: 640, height: 360, channels: 3, background: '#884422' } })
      .jpeg()
      .toBuffer();
    const b64 = (b: Buffer) => b.toString('base64');
    // Hostile payloads, each refused with its reason, nothing written.
    const tooBig = Buffer.concat([frame, Buffer.alloc(LIMITS.posterBytes)]);
    expect(invoke['media:poster'].req.safeParse({ id, index: 0, dataBase64: b64(tooBig) }).success).toBe(false); // the contract refuses it before the handler
    expect((await err(call(h.backend, 'media:poster', { id, index: 0, dataBase64: b64(tooBig) }))).code).toBe('bad_request');
    const html = await err(call(h.backend, 'media:poster', { id, index: 0, dataBase64: b64(Buffer.from('<html><script>alert(1)</script></html>')) }));
    expect(html).toMatchObject({ code: 'bad_request', message: expect.stringMatching(/JPEG or WebP/) });
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    expect((await err(call(h.backend, 'media:poster', { id, index: 0, dataBase64: b64(png) }))).message).toMatch(/JPEG or WebP/);
    const truncated = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(200, 1)]);
    expect((await err(call(h.backend, 'media:poster', { id, index: 0, dataBase64: b64(truncated) }))).message).toMatch(/could not be decoded/);
    expect((await err(call(h.backend, 'media:poster', { id: 'no-such-run', index: 0, dataBase64: b64(frame) }))).code).toBe('not_found');
    expect((await err(call(h.backend, 'media:poster', { id, index: 3, dataBase64: b64(frame) }))).code).toBe('not_found');
    expect((await err(call(h.backend, 'media:poster', { id: '../../../history', index: 0, dataBase64: b64(frame) }))).code).toBe('not_found');
    expect((await err(call(h.backend, 'media:poster', { id, index: -1, dataBase64: b64(frame) }))).code).toBe('bad_request');
    expect((await err(call(h.backend, 'media:poster', { id, index: 0, dataBase64: '%%%not base64%%%' }))).code).toBe('bad_request');
    const imageRun = await saved(h, IMAGE, 'a teapot');
    expect((await err(call(h.backend, 'media:poster', { id: imageRun, index: 0, dataBase64: b64(frame) }))).message).toMatch(/only kept for saved video/);
    expect((await call(h.backend, 'predictions:get', { id })).outputs[0].thumbPath).toBeNull();

    // A real frame: re-encoded as a ≤512 px WebP beside the image thumbnails, served like them.
    const r = await call(h.backend, 'media:poster', { id, index: 0, dataBase64: b64(frame) });
    expect(r.thumbPath).toMatch(new RegExp(`^thumbs/\\d{4}/\\d{2}/${id}/out-0\\.webp$`));
    const after = await call(h.backend, 'predictions:get', { id });
    expect(after.outputs[0].thumbPath).toBe(r.thumbPath);
    const thumbAbs = h.backend.services.vault.resolve(r.thumbPath)!;
    expect(fs.statSync(thumbAbs).mode & 0o777).toBe(0o600);
    const meta = await sharp(thumbAbs).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 512, height: 288 });
    const served = await handleMediaRequest(h.backend.services.vault.root, r.thumbPath);
    expect(served.status).toBe(200);
    // The body is a lazily opened file stream: a caller that does not read it closes it, and waits
    // until it is closed — destroy() does not cancel an open already queued on libuv's pool, which
    // could then run after the test's folder is gone and throw from nowhere.
    if (served.body && 'destroy' in served.body) {
      const closed = once(served.body, 'close');
      served.body.destroy();
      await closed;
    }
  });
});
