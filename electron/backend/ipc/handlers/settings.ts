import { KilnError } from '../../../../shared/ipc.ts';
import type { Services } from '../../services.ts';
import { secretStatus } from '../../secrets/status.ts';
import type { HandlerMap } from './types.ts';

// The account name learnt by the last successful secrets:validate, per backend instance; it is
// display-only, so it is not persisted (the next validate refreshes it).
const accounts = new WeakMap<Services, string>();

async function status(s: Services) {
  const key = await s.secrets.get('replicate');
  return secretStatus(key, s.secrets.protection(), accounts.get(s) ?? null);
}

export const settingsHandlers: HandlerMap = {
  'settings:get': (_req, s) => s.settings.get(),

  'settings:set': (req, s) => {
    const next = s.settings.set(req);
    s.emit('settings:changed', next);
    return next;
  },

  'secrets:status': (_req, s) => status(s),

  'secrets:set': async (req, s) => {
    await s.secrets.set('replicate', req.key);
    accounts.delete(s);
    s.log.info('secrets: key saved', { provider: req.provider, protection: s.secrets.protection() });
    return status(s);
  },

  'secrets:clear': async (req, s) => {
    await s.secrets.clear('replicate');
    accounts.delete(s);
    s.log.info('secrets: key cleared', { provider: req.provider });
    return status(s);
  },

  // Asks the provider who the key belongs to (GET /account): the cheapest call that proves a key works.
  'secrets:validate': async (_req, s) => {
    const key = await s.secrets.get('replicate');
    if (!key) throw new KilnError({ code: 'auth', message: 'No Replicate API key is set.' });
    let res: Response;
    try {
      res = await s.fetch(`${s.replicateBaseUrl}/account`, { headers: { Authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(15_000) });
    } catch (err) {
      throw new KilnError({ code: 'network', message: `Could not reach Replicate: ${(err as Error).message}` });
    }
    if (res.status === 401 || res.status === 403) throw new KilnError({ code: 'auth', message: 'Replicate rejected this API key.' });
    if (res.status === 402) throw new KilnError({ code: 'billing', message: 'Replicate says billing needs attention for this account.' });
    if (!res.ok) throw new KilnError({ code: 'provider', message: `Replicate answered ${res.status} when checking the key.` });
    const body = (await res.json().catch(() => null)) as { type?: unknown; username?: unknown; name?: unknown } | null;
    if (!body || typeof body.username !== 'string') throw new KilnError({ code: 'provider', message: 'Replicate sent an unexpected account response.' });
    accounts.set(s, body.username);
    return { type: typeof body.type === 'string' ? body.type : 'user', username: body.username, name: typeof body.name === 'string' ? body.name : null };
  },
};
