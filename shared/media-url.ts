// kiln-media://vault/<encoded vault-relative path> — the one URL shape for media in Electron. The
// preload builds it and the protocol handler parses it; both use these two functions so they cannot
// disagree. The host is a fixed word because standard schemes lowercase the host part.

export const MEDIA_SCHEME = 'kiln-media';
const HOST = 'vault';

export function mediaUrlFor(relPath: string): string {
  return `${MEDIA_SCHEME}://${HOST}/${relPath.split('/').filter(Boolean).map(encodeURIComponent).join('/')}`;
}

/** The vault-relative path a kiln-media URL asks for, or null when the URL is not one of ours. */
export function relPathFromMediaUrl(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${MEDIA_SCHEME}:` || u.host !== HOST) return null;
  try {
    // Decoded here; the vault's media handler then refuses anything outside the vault.
    return decodeURIComponent(u.pathname.replace(/^\/+/, ''));
  } catch {
    return null;
  }
}
