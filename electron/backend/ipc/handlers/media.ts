import fs from 'node:fs';
import path from 'node:path';
import { fileTypeFromFile } from 'file-type';
import { KilnError } from '../../../../shared/ipc.ts';
import type { Services } from '../../services.ts';
import type { HandlerMap } from './types.ts';
import type { PlatformAdapter } from '../../types.ts';
import { hasVaultAdmin } from '../../vault/types.ts';
import { NEUTRAL_EXT, isExecutableExt } from '../../vault/mime.ts';
import { pictureSize } from '../../vault/thumbs.ts';
import { LIMITS } from '../../../../shared/limits.ts';

// files:stage, media:* (through the platform adapter) and storage:*.

/** A vault-relative path → an existing absolute file inside the vault, or a typed refusal. */
function vaultFile(s: Services, rel: string): string {
  const abs = s.vault.resolve(rel);
  if (!abs) throw new KilnError({ code: 'forbidden', message: 'That path is outside the media vault.' });
  let real: string;
  try {
    real = fs.realpathSync(abs);
  } catch {
    throw new KilnError({ code: 'not_found', message: 'That file is no longer in the media vault.' });
  }
  const root = fs.realpathSync(s.vault.root);
  if (!real.startsWith(root + '/') && !real.startsWith(root + '\\'))
    throw new KilnError({ code: 'forbidden', message: 'That path is outside the media vault.' });
  return real;
}

function platform(s: Services, what: string): PlatformAdapter {
  if (!s.platform) throw new KilnError({ code: 'not_implemented', message: `${what} is only available in the desktop app.` });
  return s.platform;
}

export const mediaHandlers: HandlerMap = {
  'files:stage': async (req, s) => {
    const bytes = Buffer.from(req.dataBase64, 'base64');
    if (bytes.length === 0) throw new KilnError({ code: 'bad_request', message: 'The file is empty.' });
    const f = await s.vault.stageInput(req.name, req.mime, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
    return { ref: f.ref, path: f.path, size: f.size };
  },

  'media:poster': async (req, s) => {
    if (!hasVaultAdmin(s.vault) || !s.vault.savePoster) throw new KilnError({ code: 'not_implemented', message: 'Poster frames are not available.' });
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(req.dataBase64)) throw new KilnError({ code: 'bad_request', message: 'The poster is not base64.' });
    const bytes = Buffer.from(req.dataBase64, 'base64');
    return s.vault.savePoster(req.id, req.index, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
  },

  'media:reveal': async (req, s) => {
    const file = vaultFile(s, req.path); // the path is judged before anything else
    await platform(s, 'Reveal in folder').reveal(file);
    return { ok: true as const };
  },

  'media:saveAs': async (req, s) => {
    const file = vaultFile(s, req.path);
    const saved = await platform(s, 'Save as…').saveAs(file);
    return { saved: saved !== null, path: saved };
  },

  'media:copyImage': async (req, s) => {
    const file = vaultFile(s, req.path);
    const copy = platform(s, 'Copy image');
    // The clipboard takes the picture decoded, in this process: not one past what a preview may decode.
    const size = await pictureSize(file);
    if (size?.width && size.height && size.width * size.height > LIMITS.previewPixels)
      throw new KilnError({
        code: 'too_large',
        message: `This picture (${size.width}×${size.height}) is too large to copy: copying decodes it whole. Use “Save as…” or “Reveal in folder” instead.`,
      });
    await copy.copyImage(file);
    return { ok: true as const };
  },

  'media:openDefault': async (req, s) => {
    const file = vaultFile(s, req.path);
    // The OS's default app for an executable is the OS running it: refused by name and by content
    // (an older vault may hold .exe files; a .bin is whatever its bytes are).
    const sniffed = await fileTypeFromFile(file).catch(() => undefined);
    const ext = path.extname(file).toLowerCase();
    if (isExecutableExt(ext) || ext === NEUTRAL_EXT || (sniffed && isExecutableExt(`.${sniffed.ext}`))) {
      throw new KilnError({ code: 'forbidden', message: 'Kiln does not open program files. Use “Reveal in folder” if you trust it.' });
    }
    await platform(s, 'Open with the default app').openPath(file);
    return { ok: true as const };
  },

  'storage:usage': async (_req, s) => {
    if (!hasVaultAdmin(s.vault)) throw new KilnError({ code: 'not_implemented', message: 'Storage usage is not available.' });
    return s.vault.usage();
  },

  'storage:clear': async (req, s) => {
    if (!hasVaultAdmin(s.vault)) throw new KilnError({ code: 'not_implemented', message: 'Storage clean-up is not available.' });
    return s.vault.clear(req.what);
  },
};
