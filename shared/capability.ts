import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

// Browser mode's narrow capabilities, derived from the one secret token (docs/DECISIONS.md "Browser
// mode token"). The page holds the token; URLs it puts into the DOM carry only a derived key that
// unlocks one thing: the built assets, or one media file. So "Copy image address" hands out a link to
// that one image, never a key that opens the WebSocket (export, import, settings). Computed the same
// way by the server (Node) and the page (browser), hence pure JS with no Node or WebCrypto (which is
// async, and mediaUrl() is not).

function mac(key: string, message: string, hexChars: number): string {
  return bytesToHex(hmac(sha256, utf8ToBytes(key), utf8ToBytes(message))).slice(0, hexChars);
}

/** A key for one purpose, derived from the browser-mode token; it cannot be turned back into the token. */
export function deriveCapability(token: string, purpose: 'assets' | 'media'): string {
  return mac(token, `kiln-capability:${purpose}`, 32);
}

/**
 * The key's HMAC state, set up once and cloned for each path: a page signs every picture it shows
 * with the same key (and the server checks each request with it), and the key's two blocks were
 * half the hashing of each signature. One entry: each side has one media key.
 */
let keyed: { key: string; mac: ReturnType<typeof hmac.create> } | null = null;

/** The signature that lets `/media/<relPath>` be fetched without the token (128 bits, hex). */
export function mediaSignature(mediaKey: string, relPath: string): string {
  if (keyed?.key !== mediaKey) keyed = { key: mediaKey, mac: hmac.create(sha256, utf8ToBytes(mediaKey)) };
  return bytesToHex(
    keyed.mac
      .clone()
      .update(utf8ToBytes(`kiln-media:${relPath}`))
      .digest(),
  ).slice(0, 32);
}

/** The vault-relative path in the one form both sides sign: segments without empty ones, joined by `/`. */
export function canonicalMediaPath(relPath: string): string {
  return relPath.split('/').filter(Boolean).join('/');
}

/** Where the page keeps its token for reloads: sessionStorage (this tab, this origin only). */
export const WEB_TOKEN_STORAGE_KEY = 'kiln.webToken';
/** Set by the 403 page before its one retry with the stored token; the page clears it once it loaded. */
export const WEB_TOKEN_RETRY_KEY = 'kiln.webToken.retried';
