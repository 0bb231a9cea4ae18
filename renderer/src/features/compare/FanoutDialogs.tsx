import { useFanout, fanoutStore } from '../stacks/store.ts';
import { BatchDialog } from '../batch/BatchDialog.tsx';
import { CompareDialog } from './CompareDialog.tsx';
import { CompareView } from './CompareView.tsx';
import { StrokeIcon } from '../../ui/StrokeIcon.tsx';

// The fan-out features' dialogs, mounted once (from the header); each portals to <body>.
export function FanoutDialogs() {
  const batch = useFanout((s) => s.batchOpen);
  const compare = useFanout((s) => s.compare);
  const view = useFanout((s) => s.viewGroup);
  return (
    <>
      {batch && <BatchDialog />}
      {compare && <CompareDialog />}
      {view && <CompareView key={view} groupId={view} />}
    </>
  );
}

/** The header's "Compare" button. */
export function CompareButton() {
  return (
    <button type="button" className="btn ghost" onClick={() => fanoutStore.getState().openCompare()} title="One prompt, several models, side by side">
      <StrokeIcon>
        <rect x="3" y="4" width="7" height="16" rx="1" />
        <rect x="14" y="4" width="7" height="16" rx="1" />
      </StrokeIcon>{' '}
      Compare
    </button>
  );
}
