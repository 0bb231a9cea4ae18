import { useEffect } from 'react';
import type { PredictionView } from '../../../../shared/domain/prediction.ts';
import { LIMITS } from '../../../../shared/limits.ts';
import { windowApi, errorMessage } from '../../api.ts';
import { blobToBase64, grabFrame } from './grab-frame.ts';

// Video poster frames (issue 14): a saved video output without a thumbnail gets one, decoded here
// once and kept by the backend (`media:poster`), which then serves it like an image thumbnail —
// so a reload or scrolling back never decodes again. The gallery is virtualised: only cards on
// screen ask, one decode at a time, and each output is tried once per session (a file the page
// cannot decode keeps its ▶ tile rather than being retried on every scroll).

type Output = PredictionView['outputs'][number];

const tried = new Set<string>();
let queue: Promise<void> = Promise.resolve();

export function requestPoster(id: string, out: Output): void {
  if (out.kind !== 'video' || out.state !== 'saved' || !out.path || out.thumbPath) return;
  const key = `${id}:${out.index}`;
  if (tried.has(key)) return;
  tried.add(key);
  const path = out.path;
  queue = queue.then(async () => {
    try {
      const blob = await grabFrame(windowApi().mediaUrl(path));
      if (blob.size > LIMITS.posterBytes) throw new Error(`the frame is larger than posterBytes (${blob.size} bytes)`);
      await windowApi().invoke('media:poster', { id, index: out.index, dataBase64: await blobToBase64(blob) });
    } catch (e) {
      console.warn(`No poster frame for ${key}: ${errorMessage(e)}`);
    }
  });
}

/** Mounted by a gallery card: asks for its video's poster while the card is on screen. */
export function usePosterFrame(id: string, out: Output | null | undefined): void {
  const need = !!out && out.kind === 'video' && out.state === 'saved' && !!out.path && !out.thumbPath;
  useEffect(() => {
    if (need && out) requestPoster(id, out);
  }, [id, need, out]);
}
