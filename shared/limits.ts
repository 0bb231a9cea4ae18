// The one home of Kiln's size bounds (ARCHITECTURE.md, "Security" "Bounded everything"). Every module that refuses
// something too large imports its number from here, and every refusal names the limit it hit, so a
// user reading the error knows what to change. Pure data: no Node, no DOM.

const KB = 1024;
const MB = 1024 * KB;
const GB = 1024 * MB;

export const LIMITS = {
  /** One run's input as JSON (prompt and every other field, file references not their bytes). */
  runInputBytes: 1 * MB,
  /** One text field of a run's input (a prompt); the run's total is runInputBytes. */
  promptChars: 200_000,
  /** One IPC / WebSocket message, refused before it is parsed. files:stage carries base64 of a file. */
  ipcMessageBytes: 200 * MB,
  /**
   * What one browser-mode message may parse into (`shared/json-shape.ts`). The largest real request,
   * a fan-out's estimate of 1,000 members, holds some 5,000 objects and arrays.
   */
  ipcMessageShape: { containers: 100_000, depth: 64 },
  /** An ordinary IPC request (everything but file staging). */
  ipcRequestBytes: 2 * MB,
  /** A WebSocket connection's unsent bytes before Kiln stops reading that client's requests. */
  wsSendBufferBytes: 16 * MB,
  /** Logs kept per run (the tail is kept: the end of a log explains a failure). */
  runLogChars: 256 * KB,
  /** Streamed or final text kept per run. */
  runTextChars: 8 * MB,
  /** One provider API response body (JSON); outputs are downloaded separately, by kind. */
  apiResponseBytes: 32 * MB,
  /**
   * What one API response may parse into (`shared/json-shape.ts`): ~25 MB of heap at most. A list
   * page of 100 runs holds some 2,000 objects and arrays, a model's OpenAPI schema a few thousand.
   */
  apiResponseShape: { containers: 250_000, depth: 256 },
  /** One model version's kept schema (models:get answer) in the data folder, and how many are kept. */
  modelSchemaBytes: 4 * MB,
  modelSchemasKept: 500,
  /** Error text kept from a provider (a failed run's message). */
  errorTextChars: 16 * KB,
  /** Default download caps per kind of output (Settings can raise them). */
  download: {
    image: 200 * MB,
    text: 200 * MB,
    audio: 1 * GB,
    video: 4 * GB,
    other: 1 * GB,
  },
  /**
   * Runs in one group (a batch or a compare, ARCHITECTURE.md, "Workflows"), after `{a|b}` alternatives, seed sweeps
   * and grids are expanded: each is a paid run, so a typo like `{1..100000}` stops here, not at the bill.
   */
  groupMembers: 200,
  /**
   * Runs priced together by one `cost:estimate` (a fan-out, or "Retry selected" over a selection):
   * more than a group, since a selection can span groups; each member is a model and its input, so
   * the message stays within the IPC bound.
   */
  estimateMembers: 1000,
  /** A prompt list or CSV opened for a batch. */
  batchFileBytes: 1 * MB,
  /** `{a|{b|c}}` nesting depth in one prompt. */
  alternativesDepth: 8,
  /**
   * A video poster frame the renderer decoded and sends over `media:poster` (a ≤512 px JPEG/WebP is
   * some tens of KB); it is re-encoded as the output's thumbnail.
   */
  posterBytes: 1 * MB,
  /**
   * Memory one thumbnail may decode into (`vault/thumbs.ts`). A picture whose format is decoded whole
   * before it is shrunk (GIF, AVIF, interlaced PNG, progressive JPEG) is refused a thumbnail past it:
   * a few hundred bytes of AVIF can claim 8000×8000 and take 1.3 GB of the main process.
   */
  thumbDecodeBytes: 128 * MB,
  /**
   * The largest picture (width × height) a gallery card decodes whole when it has no thumbnail: the
   * page decodes to 4 bytes a pixel, so this is thumbDecodeBytes' worth. Past it the card says "Too
   * large to preview" instead of holding hundreds of MB for a few hundred pixels on screen.
   */
  previewPixels: 32_000_000,
  /** Archive import (zip or folder). */
  archive: {
    entries: 100_000,
    totalBytes: 20 * GB,
    /** Uncompressed / compressed for one zip entry: beyond this it is a zip bomb, not media. */
    ratio: 200,
    manifestBytes: 256 * MB,
    /** What manifest.json may parse into: 100,000 runs of 40 objects and arrays each, ~400 MB of heap at most. */
    manifestShape: { containers: 4_000_000, depth: 256 },
  },
} as const;

export type DownloadKind = keyof typeof LIMITS.download;

/** "200 MB", "4 GB": how limits are named in errors. */
export function formatBytes(n: number): string {
  if (n >= GB) return `${+(n / GB).toFixed(1)} GB`;
  if (n >= MB) return `${+(n / MB).toFixed(1)} MB`;
  if (n >= KB) return `${+(n / KB).toFixed(1)} KB`;
  return `${n} bytes`;
}

/** The most groups one predictions:groupProgress call may ask for (the stacks on screen). */
export const GROUP_PROGRESS_MAX = 50;

/** The most runs one history page may carry: bounds what a list reply can hold (the gallery asks for 200). */
export const LIST_PAGE_MAX = 200;
