import { protocol } from 'electron';
import { Readable } from 'node:stream';
import { handleMediaRequest } from '../../backend/vault/media-handler.ts';
import { MEDIA_SCHEME, relPathFromMediaUrl } from '../../../shared/media-url.ts';

/**
 * Must run before app ready: lets <img>/<video> stream from kiln-media:// with Range support.
 * `corsEnabled` + the header below let the page read a video's pixels (poster frames are drawn
 * on a canvas, features/poster/): kiln-media:// is another origin than the page's file://.
 * Only this app's own windows can reach the scheme (navigation and window.open are denied).
 */
export function registerMediaScheme() {
  protocol.registerSchemesAsPrivileged([
    { scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, corsEnabled: true } },
  ]);
}

const CORS = { 'Access-Control-Allow-Origin': '*' };

// kiln-media:// served by the vault's pure handler (ARCHITECTURE.md, "Storage"), the same one browser mode's /media uses.
export function handleMediaProtocol(vaultRoot: () => string) {
  protocol.handle(MEDIA_SCHEME, async (req) => {
    const rel = relPathFromMediaUrl(req.url);
    if (rel === null) return new Response('Not found', { status: 404, headers: CORS });
    const range = req.headers.get('range') ?? undefined;
    const out = await handleMediaRequest(vaultRoot(), rel, range ? { range } : {});
    const body = out.body === null ? null : out.body instanceof Readable ? (Readable.toWeb(out.body) as ReadableStream) : out.body;
    const headers = { ...out.headers, ...CORS };
    return new Response(body as ConstructorParameters<typeof Response>[0], { status: out.status, headers });
  });
}
