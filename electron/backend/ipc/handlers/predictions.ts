import type { HandlerMap } from './types.ts';
import { parseModelRef } from '../../providers/replicate/client.ts';
import { KilnError } from '../../../../shared/ipc.ts';
import { inputSchemaFor } from '../../engine/schemas.ts';
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
};
