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
    s.engine.keyChanged(); // runs paused for a rejected key are followed again at once (DESIGN §3)
    s.log.info('secrets: key saved', { provider: req.provider, protection: s.secrets.protection() });
    return status(s);
  },

  'secrets:clear': async (req, s) => {
    await s.secrets.clear('replicate');
    accounts.delete(s);
    s.log.info('secrets: key cleared', { provider: req.provider });
    return status(s);
  },

  // Asks the provider who the key belongs to (GET /account): the cheapest call that proves a key
  // works. The client maps 401/402/network failures to typed KilnErrors the router passes through.
  'secrets:validate': async (_req, s) => {
    const account = await s.provider.account();
    accounts.set(s, account.username);
    return { type: account.type, username: account.username, name: account.name ?? null };
  },
};
