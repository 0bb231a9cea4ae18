import { useUi } from '../../stores/index.ts';

export function OfflineBanner() {
  const online = useUi((s) => s.online);
  const detail = useUi((s) => s.offlineDetail);
  if (online) return null;
  return (
    <div className="offline-banner" role="status">
      <strong>Offline.</strong> Your gallery and saved outputs still work; new generations wait in the queue and go out when Replicate is reachable again.
      {detail && <span className="muted"> ({detail})</span>}
    </div>
  );
}
