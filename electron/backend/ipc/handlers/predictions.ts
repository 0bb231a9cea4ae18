import type { HandlerMap } from './types.ts';
import { parseModelRef } from '../../providers/replicate/client.ts';
import { KilnError } from '../../../../shared/ipc.ts';
import { inputSchemaFor } from '../../engine/schemas.ts';
import { hasVaultAdmin } from '../../vault/types.ts';
import type { Services } from '../../services.ts';

function recentlyDeleted(s: Services) {
  const bin = hasVaultAdmin(s.vault) ? s.vault.recentlyDeleted : undefined;
  if (!bin) throw new KilnError({ code: 'not_implemented', message: 'This media vault keeps no deleted runs.' });
  return bin;
}
import { splitModelRef } from '../../../../shared/domain/provider.ts';

// predictions:create / cancel / retry: thin over the engine. The other predictions:* channels
// (list, get, delete, ...) read the history and belong to history.ts.

/** How long create waits for the provider's answer, so a rejected key or input shows in the composer. */
const CREATE_ANSWER_MS = 15_000;

export const predictionsHandlers: HandlerMap = {
  'predictions:create': async (req, s) => {
    // `fal:ENDPOINT_ID`, `replicate:OWNER/NAME[:VERSION]` or a bare Replicate reference (DESIGN §6).
    const { provider, ref: bare } = splitModelRef(req.model);
    let model = bare;
    let version = req.version ?? null;
    if (provider === 'replicate' && bare.includes(':')) {
      const ref = parseModelRef(bare);
      model = ref.model ?? model;
      version = version ?? ref.version;
    }
    // The schema the composer's form came from (models:get), kept with the prediction as a snapshot.
    const inputSchema = inputSchemaFor(s, model, version);
    const ids: string[] = [];
    for (let i = 0; i < req.count; i++) ids.push(s.engine.submit({ provider, model, version, input: req.input, inputSchema }).id);
    // The first answer is enough to surface a permanent refusal (key, credit, model, input): the
    // same request would be refused for every copy. The rejected cards stay, failed, with the reason.
    try {
      await s.engine.waitSubmitted(ids[0]!, CREATE_ANSWER_MS);
    } catch (err) {
      if (err instanceof KilnError) throw err;
      throw new KilnError({ code: 'internal', message: String(err) });
    }
    return { ids };
  },
  'predictions:cancel': (req, s) => {
    s.engine.cancel(req.id);
    return { ok: true as const };
  },
  'predictions:retry': (req, s) => ({ id: s.engine.retry(req.id).id }),

  // "Recently deleted" (vault/trash.ts): the runs a delete keeps for 30 days with their files.
  'trash:list': (_req, s) => ({ items: recentlyDeleted(s).list() }),
  'trash:restore': (req, s) => {
    const r = recentlyDeleted(s).undo(req.token, [req.id]);
    if (!r.restored && !r.ids.length) throw new KilnError({ code: 'not_found', message: 'That run is no longer in Recently deleted (it was restored or its 30 days are over).' });
    // A run deleted mid-flight was canceled at the provider; following it again shows that.
    for (const id of r.ids) s.engine.resume(id);
    return { restored: r.restored };
  },
  'trash:purge': (req, s) => ({ purged: recentlyDeleted(s).purge(req.token, [req.id]) }),
};
