import { useEffect, useRef, type ReactNode } from 'react';

// Toasts: announced politely (errors assertively), and their timer pauses while the pointer is
// over them or focus is in them, so "Deleted … · Undo" never vanishes under a reading eye or a
// hand on its way to Undo. Not Radix's Toast: it makes every toast a dismissable layer, so the
// Escape meant for an open dialog closed the newest toast instead (docs/DECISIONS.md).

export function ToastRegion({ children }: { children: ReactNode }) {
  return (
    <section className="toasts" aria-label="Notifications" aria-live="polite">
      {children}
    </section>
  );
}

export interface ToastProps {
  tone: 'info' | 'error' | 'success';
  message: string;
  /** ms; 0 = stays until dismissed */
  timeout: number;
  action?: { label: string; run: () => void };
  onDismiss: () => void;
}

export function ToastView({ tone, message, timeout, action, onDismiss }: ToastProps) {
  const dismiss = useRef(onDismiss);
  useEffect(() => {
    dismiss.current = onDismiss;
  });
  const clock = useRef<{ left: number; since: number; handle: ReturnType<typeof setTimeout> | null; held: Set<string> }>({
    left: timeout,
    since: 0,
    handle: null,
    held: new Set(),
  });

  useEffect(() => {
    const c = clock.current;
    if (timeout > 0 && !c.held.size) {
      c.since = Date.now();
      c.handle = setTimeout(() => dismiss.current(), c.left);
    }
    return () => {
      if (c.handle) clearTimeout(c.handle);
      c.handle = null;
    };
  }, [timeout]);

  /** `why` (hover, focus) holds the timer; the time left is kept, not restarted. */
  const hold = (why: string) => {
    const c = clock.current;
    if (timeout <= 0) return;
    if (!c.held.size && c.handle) {
      clearTimeout(c.handle);
      c.handle = null;
      c.left = Math.max(0, c.left - (Date.now() - c.since));
    }
    c.held.add(why);
  };
  const release = (why: string) => {
    const c = clock.current;
    if (timeout <= 0 || !c.held.delete(why) || c.held.size) return;
    c.since = Date.now();
    c.handle = setTimeout(() => dismiss.current(), Math.max(c.left, 1_000));
  };

  return (
    <div
      className={`toast ${tone}`}
      role={tone === 'error' ? 'alert' : 'status'}
      onMouseEnter={() => hold('hover')}
      onMouseLeave={() => release('hover')}
      onFocus={() => hold('focus')}
      onBlur={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) release('focus');
      }}
    >
      <span>{message}</span>
      {action && (
        <button
          type="button"
          className="btn small"
          onClick={() => {
            action.run();
            onDismiss();
          }}
        >
          {action.label}
        </button>
      )}
      <button type="button" className="btn icon small" aria-label="Dismiss" onClick={onDismiss}>
        ×
      </button>
    </div>
  );
}
