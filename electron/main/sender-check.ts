// Who may call the backend over Electron IPC (ARCHITECTURE.md, "Security"). Pure, so it is unit-tested without
// Electron (test/unit/sender.test.ts). Only our own top frame qualifies: an iframe, a page the
// window was somehow navigated to, or a devtools extension must not reach the API key's owner.

export interface AppOrigin {
  /** file:// URL of out/renderer/index.html in production. */
  indexFileUrl: string;
  /** The Vite dev server origin while developing (KILN_DEV_SERVER_URL), else null. */
  devServerUrl: string | null;
}

export interface SenderInfo {
  /** event.senderFrame?.url — may be missing if the frame navigated or was destroyed. */
  frameUrl: string | null | undefined;
  /** Whether the sending frame is the window's main (top) frame. */
  isTopFrame: boolean;
}

export function isTrustedSender(sender: SenderInfo, app: AppOrigin): boolean {
  if (!sender.isTopFrame || !sender.frameUrl) return false;
  return isAppUrl(sender.frameUrl, app);
}

/** Our page: exactly the built index.html (any query/hash), or anything on the dev server's origin. */
export function isAppUrl(url: string, app: AppOrigin): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol === 'file:') {
    const expected = new URL(app.indexFileUrl);
    return expected.protocol === 'file:' && u.host === expected.host && decodeURIComponent(u.pathname) === decodeURIComponent(expected.pathname);
  }
  if (app.devServerUrl) {
    const dev = new URL(app.devServerUrl);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === dev.origin;
  }
  return false;
}

/** Navigation is refused everywhere except reloading our own page. */
export function isAllowedNavigation(url: string, app: AppOrigin): boolean {
  return isAppUrl(url, app);
}

/** window.open / target=_blank: never a new Electron window; https links go to the system browser. */
export function externalOpenTarget(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

/**
 * Web permissions the page may use. Everything else (camera, microphone, geolocation, notifications
 * from the page, midi, ...) is denied: the app needs none of it. Writing to the clipboard (copy a
 * prompt) and element fullscreen (watch a video output) are harmless and user-initiated.
 */
export function isAllowedPermission(permission: string): boolean {
  return permission === 'clipboard-sanitized-write' || permission === 'fullscreen';
}
