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
import { randomUUID } from 'node:crypto';
import { hasAdmin } from '../../history/types.ts';

// predictions:create / cancel / retry: thin over the engine. The other predictions:* channels
// (list, get, delete, ...) read the history and belong to history.ts.

/** How long create waits for the provider's answer, so a rejected key or input shows in the composer. */
const CREATE_ANSWER_MS = 15_000;

/** What the engine submits for a model reference: provider, model, version and the schema snapshot. */
function resolveTarget(s: Services, modelRef: string, reqVersion: string | null | undefined) {
  // `fal:ENDPOINT_ID`, `replicate:OWNER/NAME[:VERSION]` or a bare Replicate reference (ARCHITECTURE.md, "Fixed interfaces").
  const { provider, ref: bare } = splitModelRef(modelRef);
  let model = bare;
  let version = reqVersion ?? null;
  if (provider === 'replicate' && bare.includes(':')) {
    const ref = parseModelRef(bare);
    model = ref.model ?? model;
    version = version ?? ref.version;
  }
  // The schema the composer's form came from (models:get), kept with the prediction as a snapshot.
  return { provider, model, version, inputSchema: inputSchemaFor(s, model, version) };
}

export const predictionsHandlers: HandlerMap = {
  'predictions:create': async (req, s) => {
    const { provider, model, version, inputSchema } = resolveTarget(s, req.model, req.version);
    const ids: string[] = [];
    for (let i = 0; i < req.count; i++)
      ids.push(s.engine.submit({ provider, model, version, input: req.input, inputSchema, sourceId: req.sourceId ?? null }).id);
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
  'predictions:createGroup': async (req, s) => {
    const history = s.history;
    if (!hasAdmin(history)) throw new KilnError({ code: 'not_implemented', message: 'This history cannot link runs into groups.' });
    const groupId = `grp_${randomUUID()}`;
    // Submitted one by one, as predictions:create does; the group link is written in the same tick,
    // before the publisher's first view of any member goes out, so no card appears outside its stack.
    const ids = req.members.map((m, i) => {
      const { provider, model, version, inputSchema } = resolveTarget(s, m.model, m.version);
      const id = s.engine.submit({ provider, model, version, input: m.input, inputSchema }).id;
      // Its place in the group is kept: a compare shows its models in the order they were added.
      history.setGroup([id], groupId, req.kind, i);
      return id;
    });
    // One answer per model surfaces a permanent refusal (key, credit, model); the same request to
    // that model would be refused for every member. Refusals are reported, never thrown: in a
    // compare one model's failure must not hide the others' runs.
    const refused: Record<string, string> = {};
    const firstPerModel = new Map<string, string>();
    req.members.forEach((m, i) => firstPerModel.has(m.model) || firstPerModel.set(m.model, ids[i]!));
    await Promise.all(
      [...firstPerModel.values()].map((id) =>
        s.engine.waitSubmitted(id, CREATE_ANSWER_MS).catch((err: unknown) => {
          refused[id] = err instanceof Error ? err.message : String(err);
        }),
      ),
    );
    return { groupId, ids, refused };
  },
  'predictions:retry': (req, s) => {
    const id = s.engine.retry(req.id).id;
    // A retried member of a batch or compare stays in its stack (its other members are untouched).
    const original = s.history.get(req.id);
    if (original?.groupId && original.groupKind && hasAdmin(s.history))
      s.history.setGroup([id], original.groupId, original.groupKind, original.groupIndex ?? null);
    return { id };
  },

  // "Recently deleted" (vault/trash.ts): the runs a delete keeps for 30 days with their files.
  'trash:list': (_req, s) => ({ items: recentlyDeleted(s).list() }),
  'trash:restore': (req, s) => {
    const r = recentlyDeleted(s).undo(req.token, [req.id]);
    if (!r.restored && !r.ids.length)
      throw new KilnError({ code: 'not_found', message: 'That run is no longer in Recently deleted (it was restored or its 30 days are over).' });
    // A run deleted mid-flight was canceled at the provider; following it again shows that.
    for (const id of r.ids) s.engine.resume(id);
    return { restored: r.restored };
  },
  'trash:purge': (req, s) => ({ purged: recentlyDeleted(s).purge(req.token, [req.id]) }),
};
