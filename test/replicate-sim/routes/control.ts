// The control API under /__sim/ (no auth, not counted): what the in-process SimControl does, over
// HTTP, for tests that run the simulator in another process.
import type { Reply } from '../http.ts';
import { json, problem } from '../http.ts';
import type { SimState } from '../state.ts';
import { phaseAt, view } from '../lifecycle.ts';

export function controlRoute(state: SimState, method: string, url: URL, body: Buffer, origin: string, basePath: string): Reply {
  let payload: any = {};
  if (body.length) {
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      return problem(400, 'Invalid JSON', 'Control payloads are JSON');
    }
  }
  const op = url.pathname.slice('/__sim/'.length).replace(/\/$/, '');
  const now = () => ({ now: state.clock.now() });
  switch (`${method} ${op}`) {
    case 'POST advance': {
      const ms = Number(payload.ms);
      if (!Number.isFinite(ms) || ms < 0) return problem(400, 'Bad request', 'advance needs {"ms": number >= 0}');
      state.clock.advance(ms);
      return json(200, now());
    }
    case 'POST freeze':
      state.clock.freeze();
      return json(200, now());
    case 'POST unfreeze':
      state.clock.unfreeze();
      return json(200, now());
    case 'GET now':
      return json(200, now());
    case 'POST scenario':
      state.loadScenario(payload ?? {});
      return json(200, { ok: true });
    case 'GET scenario':
      return json(200, state.scenario);
    case 'GET counters':
      return json(200, state.counters);
    case 'GET predictions':
      return json(
        200,
        state.summaries((p) => phaseAt(p, state.clock.now()).status),
      );
    case 'POST reset':
      state.reset();
      return json(200, { ok: true });
    case 'GET info':
      return json(200, { baseUrl: origin + basePath, origin, token: state.token, now: state.clock.now() });
    default: {
      // Full prediction as the API would show it, without spending a request or rate-limit budget.
      const m = /^GET predictions\/([^/]+)$/.exec(`${method} ${op}`);
      const p = m ? state.byId.get(m[1]!) : undefined;
      if (p) return json(200, view(p, { baseUrl: origin + basePath, origin, now: state.clock.now(), retentionMs: state.retentionMs }));
      return problem(404, 'Not found', `Unknown control operation ${method} /__sim/${op}`);
    }
  }
}
