import { useCallback, useEffect, useState } from 'react';
import type { DeletedItem } from '../../../../shared/ipc.ts';
import { windowApi, errorMessage } from '../../api.ts';
import { predictionsStore, uiStore } from '../../stores/index.ts';
import { Dialog } from '../../ui/Dialog.tsx';
import { excerpt, relativeTime } from '../../components/format.ts';
import { useNow } from '../../components/now.ts';

// "Recently deleted": every run deleted in the last 30 days, kept with its files, to put back
// (Restore) or to let go of now (Delete forever). A mis-click never costs work.

export function RecentlyDeleted() {
  const [items, setItems] = useState<DeletedItem[] | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const load = useCallback(() => {
    windowApi()
      .invoke('trash:list', {})
      .then(
        (r) => {
          setItems(r.items);
          setErr(null);
        },
        (e) => setErr(errorMessage(e)),
      );
  }, []);
  useEffect(load, [load]);

  const act = async (it: DeletedItem, what: 'restore' | 'purge') => {
    setBusy(it.id);
    try {
      if (what === 'restore') {
        await windowApi().invoke('trash:restore', { token: it.token, id: it.id });
        void predictionsStore.getState().reload();
        uiStore.getState().toast(`Restored “${excerpt(it.prompt || it.model, 48)}”`, { tone: 'success', timeout: 4000 });
      } else {
        await windowApi().invoke('trash:purge', { token: it.token, id: it.id });
        uiStore.getState().toast(`Deleted “${excerpt(it.prompt || it.model, 48)}” for good`, { timeout: 4000 });
      }
      setItems((cur) => cur?.filter((x) => x.id !== it.id) ?? cur);
    } catch (e) {
      uiStore.getState().toast(`${what === 'restore' ? 'Could not restore' : 'Could not delete'}: ${errorMessage(e)}`, { tone: 'error' });
      load();
    } finally {
      setBusy(null);
    }
  };

  const now = useNow(false);
  return (
    <Dialog title="Recently deleted" onClose={() => uiStore.getState().openPanel('gallery')} className="trash-dialog">
      <p className="help">Deleted runs are kept here with their files for 30 days, then removed for good.</p>
      {err && (
        <p className="field-error" role="alert">
          Could not read Recently deleted: {err}
        </p>
      )}
      {items === null && !err && <p className="muted">Loading…</p>}
      {items?.length === 0 && <p className="muted">Nothing was deleted in the last 30 days.</p>}
      {!!items?.length && (
        <ul className="trash-list">
          {items.map((it) => (
            <li key={`${it.token}:${it.id}`} className="trash-item">
              <div className="trash-text">
                <span className="trash-prompt">{excerpt(it.prompt || it.model, 120)}</span>
                <span className="muted small">
                  {it.model} · {it.status} · Deleted {relativeTime(it.deletedAt, now)}, kept until {new Date(it.keepUntil).toLocaleDateString()}
                </span>
              </div>
              <div className="row gap">
                <button type="button" className="btn small" disabled={busy === it.id} onClick={() => void act(it, 'restore')}>
                  Restore
                </button>
                <button type="button" className="btn small danger-ghost" disabled={busy === it.id} onClick={() => void act(it, 'purge')}>
                  Delete forever
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </Dialog>
  );
}
