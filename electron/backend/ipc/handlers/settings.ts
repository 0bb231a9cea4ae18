import type { Services } from '../../services.ts';
import { secretStatus } from '../../secrets/status.ts';
import type { HandlerMap } from './types.ts';
import type { SecretStatus } from '../../../../shared/ipc.ts';
import type { ProviderId } from '../../../../shared/domain/provider.ts';

// settings:* and secrets:* — one key per provider (ARCHITECTURE.md, "The contract and its transports": the renderer learns
// {set, last4, account, state} per provider, never the key).

/** What the provider last said of the stored key, and whose it is, per backend and per provider. */
type KeyState = NonNullable<SecretStatus['state']>;
interface KeyMemory {
  state: KeyState;
  account: string | null;
}
// Display-only, so not persisted (the next validate refreshes it). A key is never shown as good
// before its provider has answered for it: a rejected key says so, and a key that could not be
// checked says that.
const memory = new WeakMap<Services, Map<ProviderId, KeyMemory>>();

function remembered(s: Services): Map<ProviderId, KeyMemory> {
  let m = memory.get(s);
  if (!m) memory.set(s, (m = new Map()));
  return m;
}

async function status(s: Services, provider: ProviderId): Promise<SecretStatus> {
  const key = await s.secrets.get(provider);
  const known = remembered(s).get(provider);
  const st = secretStatus(key, s.secrets.protection(provider), known?.account ?? null);
  return { ...st, state: st.set ? (known?.state ?? 'unchecked') : 'unchecked' };
}

/** A fal endpoint every account can price: asking its price is free and needs a valid key. */
const FAL_PROBE_ENDPOINT = 'fal-ai/flux/dev';

/**
 * The cheapest call that proves the key works. Replicate: GET /account (who the key belongs to).
 * fal has no account call for ordinary keys (billing and account need an Admin key), so Kiln asks
 * the price of one endpoint: the platform answers it only for a key it accepts (401 otherwise),
 * it costs nothing, and it creates no job.
 */
async function askProvider(s: Services, provider: ProviderId): Promise<{ type: string; username: string; name: string | null }> {
  if (provider === 'fal') {
    await s.fal.pricing([FAL_PROBE_ENDPOINT]);
    return { type: 'key', username: '', name: null };
  }
  const a = await s.provider.account();
  return { type: a.type, username: a.username, name: a.name ?? null };
}

async function check(s: Services, provider: ProviderId) {
  const mem = remembered(s);
  try {
    const account = await askProvider(s, provider);
    mem.set(provider, { state: 'valid', account: account.username || null });
    return account;
  } catch (err) {
    const code = (err as { code?: string }).code;
    mem.set(provider, { state: code === 'auth' ? 'rejected' : 'unknown', account: null });
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

  'secrets:status': (req, s) => status(s, req.provider),

  'secrets:set': async (req, s) => {
    await s.secrets.set(req.provider, req.key);
    remembered(s).delete(req.provider);
    s.engine.keyChanged(); // runs paused for a rejected key are followed again at once (ARCHITECTURE.md, "Runs and their lifecycle")
    s.log.info('secrets: key saved', { provider: req.provider, protection: s.secrets.protection(req.provider) });
    // Saved either way (offline must not lose a key), but checked before it is shown as good.
    await check(s, req.provider).catch(() => {});
    return status(s, req.provider);
  },

  'secrets:clear': async (req, s) => {
    await s.secrets.clear(req.provider);
    remembered(s).delete(req.provider);
    s.log.info('secrets: key cleared', { provider: req.provider });
    return status(s, req.provider);
  },

  // The clients map 401/402/network failures to typed KilnErrors the router passes through.
  'secrets:validate': async (req, s) => check(s, req.provider),
};
