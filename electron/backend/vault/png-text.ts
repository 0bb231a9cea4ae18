import { crc32 } from 'node:zlib';

// PNG text chunks (PNG spec §11.3.4). Written by hand on purpose: the npm options either re-encode
// the whole image (sharp's withMetadata only writes EXIF/XMP, not arbitrary tEXt keys) or decode
// every chunk into memory (png-chunks-*), while all we need is to splice a few chunks in after
// IHDR. A chunk is length + type + data + CRC32, and zlib.crc32 is built into Node.

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Signature (8) + IHDR chunk (4 length + 4 type + 13 data + 4 crc). */
export const PNG_HEADER_BYTES = 33;

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * One chunk per entry: tEXt when key and value are plain Latin-1 (what most viewers show),
 * otherwise iTXt (UTF-8, uncompressed). Keys are 1–79 Latin-1 characters per the spec.
 */
export function textChunks(entries: Record<string, string>): Buffer {
  const out: Buffer[] = [];
  for (const [key, value] of Object.entries(entries)) {
    if (!/^[\x20-\x7e]{1,79}$/.test(key)) throw new Error(`invalid PNG text key: ${key}`);
    const latin1 = /^[\x20-\x7e\n]*$/.test(value);
    if (latin1) {
      out.push(chunk('tEXt', Buffer.concat([Buffer.from(key, 'latin1'), Buffer.from([0]), Buffer.from(value, 'latin1')])));
    } else {
      // keyword \0 compression-flag(0) compression-method(0) language-tag \0 translated-keyword \0 text
      out.push(chunk('iTXt', Buffer.concat([Buffer.from(key, 'latin1'), Buffer.from([0, 0, 0, 0, 0]), Buffer.from(value, 'utf8')])));
    }
  }
  return Buffer.concat(out);
}

/** True when the buffer starts with the PNG signature followed by a 13-byte IHDR chunk. */
export function hasStandardHeader(head: Buffer): boolean {
  return (
    head.length >= PNG_HEADER_BYTES && head.subarray(0, 8).equals(PNG_SIGNATURE) && head.readUInt32BE(8) === 13 && head.toString('latin1', 12, 16) === 'IHDR'
  );
}

/** In-memory form (tests, small files): inserts the chunks right after IHDR. */
export function insertTextChunks(png: Buffer, entries: Record<string, string>): Buffer {
  if (!hasStandardHeader(png)) throw new Error('not a PNG');
  return Buffer.concat([png.subarray(0, PNG_HEADER_BYTES), textChunks(entries), png.subarray(PNG_HEADER_BYTES)]);
}

/** Reads every tEXt/iTXt chunk back (and checks CRCs). */
export function readTextChunks(png: Buffer): Record<string, string> {
  if (!png.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG');
  const out: Record<string, string> = {};
  let off = 8;
  while (off + 12 <= png.length) {
    const len = png.readUInt32BE(off);
    const type = png.toString('latin1', off + 4, off + 8);
    const data = png.subarray(off + 8, off + 8 + len);
    const crc = png.readUInt32BE(off + 8 + len);
    if (crc32(png.subarray(off + 4, off + 8 + len)) >>> 0 !== crc) throw new Error(`bad CRC in ${type} chunk`);
    if (type === 'tEXt') {
      const z = data.indexOf(0);
      out[data.toString('latin1', 0, z)] = data.toString('latin1', z + 1);
    } else if (type === 'iTXt') {
      const z = data.indexOf(0);
      const key = data.toString('latin1', 0, z);
      const compressed = data[z + 1];
      const langEnd = data.indexOf(0, z + 3);
      const transEnd = data.indexOf(0, langEnd + 1);
      if (compressed === 0) out[key] = data.toString('utf8', transEnd + 1);
    }
    if (type === 'IEND') break;
    off += 12 + len;
  }
  return out;
}
