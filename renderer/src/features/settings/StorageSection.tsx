import { useCallback, useEffect, useState } from 'react';
import type { Res } from '../../../../shared/ipc.ts';
import { windowApi, errorMessage } from '../../api.ts';
import { uiStore, useSettings } from '../../stores/index.ts';
import { formatBytes } from '../../components/format.ts';

export function StorageSection() {
  const info = useSettings((s) => s.info);
  const [usage, setUsage] = useState<Res<'storage:usage'> | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const refresh = useCallback(() => {
    windowApi()
      .invoke('storage:usage', {})
      .then(setUsage, (e) => setErr(errorMessage(e)));
  }, []);
  useEffect(refresh, [refresh]);

  const clear = async (what: 'thumbnails' | 'unsaved') => {
    try {
      const r = await windowApi().invoke('storage:clear', { what });
      uiStore.getState().toast(`Freed ${formatBytes(r.freedBytes)}`, { tone: 'success' });
      refresh();
    } catch (e) {
      uiStore.getState().toast(`Could not clear: ${errorMessage(e)}`, { tone: 'error' });
    }
  };

  const mediaBytes = usage ? Object.values(usage.byKind).reduce((a, k) => a + k.bytes, 0) : 0;
  const mediaFiles = usage ? Object.values(usage.byKind).reduce((a, k) => a + k.files, 0) : 0;
  return (
    <section className="settings-section" aria-labelledby="store-h">
      <h3 id="store-h">Storage</h3>
      <div className="setting-row">
        <span>Data folder</span>
        <code className="path">{usage?.dataDir ?? info?.dataDir ?? '…'}</code>
      </div>
      {usage ? (
        <dl className="usage">
          <dt>Outputs</dt>
          <dd>
            {formatBytes(mediaBytes)} in {mediaFiles} files
          </dd>
          {Object.entries(usage.byKind).map(([k, v]) => (
            <div key={k} className="usage-sub">
              <dt>{k}</dt>
              <dd>
                {formatBytes(v.bytes)} · {v.files}
              </dd>
            </div>
          ))}
          <dt>Thumbnails</dt>
          <dd>{formatBytes(usage.thumbnails.bytes)}</dd>
          <dt>History database</dt>
          <dd>{formatBytes(usage.database)}</dd>
        </dl>
      ) : (
        <p className="muted">{err ? `Storage use unavailable: ${err}` : 'Measuring…'}</p>
      )}
      <div className="row gap">
        <button type="button" className="btn" onClick={() => void clear('thumbnails')}>
          Clear thumbnails
        </button>
        <button type="button" className="btn" onClick={() => void clear('unsaved')}>
          Remove unsaved records
        </button>
      </div>
      {info && (
        <p className="muted small">
          Kiln {info.version} · {info.mode} · {info.platform}
        </p>
      )}
    </section>
  );
}
