// One poster frame from a video file, decoded by the page's own media stack (Chromium and Electron
// decode H.264, VP9 and AV1; the backend has no decoder): a detached <video> seeks to ~10% of the
// length (the very first frame is often a black fade-in), the frame is drawn on a canvas no larger
// than the gallery's thumbnails, and handed back as a JPEG. The element is emptied afterwards so
// its decoder is released at once, not when the garbage collector gets to it.

/** Longest side of the frame sent to the backend, like the vault's image thumbnails. */
export const POSTER_SIDE = 512;
/** A file that has not produced a frame by then is given up (until the next start of the app). */
const FRAME_TIMEOUT_MS = 20_000;

function waitFor(v: HTMLVideoElement, event: 'loadeddata' | 'seeked'): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (fn: () => void) => {
      clearTimeout(timer);
      v.removeEventListener(event, ok);
      v.removeEventListener('error', bad);
      fn();
    };
    const ok = () => done(resolve);
    const bad = () => done(() => reject(new Error(`the video could not be decoded (${v.error?.message || `media error ${v.error?.code ?? '?'}`})`)));
    const timer = setTimeout(() => done(() => reject(new Error(`no frame after ${FRAME_TIMEOUT_MS / 1000} s`))), FRAME_TIMEOUT_MS);
    v.addEventListener(event, ok);
    v.addEventListener('error', bad);
  });
}

export async function grabFrame(src: string): Promise<Blob> {
  const v = document.createElement('video');
  v.muted = true;
  v.playsInline = true;
  v.preload = 'auto';
  // A frame from another origin taints the canvas and cannot be read back: ask for CORS then
  // (Electron's kiln-media:// scheme); browser mode serves /media from the page's own origin.
  if (new URL(src, location.href).origin !== location.origin) v.crossOrigin = 'anonymous';
  try {
    const loaded = waitFor(v, 'loadeddata');
    v.src = src;
    await loaded;
    const d = v.duration;
    if (Number.isFinite(d) && d > 0) {
      const seeked = waitFor(v, 'seeked');
      v.currentTime = d * 0.1;
      await seeked;
    }
    const w = v.videoWidth;
    const h = v.videoHeight;
    if (!w || !h) throw new Error('the file has no picture');
    const scale = Math.min(1, POSTER_SIDE / Math.max(w, h));
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(w * scale));
    canvas.height = Math.max(1, Math.round(h * scale));
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2D canvas');
    ctx.drawImage(v, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise<Blob | null>((r) => canvas.toBlob(r, 'image/jpeg', 0.82));
    if (!blob) throw new Error('the frame could not be encoded');
    return blob;
  } finally {
    v.removeAttribute('src');
    v.load();
  }
}

export async function blobToBase64(b: Blob): Promise<string> {
  const bytes = new Uint8Array(await b.arrayBuffer());
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
