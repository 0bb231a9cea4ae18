import { protocol } from 'electron';
import { Readable } from 'node:stream';
import { handleMediaRequest } from '../../backend/vault/media-handler.ts';
import { MEDIA_SCHEME, relPathFromMediaUrl } from '../../../shared/media-url.ts';

/** Must run before app ready: lets <img>/<video> stream from kiln-media:// with Range support. */
export function registerMediaScheme() {
  protocol.registerSchemesAsPrivileged([{ scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } }]);
}

// kiln-media:// served by the vault's pure handler (ARCHITECTURE.md, "Storage"), the same one browser mode's /media uses.
export function handleMediaProtocol(vaultRoot: () => string) {
  protocol.handle(MEDIA_SCHEME, async (req) => {
    const rel = relPathFromMediaUrl(req.url);
    if (rel === null) return new Response('Not found', { status: 404 });
    const range = req.headers.get('range') ?? undefined;
    const out = await handleMediaRequest(vaultRoot(), rel, range ? { range } : {});
    const body = out.body === null ? null : out.body instanceof Readable ? (Readable.toWeb(out.body) as ReadableStream) : out.body;
    return new Response(body as ConstructorParameters<typeof Response>[0], { status: out.status, headers: out.headers });
  });
}
