import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { ALL_FORMATS, BufferSource, Input } from 'mediabunny';
import { readMp4Tags, writeMp4WithTags } from '../../electron/backend/vault/mp4-meta.ts';
import { mp4Tags } from '../../electron/backend/vault/mp4-tags.ts';
import { removeTempDirs, tempDir } from './history-helpers.ts';

afterAll(removeTempDirs);

// A real H.264 + AAC MP4 (the simulators' committed sample), remuxed by mediabunny with tags.
const SAMPLE = new URL('../replicate-sim/fixtures/sample.mp4', import.meta.url);

const entries = {
  Software: 'Kiln',
  provider: 'fal',
  model: 'fal-ai/kling-video',
  version: '',
  prediction_id: 'req-1',
  kiln_id: 'k-1',
  seed: '42',
  input: JSON.stringify({ prompt: 'a kiln at dusk, ☀', seed: 42 }),
};

async function packetCount(bytes: Buffer): Promise<number[]> {
  const input = new Input({ source: new BufferSource(bytes), formats: ALL_FORMATS });
  const { EncodedPacketSink } = await import('mediabunny');
  const counts: number[] = [];
  for (const t of await input.getTracks()) {
    let n = 0;
    for await (const p of new EncodedPacketSink(t).packets()) n += p.byteLength > 0 ? 1 : 0;
    counts.push(n);
  }
  input.dispose();
  return counts;
}

describe('MP4 metadata (mediabunny remux, tracks copied)', () => {
  it('writes prompt, model, seed and the whole metadata JSON into moov/udta/meta and reads them back', async () => {
    const dir = tempDir('kiln-mp4-');
    const dest = path.join(dir, 'out.mp4');
    const r = await writeMp4WithTags(SAMPLE.pathname, dest, '.mp4', mp4Tags(entries, '2026-11-30T10:00:00.000Z'));
    expect('sha256' in r).toBe(true);
    if (!('sha256' in r)) return;
    expect(r.size).toBe(fs.statSync(dest).size);
    expect(fs.statSync(dest).mode & 0o777).toBe(0o600);
    const tags = await readMp4Tags(dest);
    expect(tags.title).toBe('a kiln at dusk, ☀');
    expect(tags.description).toBe('fal:fal-ai/kling-video');
    expect(JSON.parse(tags.comment!)).toEqual({ ...entries, created: '2026-11-30T10:00:00.000Z' });
    expect(tags.date?.toISOString().slice(0, 10)).toBe('2026-11-30'); // ©day holds the day
    expect(tags.raw?.['©too']).toBe('Kiln');
    const bytes = fs.readFileSync(dest);
    expect(bytes.includes(Buffer.from('udta'))).toBe(true);
    expect(bytes.includes(Buffer.from('ilst'))).toBe(true);
    // Same tracks, same number of packets: copied, not re-encoded.
    expect(await packetCount(bytes)).toEqual(await packetCount(fs.readFileSync(SAMPLE)));
  });

  it('a file that is not a readable MP4 is refused with a reason and nothing is left at dest', async () => {
    const dir = tempDir('kiln-mp4-');
    const src = path.join(dir, 'fake.mp4');
    fs.writeFileSync(src, Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.alloc(4096, 7)]));
    const dest = path.join(dir, 'out.mp4');
    const r = await writeMp4WithTags(src, dest, '.mp4', mp4Tags(entries, '2026-11-30T10:00:00.000Z'));
    expect('why' in r && r.why.length > 0).toBe(true);
    expect(fs.existsSync(dest)).toBe(false);
  });
});
