import { LIMITS, formatBytes } from './limits.ts';
import type { KilnErrorData } from './ipc.ts';

// How big one IPC / WebSocket message may be (ARCHITECTURE.md, "The contract and its transports": every transport refuses an oversize message
// before parsing it). One rule for every transport, so the Electron preload, the Electron main
// process and the browser-mode WebSocket refuse the same sizes with the same words.

/** Whether an already-deserialized payload (Electron IPC) is over its channel's limit; stops early. */
export function overMessageLimit(channel: string, payload: unknown): boolean {
  const limit = messageLimit(channel);
  return approxJsonSize(payload, limit + 1) > limit;
}

/** The largest message a channel may send: files:stage carries a file as base64, nothing else needs to. */
export function messageLimit(channel: string): number {
  return channel === 'files:stage' ? LIMITS.ipcMessageBytes : LIMITS.ipcRequestBytes;
}

/** The error for a message over its channel's limit, naming the limit (`bytes` when it was measured whole). */
export function tooLargeError(channel: string, bytes?: number): KilnErrorData {
  const limit = messageLimit(channel);
  const which = channel === 'files:stage' ? 'ipcMessageBytes' : 'ipcRequestBytes';
  return {
    code: 'too_large',
    message:
      `The request to ${channel.slice(0, 80)} is ${bytes === undefined ? '' : `${formatBytes(bytes)}, `}over Kiln's ${formatBytes(limit)} limit for one message (${which}). ` +
      (channel === 'files:stage' ? 'Use a smaller file.' : 'Shorten the text or attach large content as a file.'),
  };
}

/**
 * An upper-bound estimate of a value's JSON size, for transports that receive already-deserialized
 * values (Electron IPC): walks the value and stops as soon as the running total passes `cap`, so
 * measuring a hostile 1 GB payload costs no more than measuring `cap` bytes of it. Strings count
 * their UTF-16 length (×3 is not needed: the limits are generous and the point is the order of size).
 */
export function approxJsonSize(value: unknown, cap: number): number {
  let total = 0;
  const stack: unknown[] = [value];
  const seen = new Set<object>();
  while (stack.length > 0 && total <= cap) {
    const v = stack.pop();
    if (typeof v === 'string') total += v.length + 2;
    else if (v === null || typeof v !== 'object') total += 8;
    else if (seen.has(v)) total += 8;
    else {
      seen.add(v);
      if (ArrayBuffer.isView(v)) total += v.byteLength;
      else if (Array.isArray(v)) {
        total += 2 + v.length;
        for (const x of v) stack.push(x);
      } else {
        for (const [k, x] of Object.entries(v)) {
          total += k.length + 4;
          stack.push(x);
        }
      }
    }
  }
  return total;
}
