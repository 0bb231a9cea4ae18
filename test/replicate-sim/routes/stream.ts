// Server-sent events at `urls.stream` for text models: `output` per token (spaced in simulated
// time), then `error` and/or `done`. Every event has an `id:` line (replicate-python drops events
// without one) and `Last-Event-ID` resumes after the last token the client saw. Whether Replicate
// also emits `logs` events is UNVERIFIED, so `scenario.streamLogs` turns them on.
import type { Ctx, Reply } from '../http.ts';
import { notFound } from '../http.ts';
import { isRemoved, logsAt, phaseAt } from '../lifecycle.ts';

export async function stream(ctx: Ctx): Promise<Reply | null> {
  const { state, res, req } = ctx;
  const p = state.byId.get(ctx.params[0]!);
  if (!p || p.model.kind !== 'text') return notFound();
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
  const base = Math.floor(p.createdAt / 1000);
  const last = /:(-?\d+)$/.exec(String(req.headers['last-event-id'] ?? ''));
  let sent = last ? Number(last[1]) + 1 : 0;
  let seq = p.tokens.length;
  let logsSent = 0;
  const event = (name: string, data: string) => {
    const lines = data
      .split('\n')
      .map((l) => `data: ${l}`)
      .join('\n');
    res.write(`event: ${name}\nid: ${base}:${seq++}\n${lines}\n\n`);
  };
  await new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      off();
      req.off('close', finish);
      if (!res.writableEnded) res.end();
      resolve();
    };
    const tick = () => {
      if (finished || res.destroyed) return finish();
      const now = state.clock.now();
      const ph = phaseAt(p, now);
      const n = ph.status === 'succeeded' ? p.tokens.length : Math.floor(ph.progress * p.tokens.length);
      if (state.scenario.streamLogs) {
        const logs = logsAt(p, ph);
        if (logs.length > logsSent) {
          // The id is the position in the token stream, so resuming from a logs event loses nothing.
          res.write(
            `event: logs\nid: ${base}:${sent - 1}\n${logs
              .slice(logsSent)
              .split('\n')
              .map((l) => `data: ${l}`)
              .join('\n')}\n\n`,
          );
          logsSent = logs.length;
        }
      }
      for (; sent < n; sent++) {
        res.write(`event: output\nid: ${base}:${sent}\ndata: ${p.tokens[sent]!.replace(/\n/g, '\ndata: ')}\n\n`);
      }
      if (ph.terminal || isRemoved(p, ph, now, state.retentionMs)) {
        if (ph.status === 'failed') {
          event('error', JSON.stringify({ detail: ph.error }));
          event('done', JSON.stringify({ reason: 'error' }));
        } else if (ph.status === 'canceled' || ph.status === 'aborted') {
          event('done', JSON.stringify({ reason: 'canceled' }));
        } else {
          event('done', '{}');
        }
        return finish();
      }
      // Sleep until the next token is due in simulated time (a clock jump wakes us earlier).
      const start = p.createdAt + p.coldBootMs;
      const nextAt = ph.startedAt === null ? start : start + ((sent + 1) / p.tokens.length) * p.runMs;
      timer = setTimeout(tick, Math.min(250, Math.max(5, nextAt - now)));
    };
    const off = state.clock.onChange(() => {
      clearTimeout(timer);
      tick();
    });
    req.on('close', finish);
    tick();
  });
  return null;
}
