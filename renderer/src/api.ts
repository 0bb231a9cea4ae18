import type { KilnApi, InvokeChannel, Req, Res } from '../../shared/ipc.ts';

// The only way the renderer talks to the backend. Stores take an `ApiSource` so unit tests can
// hand them a fake KilnApi without a window.
export type ApiSource = () => KilnApi;

export const windowApi: ApiSource = () => {
  const k = (globalThis as { kiln?: KilnApi }).kiln;
  if (!k) throw new Error('window.kiln is not installed');
  return k;
};

/** A short human message for any thrown value, including KilnError from the transports. */
export function errorMessage(e: unknown): string {
  if (e && typeof e === 'object' && 'message' in e && typeof (e as { message: unknown }).message === 'string') {
    const code = (e as { code?: string }).code;
    if (code === 'not_implemented' || code === 'unknown_channel') return `Not available yet: ${(e as Error).message}`;
    return (e as Error).message;
  }
  return String(e);
}

export function errorCode(e: unknown): string | null {
  return e && typeof e === 'object' && 'code' in e && typeof (e as { code: unknown }).code === 'string' ? (e as { code: string }).code : null;
}

export type Invoke = <C extends InvokeChannel>(channel: C, req: Req<C>) => Promise<Res<C>>;
