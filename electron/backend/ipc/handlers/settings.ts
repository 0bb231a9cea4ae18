import type { Services } from '../../services.ts';
import { secretStatus } from '../../secrets/status.ts';
import type { HandlerMap } from './types.ts';
import type { SecretStatus } from '../../../../shared/ipc.ts';

// The account name learnt by the last successful secrets:validate, per backend instance; it is
// display-only, so it is not persisted (the next validate refreshes it).
const accounts = new WeakMap<Services, string>();
// What the provider last said of the stored key. A key is never shown as good before Replicate
// has answered for it: a rejected key says so, and a key that could not be checked says that.
type KeyState = NonNullable<SecretStatus['state']>;
const states = new WeakMap<Services, KeyState>();

async function status(s: Services): Promise<SecretStatus> {
  const key = await s.secrets.get('replicate');
  const st = secretStatus(key, s.secrets.protection(), accounts.get(s) ?? null);
  return { ...st, state: st.set ? (states.get(s) ?? 'unchecked') : 'unchecked' };
}

/** Asks the provider who the key belongs to (GET /account), the cheapest call that proves a key works. */
async function check(s: Services) {
  try {
    const account = await s.provider.account();
    accounts.set(s, account.username);
    states.set(s, 'valid');
    return account;
  } catch (err) {
    const code = (err as { code?: string }).code;
    states.set(s, code === 'auth' ? 'rejected' : 'unknown');
    accounts.delete(s);
    throw err;
  }
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
    states.delete(s);
    s.log.info('secrets: key saved', { provider: req.provider, protection: s.secrets.protection() });
    // Saved either way (offline must not lose a key), but checked before it is shown as good.
    await check(s).catch(() => {});
    return status(s);
  },

  'secrets:clear': async (req, s) => {
    await s.secrets.clear('replicate');
    accounts.delete(s);
    states.delete(s);
    s.log.info('secrets: key cleared', { provider: req.provider });
    return status(s);
  },

  // The client maps 401/402/network failures to typed KilnErrors the router passes through.
  'secrets:validate': async (_req, s) => {
    const account = await check(s);
    return { type: account.type, username: account.username, name: account.name ?? null };
  },
};
