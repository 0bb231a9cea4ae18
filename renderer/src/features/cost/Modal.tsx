import { useEffect, useId, useRef, type ReactNode } from 'react';

// A modal on the platform's own <dialog> (showModal: top layer, inert page, Escape), so the money
// screens depend on neither the old dialog component nor the Radix one that replaces it.
// `data-kiln-modal` and the `dialog` class are what the composer's Ctrl+Enter guard looks for
// (old and new), so a shortcut never runs behind the prompt.

export function Modal({ title, onClose, children, className = '', role, describedBy }: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  className?: string;
  role?: 'alertdialog';
  describedBy?: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const hid = useId();
  const close = useRef(onClose);
  close.current = onClose;
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    const prev = document.activeElement as HTMLElement | null;
    if (!d.open) d.showModal();
    // showModal focuses the first control (Close); a dialog may name a safer one (the prompt's Cancel).
    d.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    // Escape arrives as `cancel`: close through the owner, so its state says closed too.
    const onCancel = (e: Event) => { e.preventDefault(); close.current(); };
    d.addEventListener('cancel', onCancel);
    return () => { d.removeEventListener('cancel', onCancel); if (d.open) d.close(); prev?.focus?.(); };
  }, []);
  return (
    <dialog ref={ref} className={`dialog money-modal ${className}`} role={role} aria-labelledby={hid} aria-describedby={describedBy} data-kiln-modal="">
      <div className="dialog-head">
        <h2 id={hid}>{title}</h2>
        <button type="button" className="btn icon dialog-close" aria-label="Close" onClick={onClose}>×</button>
      </div>
      <div className="dialog-body">{children}</div>
    </dialog>
  );
}
