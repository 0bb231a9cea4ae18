import { useEffect } from 'react';
import { uiStore, useUi } from '../stores/index.ts';
import type { Toast } from '../stores/ui.ts';

export function Toasts() {
  const toasts = useUi((s) => s.toasts);
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => <ToastItem key={t.id} t={t} />)}
    </div>
  );
}

function ToastItem({ t }: { t: Toast }) {
  useEffect(() => {
    if (!t.timeout) return;
    const h = setTimeout(() => uiStore.getState().dismiss(t.id), t.timeout);
    return () => clearTimeout(h);
  }, [t.id, t.timeout]);
  return (
    <div className={`toast ${t.tone}`} role={t.tone === 'error' ? 'alert' : 'status'}>
      <span>{t.message}</span>
      {t.action && (
        <button type="button" className="btn small" onClick={() => { t.action!.run(); uiStore.getState().dismiss(t.id); }}>
          {t.action.label}
        </button>
      )}
      <button type="button" className="btn icon small" aria-label="Dismiss" onClick={() => uiStore.getState().dismiss(t.id)}>×</button>
    </div>
  );
}
