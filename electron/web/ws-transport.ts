import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Backend } from '../backend/index.ts';
import type { Logger } from '../backend/types.ts';
import { tooLargeError, type WireToClient } from '../../shared/ipc.ts';
import { LIMITS, formatBytes } from '../../shared/limits.ts';
import { jsonShapeProblem } from '../../shared/json-shape.ts';

// Browser mode's `window.kiln` wire (ARCHITECTURE.md, "The contract and its transports", transport 2): invoke envelopes in, results and every
// backend event out, one WebSocket per page. Everything here is bounded (ARCHITECTURE.md, "Security"):
// - a message over LIMITS.ipcMessageBytes is refused by `ws` while it arrives (close 1009); one over
//   LIMITS.ipcRequestBytes is refused unless it is files:stage, judged from its first bytes, never
//   parsed;
// - back-pressure: while the client has more than LIMITS.wsSendBufferBytes of replies unread, or
//   MAX_IN_FLIGHT requests are being answered, its socket is paused, so a client that does not read
//   cannot make the backend compute (and hold) more replies; one that stays stuck is dropped.

/** Requests of one page answered at once; more wait in the socket (paused), not in memory. */
export const MAX_IN_FLIGHT = 4;
/** How long a client may leave its send buffer over the limit without reading anything before it is dropped. */
export const STALL_MS = 60_000;
const DRAIN_CHECK_MS = 100;

// The page writes `{"type":"invoke","id":N,"channel":"…",` first; a large message must say so up front.
const HEAD = /^\s*\{\s*"type"\s*:\s*"invoke"\s*,\s*"id"\s*:\s*(\d{1,15})\s*,\s*"channel"\s*:\s*"([A-Za-z]{1,40}:[A-Za-z]{1,40})"/;

export interface WsTransport {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  clients(): number;
  close(): void;
}

export function createWsTransport(opts: { backend: Pick<Backend, 'invoke' | 'on'>; log: Logger; stallMs?: number }): WsTransport {
  const { log } = opts;
  const stallMs = opts.stallMs ?? STALL_MS;
  const wss = new WebSocketServer({ noServer: true, maxPayload: LIMITS.ipcMessageBytes, perMessageDeflate: false });
  const clients = new Set<WebSocket>();

  function onConnection(ws: WebSocket) {
    clients.add(ws);
    const queue: RawData[] = [];
    let inFlight = 0;
    let drainTimer: ReturnType<typeof setInterval> | null = null;
    let closed = false;

    let alive = true;
    ws.on('pong', () => (alive = true));
    const heartbeat = setInterval(() => {
      // Drops pages that vanished without a close frame (sleeping laptops), so they stop costing sends.
      // A socket we paused (back-pressure, below) cannot read its pongs: that is our choice, not a
      // vanished page — one that stopped reading for good is dropped by the drain watch instead.
      if (!alive && !ws.isPaused) return ws.terminate();
      alive = false;
      ws.ping();
    }, 30_000);
    heartbeat.unref();

    const blocked = () => inFlight >= MAX_IN_FLIGHT || ws.bufferedAmount > LIMITS.wsSendBufferBytes;

    function watchDrain() {
      if (drainTimer || closed) return;
      let lastBuffered = ws.bufferedAmount;
      let stalledSince = Date.now();
      drainTimer = setInterval(() => {
        const now = ws.bufferedAmount;
        if (now < lastBuffered || now <= LIMITS.wsSendBufferBytes) stalledSince = Date.now();
        lastBuffered = now;
        if (now > LIMITS.wsSendBufferBytes && Date.now() - stalledSince > stallMs) {
          log.warn('web: dropping a client that does not read its replies', { bufferedBytes: now });
          ws.terminate();
          return;
        }
        pump();
      }, DRAIN_CHECK_MS);
      drainTimer.unref();
    }

    function pump() {
      while (queue.length > 0 && !blocked() && !closed) dispatch(queue.shift()!);
      if (closed) return;
      if (blocked()) {
        if (!ws.isPaused) ws.pause();
        if (ws.bufferedAmount > LIMITS.wsSendBufferBytes) watchDrain();
      } else {
        if (ws.isPaused) ws.resume();
        if (drainTimer) {
          clearInterval(drainTimer);
          drainTimer = null;
        }
      }
    }

    function reply(msg: WireToClient) {
      if (ws.readyState !== ws.OPEN) return;
      ws.send(JSON.stringify(msg));
    }

    function dispatch(data: RawData) {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      if (buf.length > LIMITS.ipcRequestBytes) {
        // Only the head is read: the channel decides the limit, and nothing past it is parsed.
        const m = HEAD.exec(buf.subarray(0, 256).toString('latin1'));
        if (!m || m[2] !== 'files:stage') {
          const channel = m?.[2] ?? 'Kiln';
          log.warn('web: message over the request limit refused', { channel, bytes: buf.length });
          if (m) return reply({ type: 'result', id: Number(m[1]), envelope: { ok: false, error: tooLargeError(channel, buf.length) } });
          return ws.close(1009, `message over ${formatBytes(LIMITS.ipcRequestBytes)} (ipcRequestBytes)`);
        }
      }
      const text = buf.toString('utf8');
      // What the message would parse into (shared/json-shape.ts): 200 MB of `[],` is 70 million arrays.
      const problem = jsonShapeProblem(text, LIMITS.ipcMessageShape);
      if (problem) {
        const m = HEAD.exec(text.slice(0, 256));
        log.warn('web: message refused for its shape', { channel: m?.[2] ?? null, problem });
        const error = { code: 'too_large' as const, message: `The request to ${m?.[2] ?? 'Kiln'} was not read: ${problem} (ipcMessageShape).` };
        if (m) return reply({ type: 'result', id: Number(m[1]), envelope: { ok: false, error } });
        return ws.close(1009, 'message over its shape bound (ipcMessageShape)');
      }
      let msg: unknown;
      try {
        msg = JSON.parse(text);
      } catch {
        return ws.close(1007, 'invalid JSON');
      }
      const m = msg as { type?: unknown; id?: unknown; channel?: unknown; payload?: unknown } | null;
      if (!m || typeof m !== 'object' || m.type !== 'invoke' || typeof m.id !== 'number' || !Number.isSafeInteger(m.id))
        return ws.close(1008, 'unexpected frame');
      const id = m.id;
      inFlight++;
      void opts.backend
        .invoke(m.channel, m.payload)
        .then((envelope) => reply({ type: 'result', id, envelope }))
        .catch((err: unknown) => {
          // The router never throws; a failing JSON.stringify (say, a cycle) must not either.
          log.error('web: could not send a reply', { err: String(err) });
          reply({ type: 'result', id, envelope: { ok: false, error: { code: 'internal', message: 'Kiln could not send this answer.' } } });
        })
        .finally(() => {
          inFlight--;
          pump();
        });
    }

    ws.on('message', (data, isBinary) => {
      if (isBinary) return ws.close(1003, 'text frames only');
      queue.push(data);
      pump();
    });
    ws.on('close', () => {
      closed = true;
      queue.length = 0;
      clearInterval(heartbeat);
      if (drainTimer) clearInterval(drainTimer);
      clients.delete(ws);
    });
    // Bad frames, oversize messages, resets: `ws` reports them here and closes; nothing escapes.
    ws.on('error', (err) => {
      log.warn('web: websocket error', { err: String(err).slice(0, 200) });
      ws.terminate();
    });
  }

  const unsubscribe = opts.backend.on((event, payload) => {
    if (clients.size === 0) return;
    const frame = JSON.stringify({ type: 'event', event, payload } satisfies WireToClient);
    for (const ws of clients) {
      if (ws.readyState !== ws.OPEN) continue;
      // A page that stopped reading gets no more events piled up (it reloads its state on reconnect).
      if (ws.bufferedAmount > LIMITS.wsSendBufferBytes * 2) {
        log.warn('web: dropping a client whose send buffer keeps growing', { bufferedBytes: ws.bufferedAmount });
        ws.terminate();
        continue;
      }
      ws.send(frame);
    }
  });

  return {
    handleUpgrade(req, socket, head) {
      wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
    },
    clients: () => clients.size,
    close() {
      unsubscribe();
      for (const ws of clients) ws.terminate();
      wss.close();
    },
  };
}
