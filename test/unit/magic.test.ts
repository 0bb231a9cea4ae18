import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { checkMagic } from '../../electron/backend/vault/magic.ts';
import { tempDir, removeTempDirs } from './history-helpers.ts';

afterAll(removeTempDirs);

const dir = tempDir('kiln-magic-');
const write = (name: string, data: Buffer | string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, data);
  return p;
};
// Minimal ISO BMFF header: enough for magic-byte detection of an MP4.
const mp4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.from([0, 0, 2, 0]), Buffer.from('isomiso2'), Buffer.alloc(64)]);

describe('magic-byte checks', () => {
  it('accepts a real image and reports its true type even if the name lies', async () => {
    const p = write(
      'x.png',
      await sharp({ create: { width: 4, height: 4, channels: 3, background: '#000' } })
        .webp()
        .toBuffer(),
    );
    expect(await checkMagic(p, 'image')).toEqual({ ok: true, mime: 'image/webp', ext: '.webp' });
  });

  it('rejects an HTML page claimed as an image, and says so', async () => {
    const v = await checkMagic(write('err.png', '<!DOCTYPE html><html><body>Access denied</body></html>'), 'image');
    expect(v.ok).toBe(false);
    expect(!v.ok && v.reason).toMatch(/HTML/);
  });

  it('rejects a video where an image was claimed and accepts it as video', async () => {
    const p = write('v.mp4', mp4);
    expect((await checkMagic(p, 'image')).ok).toBe(false);
    expect(await checkMagic(p, 'video')).toMatchObject({ ok: true, mime: 'video/mp4' });
  });

  it('does not second-guess text and unknown files', async () => {
    expect((await checkMagic(write('t.txt', 'hello'), 'text')).ok).toBe(true);
    expect((await checkMagic(write('f.bin', 'whatever'), 'file')).ok).toBe(true);
  });

  // SVG is text: file-type finds nothing in it, or application/xml after an <?xml?> declaration.
  // Replicate's recraft-v3-svg answers a .svg URL, fal's text-to-vector `content_type: image/svg+xml`.
  describe('SVG, when the claim says SVG', () => {
    const rect = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>';
    it.each([
      ['bare', rect],
      ['after an XML declaration', `<?xml version="1.0" encoding="UTF-8"?>\n${rect}`],
      ['after a BOM and whitespace', `\uFEFF \n\t${rect}`],
      [
        'after comments, a stylesheet instruction and a doctype with an internal subset',
        `<?xml version="1.0"?>\n<!-- Generator: Adobe Illustrator 27.0, <svg> in a comment -->\n<?xml-stylesheet href="a.css"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd" [\n<!ENTITY ns_extend "http://ns.adobe.com/Extensibility/1.0/">\n]>\n${rect}`,
      ],
    ])('is an image (%s)', async (_, text) => {
      const p = write('v.svg', text);
      expect(await checkMagic(p, 'image', { svg: true })).toEqual({ ok: true, mime: 'image/svg+xml', ext: '.svg' });
      // Saved with no type in its name: the stated type makes it a picture.
      expect(await checkMagic(p, 'file', { svg: true })).toEqual({ ok: true, mime: 'image/svg+xml', ext: '.svg' });
    });

    it.each([
      ['an HTML page', '<!DOCTYPE html><html><body><svg xmlns="http://www.w3.org/2000/svg"></svg></body></html>', /HTML/],
      ['HTML with an SVG doctype-less body', '<html><svg xmlns="http://www.w3.org/2000/svg"></svg></html>', /HTML/],
      ['other XML', '<?xml version="1.0"?><rss version="2.0"><channel><svg/></channel></rss>', /no <svg> root/],
      ['an HTML doctype before an svg root', '<!DOCTYPE html>\n<svg xmlns="http://www.w3.org/2000/svg"/>', /HTML/],
      ['a comment that never ends', '<!-- <svg xmlns="http://www.w3.org/2000/svg"/>', /no <svg> root/],
      ['an element merely named svg-something', '<svgx xmlns="http://www.w3.org/2000/svg"/>', /no <svg> root/],
      ['binary after an svg start', Buffer.concat([Buffer.from('<svg '), Buffer.alloc(64, 0)]), /not text/],
    ])('is refused when it is %s', async (_, text, why) => {
      const v = await checkMagic(write('fake.svg', text), 'image', { svg: true });
      expect(v.ok).toBe(false);
      expect(!v.ok && v.reason).toMatch(why);
      expect((await checkMagic(write('fake2.svg', text), 'file', { svg: true })).ok).toBe(false);
    });

    it('is not taken for an image nothing said was SVG', async () => {
      expect((await checkMagic(write('s.png', rect), 'image')).ok).toBe(false);
    });

    it('a real raster behind an SVG claim is what it is', async () => {
      const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#000' } })
        .png()
        .toBuffer();
      expect(await checkMagic(write('r.svg', png), 'image', { svg: true })).toEqual({ ok: true, mime: 'image/png', ext: '.png' });
    });
  });
});
