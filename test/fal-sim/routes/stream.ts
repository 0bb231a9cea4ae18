// GET {status_url}/stream (reference §5): SSE with one `data: <status JSON>` event per change and
// no event names, `: ping` keep-alives, closed after the COMPLETED event. Streamed events carry
// only the log entries that are new since the previous event (polls are cumulative). On connect
// the current status is sent at once, and a completed request gets its one event and the close
// (UNVERIFIED upstream; the simulator's choice).
import type { Ctx, Reply } from '../http.ts';
import type { Fault } from '../types.ts';
import { logsAt } from '../lifecycle.ts';
import { DEFAULTS } from '../state.ts';
import { jobOf, requestNotFound, statusBody } from './queue.ts';

export async function statusStream(ctx: Ctx, fault?: Fault): Promise<Reply | null> {
  const j = jobOf(ctx);
  if (!j) return requestNotFound(ctx.params[1]!);
  const { state, res, req } = ctx;
  const withLogs = ctx.url.searchParams.get('logs') === '1';
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-fal-request-id': j.id });
  let sentLogs = 0;
  let last = '';
  await new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let finished = false;
    let silent = false;
    const pingEvery = state.scenario.streamPingMs ?? DEFAULTS.streamPingMs;
    const ping = setInterval(() => {
      if (!res.destroyed) res.write(': ping\n\n');
    }, pingEvery);
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      clearInterval(ping);
      off();
      req.off('close', finish);
      if (!res.writableEnded) res.end();
      resolve();
    };
    const tick = () => {
      if (finished || res.destroyed) return finish();
      const now = state.clock.now();
      const v = state.view(j, now);
      const all = withLogs && v.status !== 'IN_QUEUE' ? logsAt(j, v.slot, now, state.scenario) : [];
      const fresh = all.slice(sentLogs);
      const body = statusBody(ctx, j, v, withLogs, fresh);
      const key = `${v.status}|${v.queuePosition}|${all.length}`;
      if (key !== last) {
        res.write(`data: ${JSON.stringify(body)}\n\n`);
        last = key;
        sentLogs = all.length;
        // Cut after the first event: the client has seen the stream work, then loses it.
        if (fault?.kind === 'stream-drop') {
          res.socket?.destroy();
          return finish();
        }
        // Only pings after the first event: the connection looks alive, the news has stopped.
        if (fault?.kind === 'stream-silent' && v.status !== 'COMPLETED') {
          silent = true;
          return;
        }
      }
      if (v.status === 'COMPLETED') return finish();
      // Wake when the next thing is due in simulated time (a clock jump wakes us earlier).
      const due = [v.slot.startAt, v.slot.endAt].filter((t): t is number => t !== null && t > now);
      if (v.status === 'IN_PROGRESS') due.push(now + j.runMs / Math.max(1, Math.min(100, j.steps)));
      const wait = due.length ? Math.min(...due) - now : 250;
      timer = setTimeout(tick, Math.min(250, Math.max(10, wait)));
    };
    const off = state.clock.onChange(() => {
      clearTimeout(timer);
      if (!silent) tick();
    });
    req.on('close', finish);
    res.on('close', finish);
    tick();
  });
  return null;
}
