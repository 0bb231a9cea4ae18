import { KilnError } from '../../../../shared/ipc.ts';
import type { HandlerMap } from './types.ts';
import { hasAdmin } from '../../history/types.ts';
import { runRequest } from '../../reproduce/request.ts';

// Reproducing a run (issue 14): the request it was created with, for "Copy as code".

export const reproduceHandlers: HandlerMap = {
  'predictions:request': (req, s) => {
    const rec = s.history.get(req.id);
    if (!rec) throw new KilnError({ code: 'not_found', message: `No prediction ${req.id} in the history.` });
    const h = s.history;
    return runRequest(rec, (id) => (hasAdmin(h) ? h.getInputFile(id) : null));
  },
};
