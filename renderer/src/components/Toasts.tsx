import { uiStore, useUi } from '../stores/index.ts';
import { ToastRegion, ToastView } from '../ui/Toast.tsx';

export function Toasts() {
  const toasts = useUi((s) => s.toasts);
  return (
    <ToastRegion>
      {toasts.map((t) => (
        <ToastView key={t.id} tone={t.tone} message={t.message} timeout={t.timeout} action={t.action} onDismiss={() => uiStore.getState().dismiss(t.id)} />
      ))}
    </ToastRegion>
  );
}
