import type { KilnApi } from '../../../shared/ipc.ts';
import { connectWebKiln, type TransportState, type WebKiln } from './ws-kiln.ts';
import { kilnFromBridge, type KilnBridge } from './electron-kiln.ts';
import { takeWebToken } from './web-token.ts';
import type { TokenProbe } from './ws-kiln.ts';

export { connectWebKiln, type WebKiln, type TransportState } from './ws-kiln.ts';

let installed: Promise<KilnApi> | null = null;
const stateListeners = new Set<(s: TransportState) => void>();

/**
 * Makes `window.kiln` available, whatever the transport: in Electron it wraps the preload's
 * `window.kilnBridge`; in a plain browser (browser mode) it connects the WebSocket transport with the
 * page's token (web-token.ts: taken from `?token=` into sessionStorage and out of the address bar). Rejects with a readable message when the backend cannot be reached.
 */
export function installKiln(): Promise<KilnApi> {
  installed ??= install();
  installed.catch(() => (installed = null));
  return installed;
}

async function install(): Promise<KilnApi> {
  const w = globalThis as unknown as { kiln?: KilnApi; kilnBridge?: KilnBridge };
  if (w.kiln) return w.kiln;
  if (w.kilnBridge) return define(kilnFromBridge(w.kilnBridge));
  const storage = sessionStorageOrNull();
  const token = takeWebToken({ location, history, storage });
  const wsProto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const probe: TokenProbe = async () => {
    try {
      const res = await fetch('/', { method: 'HEAD', cache: 'no-store', headers: token ? { 'X-Kiln-Token': token } : {} });
      // The stored token stays: on reload, the 403 page retries it once and then says "Kiln restarted".
      return res.status === 403 ? 'rejected' : 'accepted';
    } catch {
      return 'unreachable';
    }
  };
  const api: WebKiln = await connectWebKiln({ wsUrl: `${wsProto}//${location.host}/ws`, token, httpBase: '', probe });
  api.onState((s) => stateListeners.forEach((l) => l(s)));
  return define(api);
}

function define(api: KilnApi): KilnApi {
  Object.defineProperty(globalThis, 'kiln', { value: api, writable: false, configurable: false, enumerable: true });
  return api;
}

/** Browser mode only: follow the backend connection (e.g. to show "Reconnecting…"). Electron never drops. */
export function onTransportState(listener: (s: TransportState) => void): () => void {
  stateListeners.add(listener);
  return () => void stateListeners.delete(listener);
}

function sessionStorageOrNull(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null;
  }
}
