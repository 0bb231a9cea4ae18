import { useUi, uiStore } from '../../stores/index.ts';
import * as act from './actions.ts';

export function BulkBar() {
  const selected = useUi((s) => s.selected);
  const ids = Object.keys(selected);
  if (!ids.length) return null;
  return (
    <div className="bulk-bar" role="toolbar" aria-label="Selection">
      <span>
        <strong>{ids.length}</strong> selected
      </span>
      <button type="button" className="btn small" onClick={() => void act.bulkRetry(ids)}>
        Retry selected
      </button>
      <button type="button" className="btn small" onClick={() => void act.exportItems(ids)}>
        Export selected
      </button>
      <button type="button" className="btn small danger" onClick={() => void act.remove(ids)}>
        Delete selected
      </button>
      <button type="button" className="btn small ghost" onClick={() => uiStore.getState().clearSelection()}>
        Clear selection
      </button>
    </div>
  );
}
