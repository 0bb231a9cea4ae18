import { windowApi } from '../../api.ts';

// Staging a file for an input (`format: uri`): it is copied into the vault through `files:stage`
// and the returned ref goes into the input, so retries work later even if the original file moves.
// Previews come from object URLs of the local file, kept per ref. Apart from FileInput so the chain
// (features/chain) can stage an output without a cycle through the component.
export const previews = new Map<string, { url: string; name: string; type: string }>();

const MAX_BYTES = 100 * 1024 * 1024;

async function toBase64(file: File): Promise<string> {
  const buf = new Uint8Array(await file.arrayBuffer());
  let bin = '';
  for (let i = 0; i < buf.length; i += 0x8000) bin += String.fromCharCode(...buf.subarray(i, i + 0x8000));
  return btoa(bin);
}

export async function stageFile(file: File): Promise<string> {
  if (file.size > MAX_BYTES) throw new Error(`${file.name} is larger than 100 MB`);
  const res = await windowApi().invoke('files:stage', {
    name: file.name || 'pasted',
    mime: file.type || 'application/octet-stream',
    dataBase64: await toBase64(file),
  });
  previews.set(res.ref, { url: URL.createObjectURL(file), name: file.name || 'pasted image', type: file.type });
  return res.ref;
}
