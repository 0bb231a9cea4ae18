import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { EVENT_NAMES, INVOKE_CHANNELS, overMessageLimit, tooLargeError, type Envelope } from '../../shared/ipc.ts';
import { mediaUrlFor } from '../../shared/media-url.ts';

// The Electron transport's page side (docs/ARCHITECTURE.md, "The contract and its transports"), built from the contract's channel lists so the
// renderer can reach exactly the contract's channels — never raw ipcRenderer. Bundled to one CJS
// file (out/preload/index.cjs): sandboxed preloads cannot load ESM or other modules.
//
// It exposes envelopes, not a ready KilnApi: contextBridge copies only `message` of a thrown Error,
// so a KilnError's `code`/`fields` would be lost. renderer/src/platform/electron-kiln.ts turns this
// bridge into `window.kiln` inside the page, throwing real KilnErrors.

export interface KilnBridge {
  invoke(channel: string, req: unknown): Promise<Envelope<unknown>>;
  on(event: string, listener: (payload: unknown) => void): () => void;
  mediaUrl(path: string): string;
}

const invokeAllowed = new Set<string>(INVOKE_CHANNELS);
const eventAllowed = new Set<string>(EVENT_NAMES);

const bridge: KilnBridge = {
  async invoke(channel, req) {
    if (!invokeAllowed.has(channel)) return { ok: false, error: { code: 'unknown_channel', message: `Unknown channel: ${String(channel)}` } };
    // Refused here, in the page's process, before Electron copies it to the main process (docs/ARCHITECTURE.md, "The contract and its transports").
    if (overMessageLimit(channel, req)) return { ok: false, error: tooLargeError(channel) };
    return (await ipcRenderer.invoke(channel, req)) as Envelope<unknown>;
  },
  on(event, listener) {
    if (!eventAllowed.has(event)) throw new Error(`Unknown event: ${String(event)}`);
    // The IPC event object (with its sender) must not leak into the page.
    const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(event, wrapped);
    return () => void ipcRenderer.removeListener(event, wrapped);
  },
  mediaUrl: (p) => mediaUrlFor(p),
};

contextBridge.exposeInMainWorld('kilnBridge', bridge);
