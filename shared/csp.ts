// One Content-Security-Policy for both hosts that serve the page (browser mode and Electron).
// Pure string building, so it sits in shared/: hosts do not import each other (docs/ARCHITECTURE.md).

/**
 * The page's CSP, shared by browser mode and Electron: no remote scripts, no eval, and the page may
 * only talk to the sources given (browser mode: its own WebSocket; Electron: nothing, main does
 * the networking). `mediaSchemes` adds e.g. `kiln-media:` for images and video in Electron.
 */
export function contentSecurityPolicy(opts: { connectSrc: string[]; mediaSchemes?: string[] }): string {
  const media = (opts.mediaSchemes ?? []).map((s) => ` ${s}`).join('');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    // Model cover images are remote https thumbnails; outputs come from our own media route/scheme.
    `img-src 'self'${media} data: blob: https:`,
    `media-src 'self'${media} blob:`,
    "font-src 'self' data:",
    `connect-src ${["'self'", ...opts.connectSrc].join(' ')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
