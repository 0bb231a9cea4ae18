import { useUi } from '../../stores/index.ts';

export function OfflineBanner() {
  const online = useUi((s) => s.online);
  const detail = useUi((s) => s.offlineDetail);
  const backend = useUi((s) => s.backend);
  if (backend === 'rejected') {
    return (
      <div className="offline-banner" role="alert">
        <strong>Kiln restarted — open the new link printed in the terminal.</strong> This page&apos;s link is no longer accepted, so it cannot reconnect by
        itself.
      </div>
    );
  }
  if (backend !== 'open') {
    return (
      <div className="offline-banner" role="status">
        <strong>Reconnecting to Kiln…</strong> The app process is not answering; this page picks up again by itself when it is back.
      </div>
    );
  }
  if (online) return null;
  return (
    <div className="offline-banner" role="status">
      <strong>Offline — Replicate is unreachable.</strong> Your gallery and saved outputs still work; new generations wait in the queue and go out when the
      connection returns.
      {detail && <span className="muted"> ({detail})</span>}
    </div>
  );
}
