import { useEffect, useState } from 'react';
import type { RecoveryNotice as Notice } from '../../../../shared/ipc.ts';
import { windowApi } from '../../api.ts';

// Shown once after Kiln found its history database damaged and salvaged it (ARCHITECTURE.md, "Storage"): what
// happened, how many runs came back, and where the damaged file was kept. Dismissing deletes the
// notice in the backend, so it does not come back on the next start.
export function RecoveryNotice() {
  const [notice, setNotice] = useState<Notice | null>(null);
  useEffect(() => {
    windowApi()
      .invoke('history:recoveryNotice', {})
      .then(setNotice, () => {});
  }, []);
  if (!notice) return null;
  const of = notice.total !== null && notice.total >= notice.recovered ? ` of ${notice.total}` : '';
  const dismiss = () => {
    setNotice(null);
    windowApi()
      .invoke('history:dismissRecoveryNotice', {})
      .catch(() => {});
  };
  return (
    <div className="offline-banner" role="alert">
      <strong>Your history database was damaged and has been repaired.</strong> {notice.recovered}
      {of} runs were recovered; runs on the damaged part could not be read. The damaged file was kept at <code>{notice.movedTo}</code>
      {notice.backups.length > 0 && (
        <>
          {' '}
          (an older backup is at <code>{notice.backups[notice.backups.length - 1]}</code>)
        </>
      )}
      .{' '}
      <button type="button" className="btn small" onClick={dismiss}>
        Dismiss
      </button>
    </div>
  );
}
