import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { insertTextChunks, readTextChunks, textChunks } from '../../electron/backend/vault/png-text.ts';

async function png(): Promise<Buffer> {
  return sharp({ create: { width: 8, height: 6, channels: 3, background: { r: 200, g: 10, b: 10 } } })
    .png()
    .toBuffer();
}

describe('PNG text chunks', () => {
  it('round-trips tEXt and iTXt entries and the image still decodes', async () => {
    const src = await png();
    const entries = { provider: 'replicate', model: 'owner/name', seed: '42', input: JSON.stringify({ prompt: 'café ☕ über 🐱' }) };
    const out = insertTextChunks(src, entries);
    expect(readTextChunks(out)).toEqual(entries);
    const meta = await sharp(out).metadata();
    expect([meta.width, meta.height]).toEqual([8, 6]);
    const { data } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
    const { data: orig } = await sharp(src).raw().toBuffer({ resolveWithObject: true });
    expect(data.equals(orig)).toBe(true);
  });

  it('uses tEXt for Latin-1 text and iTXt for anything else', () => {
    const b = textChunks({ a: 'plain', b: 'ünï' });
    expect(b.toString('latin1', 4, 8)).toBe('tEXt');
    const second = 12 + b.readUInt32BE(0);
    expect(b.toString('latin1', second + 4, second + 8)).toBe('iTXt');
  });

  it('writes CRCs a reader verifies (a flipped byte is caught)', async () => {
    const out = insertTextChunks(await png(), { k: 'value' });
    const broken = Buffer.from(out);
    broken[33 + 8 + 3] ^= 0xff; // inside the tEXt data
    expect(() => readTextChunks(broken)).toThrow(/CRC/);
  });

  it('refuses invalid keys and non-PNG input', async () => {
    expect(() => textChunks({ '': 'x' })).toThrow();
    expect(() => textChunks({ ['k'.repeat(80)]: 'x' })).toThrow();
    expect(() => insertTextChunks(Buffer.from('<html>'), { a: 'b' })).toThrow(/not a PNG/);
  });
});
