// The control API under /__sim/ (no auth, not counted): what the in-process SimControl does, over
// HTTP, for tests and benches that run the simulator in another process.
import type { Reply, Urls } from '../http.ts';
import { detail, json } from '../http.ts';
import type { SimState } from '../state.ts';

export function controlRoute(state: SimState, method: string, url: URL, body: Buffer, urls: Urls): Reply {
  let payload: any = {};
  if (body.length) {
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      return detail(400, 'Control payloads are JSON');
    }
  }
  const op = url.pathname.slice('/__sim/'.length).replace(/\/$/, '');
  const now = () => ({ now: state.clock.now() });
  switch (`${method} ${op}`) {
    case 'POST advance': {
      const ms = Number(payload.ms);
      if (!Number.isFinite(ms) || ms < 0) return detail(400, 'advance needs {"ms": number >= 0}');
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
    case 'GET jobs':
      return json(200, state.summaries());
    case 'POST reset':
      state.reset();
      return json(200, { ok: true });
    case 'GET info':
      return json(200, { ...urls, key: state.key, now: state.clock.now() });
    default:
      return detail(404, `Unknown control operation ${method} /__sim/${op}`);
  }
}
