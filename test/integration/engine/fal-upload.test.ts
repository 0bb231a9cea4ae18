import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { call, until } from './harness.ts';
import { MULTIPART_THRESHOLD, PART_BYTES } from '../../../electron/backend/providers/fal/storage.ts';
import { setupFal, type FalHarness } from './fal-harness.ts';

// A local input file for a fal run (issue 12: "Storage upload for local input files"): staged in the
// vault, then at submit the engine hands it to Provider.upload — fal storage initiate, PUT of the
// bytes to the upload URL, the file URL in the job's input. End to end through the engine against
// the fal simulator over real HTTP: the simulator holds the very bytes, the job got the URL.

let h: FalHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const ESRGAN = 'fal-ai/esrgan';

/** A PNG of random pixels: noise does not compress, so its size follows its width × height. */
async function noisePng(width: number, height: number): Promise<Uint8Array> {
  return new Uint8Array(
    await sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
      .png()
      .toBuffer(),
  );
}

describe('engine on fal: local input files', () => {
  it('a staged file above the data-URI size is uploaded to fal storage and the job input carries its URL', async () => {
    h = await setupFal({ scenario: { endpoints: { [ESRGAN]: { startupMs: 100, runMs: 200 } } } });
    // Noise does not compress: a 400 px PNG of it is well over dataUriMaxBytes (16 KiB), so it is uploaded, not inlined.
    const bytes = await noisePng(400, 400);
    expect(bytes.byteLength).toBeGreaterThan(256 * 1024);
    const staged = await h.backend.services.vault.stageInput('photo.png', 'image/png', bytes);
    const { ids } = await call(h.backend, 'predictions:create', { model: `fal:${ESRGAN}`, input: { image_url: staged.ref, scale: 2 } });
    const id = ids[0] as string;
    const history = h.backend.services.history;
    await until(() => history.get(id)!.status === 'succeeded', 20_000, `succeeded (now ${JSON.stringify(history.get(id))})`);
    // The job's input as fal recorded it (request history with payloads, the key's own view).
    const res = await fetch(`${h.sim.apiUrl}/models/requests/by-endpoint?endpoint_id=${encodeURIComponent(ESRGAN)}&expand=payloads`, {
      headers: { Authorization: `Key ${h.sim.key}` },
    });
    const items = ((await res.json()) as { items: { request_id: string; json_input: { image_url: string } }[] }).items;
    const job = items.find((i) => i.request_id === history.get(id)!.providerId);
    expect(job, 'the job is in fal request history').toBeTruthy();
    const url = job!.json_input.image_url;
    expect(url.startsWith(`${h.sim.cdnUrl}/`)).toBe(true); // a storage file URL, not a data URI or a kiln-file ref
    // The simulator's CDN serves exactly the bytes Kiln staged.
    const served = new Uint8Array(await (await fetch(url)).arrayBuffer());
    expect(served.byteLength).toBe(bytes.byteLength);
    expect(Buffer.from(served).equals(Buffer.from(bytes))).toBe(true);
    const counters = h.sim.control.counters();
    expect(counters.authOnMedia).toBe(0); // the PUT to the upload URL carried no key
    // The record keeps the vault ref (a retry uploads the kept copy again), never the remote URL.
    expect(history.get(id)!.input.image_url).toBe(staged.ref);
    expect(counters.byEndpoint['upload.put']).toBe(1);
  });

  it('a picture of some 100 KB is uploaded, not inlined: an inline file rides along in every answer about its run', async () => {
    h = await setupFal({ scenario: { endpoints: { [ESRGAN]: { startupMs: 100, runMs: 200 } } } });
    const bytes = await noisePng(190, 180);
    expect(bytes.byteLength).toBeGreaterThan(90 * 1024);
    expect(bytes.byteLength).toBeLessThan(256 * 1024);
    const staged = await h.backend.services.vault.stageInput('photo.png', 'image/png', bytes);
    const { ids } = await call(h.backend, 'predictions:create', { model: `fal:${ESRGAN}`, input: { image_url: staged.ref } });
    const history = h.backend.services.history;
    await until(() => history.get(ids[0])!.status === 'succeeded', 20_000, 'succeeded');
    expect(h.sim.control.counters().byEndpoint['upload.put']).toBe(1);
  });

  it('a batch of runs on one picture uploads it once; another picture gets its own upload', async () => {
    h = await setupFal({ scenario: { endpoints: { [ESRGAN]: { startupMs: 100, runMs: 200 } } } });
    const photo = await h.backend.services.vault.stageInput('photo.png', 'image/png', await noisePng(400, 400));
    const other = await h.backend.services.vault.stageInput('other.png', 'image/png', await noisePng(400, 400));
    const members = [1, 2, 3, 4].map((scale) => ({ model: `fal:${ESRGAN}`, input: { image_url: photo.ref, scale } }));
    const { ids } = await call(h.backend, 'predictions:createGroup', {
      kind: 'batch',
      members: [...members, { model: `fal:${ESRGAN}`, input: { image_url: other.ref } }],
    });
    const history = h.backend.services.history;
    await until(() => ids.every((id: string) => history.get(id)!.status === 'succeeded'), 30_000, 'all succeeded');
    expect(h.sim.control.counters().byEndpoint['upload.put']).toBe(2);
    const res = await fetch(`${h.sim.apiUrl}/models/requests/by-endpoint?endpoint_id=${encodeURIComponent(ESRGAN)}&expand=payloads`, {
      headers: { Authorization: `Key ${h.sim.key}` },
    });
    const items = ((await res.json()) as { items: { request_id: string; json_input: { image_url: string } }[] }).items;
    const urlOf = (id: string) => items.find((i) => i.request_id === history.get(id)!.providerId)!.json_input.image_url;
    // The four runs on the photo share its one file URL; the other picture has its own.
    expect(new Set(ids.slice(0, 4).map(urlOf)).size).toBe(1);
    expect(urlOf(ids[4])).not.toBe(urlOf(ids[0]));

    // A key saved since: the next run uploads the picture again (the new key may be another account's).
    await call(h.backend, 'secrets:set', { provider: 'fal', key: h.sim.key });
    const again = await call(h.backend, 'predictions:create', { model: `fal:${ESRGAN}`, input: { image_url: photo.ref } });
    await until(() => history.get(again.ids[0])!.status === 'succeeded', 20_000, 'the run after the key');
    expect(h.sim.control.counters().byEndpoint['upload.put']).toBe(3);
  });

  it('a file above the multipart threshold goes up in parts and arrives whole', async () => {
    h = await setupFal({ scenario: { endpoints: { [ESRGAN]: { startupMs: 100, runMs: 200 } } } });
    // A real PNG header (the simulated runner reads the size from it) padded past MULTIPART_THRESHOLD.
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } })
      .png()
      .toBuffer();
    const bytes = new Uint8Array(MULTIPART_THRESHOLD + 3 * 1024 * 1024);
    bytes.set(png, 0);
    for (let i = png.byteLength; i < bytes.byteLength; i += 4096) bytes[i] = (i / 4096) & 0xff;
    const staged = await h.backend.services.vault.stageInput('big.png', 'image/png', bytes);
    const { ids } = await call(h.backend, 'predictions:create', { model: `fal:${ESRGAN}`, input: { image_url: staged.ref } });
    const id = ids[0] as string;
    const history = h.backend.services.history;
    await until(() => history.get(id)!.status === 'succeeded', 120_000, `succeeded (now ${history.get(id)!.status} ${history.get(id)!.note ?? ''})`);
    const n = h.sim.control.counters().byEndpoint;
    expect([n['storage.initiate-multipart'], n['upload.part'], n['upload.complete'], n['upload.put']]).toEqual([
      1,
      Math.ceil(bytes.byteLength / PART_BYTES),
      1,
      undefined,
    ]);
    const res = await fetch(`${h.sim.apiUrl}/models/requests/by-endpoint?endpoint_id=${encodeURIComponent(ESRGAN)}&expand=payloads`, {
      headers: { Authorization: `Key ${h.sim.key}` },
    });
    const url = ((await res.json()) as { items: { json_input: { image_url: string } }[] }).items[0]!.json_input.image_url;
    expect(url.startsWith(`${h.sim.cdnUrl}/`)).toBe(true);
    // The reassembly itself (every part, in order) is checked byte for byte at the client level
    // (test/integration/fal-sim/client-storage-platform.test.ts); reading ~93 MB back here would only cost time.
    // The simulated runner read the PNG header at the start of the reassembled file, so the file starts right.
  }, 180_000);
});
