import type { EventName, EventPayload, KilnApi, WireToClient, WireToServer } from '../../../shared/ipc.ts';
import { KilnError } from '../../../shared/kiln-error.ts';
import { canonicalMediaPath, deriveCapability, mediaSignature } from '../../../shared/capability.ts';

// Browser mode's `window.kiln` (ARCHITECTURE.md, "The contract and its transports", transport 2): the same KilnApi as Electron's preload,
// carried over one WebSocket to the browser-mode server. Reconnects with back-off when the socket
// drops (server restart, laptop sleep); invokes issued while disconnected wait for the next open.
// When Kiln comes back with a different token, reconnecting can never succeed: the state becomes
// 'rejected' and the page says so, instead of "Reconnecting…" forever.

/** `rejected`: the server is up but no longer accepts this page's token (restarted with a new one). */
export type TransportState = 'connecting' | 'open' | 'closed' | 'rejected';

/** What asking the server about our token found: it answers and accepts, refuses it, or does not answer. */
export type TokenProbe = () => Promise<'accepted' | 'rejected' | 'unreachable'>;

export interface WebKilnOptions {
  /** ws://host/ws (the token is appended when known). */
  wsUrl: string;
  token: string | null;
  /** Base for media URLs, e.g. '' for same-origin. */
  httpBase?: string;
  /** Asked after the socket drops, to tell "Kiln is down" from "Kiln restarted with a new token". */
  probe?: TokenProbe;
  /** How long the first connection may take before installKiln gives up with an error. */
  connectTimeoutMs?: number;
  /** How long an invoke may wait for a connection before it fails with code `network`. */
  queueTimeoutMs?: number;
  WebSocketImpl?: typeof WebSocket;
}

export interface WebKiln extends KilnApi {
  state(): TransportState;
  onState(listener: (s: TransportState) => void): () => void;
  close(): void;
}

type Pending = { resolve: (v: unknown) => void; reject: (e: unknown) => void };

/**
 * A media URL that carries a signature for this one file instead of the token (shared/capability.ts):
 * what "Copy image address" hands out opens that image and nothing else.
 */
export function mediaPathUrl(base: string, relPath: string, mediaKey: string | null): string {
  const canonical = canonicalMediaPath(relPath);
  const encoded = canonical.split('/').map(encodeURIComponent).join('/');
  return `${base}/media/${encoded}${mediaKey ? `?sig=${mediaSignature(mediaKey, canonical)}` : ''}`;
}

/**
 * Signed media URLs remembered by path: the signature is a pure-JS HMAC (no WebCrypto on this
 * synchronous path), and a scrolling gallery asks for the same few hundred on every frame — it
 * was ~40 % of a card's render in the gallery bench. The map keeps the most recently asked ones.
 */
const MEDIA_URLS_KEPT = 2000;

function rememberedMediaUrls(base: string, mediaKey: string | null): (relPath: string) => string {
  const urls = new Map<string, string>();
  return (relPath) => {
    const hit = urls.get(relPath);
    if (hit !== undefined) {
      urls.delete(relPath);
      urls.set(relPath, hit); // most recent last; the oldest goes first
      return hit;
    }
    const url = mediaPathUrl(base, relPath, mediaKey);
    urls.set(relPath, url);
    if (urls.size > MEDIA_URLS_KEPT) urls.delete(urls.keys().next().value!);
    return url;
  };
}

async function openInNewTab(url: string): Promise<{ ok: true }> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new KilnError({ code: 'bad_request', message: 'Not a valid link.' });
  }
  if (u.protocol !== 'https:') throw new KilnError({ code: 'forbidden', message: 'Only https: links can be opened.' });
  (globalThis as { open?: (url: string, target: string, features: string) => unknown }).open?.(u.href, '_blank', 'noopener,noreferrer');
  return { ok: true };
}

export function connectWebKiln(opts: WebKilnOptions): Promise<WebKiln> {
  const WS = opts.WebSocketImpl ?? WebSocket;
  const url = opts.token ? `${opts.wsUrl}${opts.wsUrl.includes('?') ? '&' : '?'}token=${encodeURIComponent(opts.token)}` : opts.wsUrl;
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const stateListeners = new Set<(s: TransportState) => void>();
  const mediaKey = opts.token ? deriveCapability(opts.token, 'media') : null;
  const pending = new Map<number, Pending>();
  const waiting: { frame: string; id: number; timer: ReturnType<typeof setTimeout> }[] = [];
  let nextId = 1;
  let socket: WebSocket | null = null;
  let state: TransportState = 'connecting';
  let closedByUser = false;
  let attempt = 0;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;

  function setState(s: TransportState) {
    if (s === state) return;
    state = s;
    for (const l of stateListeners) l(s);
  }

  function open(onFirst?: { resolve: () => void; reject: (e: Error) => void }) {
    setState('connecting');
    const ws = new WS(url);
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      setState('open');
      for (const w of waiting.splice(0)) {
        clearTimeout(w.timer);
        ws.send(w.frame);
      }
      onFirst?.resolve();
      onFirst = undefined;
    };
    ws.onmessage = (ev) => {
      let msg: WireToClient;
      try {
        msg = JSON.parse(String(ev.data)) as WireToClient;
      } catch {
        return;
      }
      if (msg.type === 'result') {
        const p = pending.get(msg.id);
        if (!p) return;
        pending.delete(msg.id);
        if (msg.envelope.ok) p.resolve(msg.envelope.value);
        else p.reject(new KilnError(msg.envelope.error));
      } else if (msg.type === 'event') {
        for (const l of listeners.get(msg.event) ?? []) {
          try {
            l(msg.payload);
          } catch (err) {
            console.error('kiln event listener failed', msg.event, err);
          }
        }
      }
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      // Sent but unanswered: the backend may or may not have acted, so we cannot safely resend.
      // Invokes still waiting for a connection were never sent: they keep waiting (until their timeout).
      for (const [id, p] of pending) {
        if (waiting.some((w) => w.id === id)) continue;
        pending.delete(id);
        p.reject(new KilnError({ code: 'network', message: 'The connection to Kiln was lost before it answered.' }));
      }
      if (onFirst) {
        onFirst.reject(new Error('Could not connect to the Kiln backend (wrong or expired token? Use the link printed by `npm run web`).'));
        onFirst = undefined;
        closedByUser = true;
      }
      setState('closed');
      if (closedByUser) return;
      if (!opts.probe) return scheduleReconnect();
      void opts.probe().then(
        (r) => (r === 'rejected' ? reject() : scheduleReconnect()),
        () => scheduleReconnect(),
      );
    };
    ws.onerror = () => {
      // onclose follows and handles it.
    };
  }

  function reject() {
    if (closedByUser) return;
    closedByUser = true;
    for (const w of waiting.splice(0)) {
      clearTimeout(w.timer);
      const p = pending.get(w.id);
      pending.delete(w.id);
      p?.reject(new KilnError({ code: 'forbidden', message: 'Kiln restarted with a new link: open the new link printed in the terminal.' }));
    }
    setState('rejected');
  }

  function scheduleReconnect() {
    attempt++;
    const delay = Math.min(5_000, 250 * 2 ** Math.min(attempt - 1, 5)) * (0.75 + Math.random() * 0.5);
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      if (!closedByUser) open();
    }, delay);
  }

  const api: WebKiln = {
    mode: 'web',
    invoke(channel, req) {
      // In browser mode "the system browser" is the one showing this page: open a new tab here
      // rather than have a possibly headless server try to launch one.
      if (channel === 'shell:openExternal') return openInNewTab((req as { url: string }).url) as never;
      const id = nextId++;
      const frame = JSON.stringify({ type: 'invoke', id, channel, payload: req } satisfies WireToServer);
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        if (socket && socket.readyState === WS.OPEN) {
          socket.send(frame);
          return;
        }
        const timer = setTimeout(() => {
          const i = waiting.findIndex((w) => w.id === id);
          if (i >= 0) waiting.splice(i, 1);
          pending.delete(id);
          reject(new KilnError({ code: 'network', message: 'Kiln is not connected to its backend.' }));
        }, opts.queueTimeoutMs ?? 30_000);
        waiting.push({ frame, id, timer });
      });
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      const l = listener as (p: unknown) => void;
      set.add(l);
      return () => void set.delete(l);
    },
    mediaUrl: rememberedMediaUrls(opts.httpBase ?? '', mediaKey),
    state: () => state,
    onState(listener) {
      stateListeners.add(listener);
      return () => void stateListeners.delete(listener);
    },
    close() {
      closedByUser = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      socket?.close();
    },
  };

  return new Promise<WebKiln>((resolve, reject) => {
    const timer = setTimeout(() => {
      closedByUser = true;
      socket?.close();
      reject(new Error('Timed out connecting to the Kiln backend.'));
    }, opts.connectTimeoutMs ?? 10_000);
    open({
      resolve: () => {
        clearTimeout(timer);
        resolve(api);
      },
      reject: (e) => {
        clearTimeout(timer);
        reject(e);
      },
    });
  });
}
