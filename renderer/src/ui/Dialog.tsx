import type { ReactNode, KeyboardEvent } from 'react';
import * as D from '@radix-ui/react-dialog';

// The one modal dialog (Radix underneath, ARCHITECTURE.md, "Where each rule lives" "accessible primitives wrapped once"): focus
// moves in and is trapped, the rest of the page is hidden from assistive technology, Escape and
// an outside press close only the topmost dialog, and focus returns where it was. Features import
// this, never @radix-ui directly, so the library can change in one place.

/** Marks open modal content, so global shortcuts (Ctrl+Enter) know the page behind is not in use. */
export const MODAL_ATTR = 'data-kiln-modal';

export function isModalOpen(): boolean {
  return document.querySelector(`[${MODAL_ATTR}]`) !== null;
}

interface Props {
  title: ReactNode;
  onClose: () => void;
  children: ReactNode;
  className?: string;
  /** The title is read by screen readers but not shown (the detail view shows the prompt instead). */
  hideTitle?: boolean;
  /** Whether the standard header (title and Close button) is drawn. */
  header?: boolean;
  /** Bare: no backdrop-centred box, the content is styled by className (the full-screen detail view). */
  bare?: boolean;
  onKeyDown?: (e: KeyboardEvent<HTMLDivElement>) => void;
  /** 'alertdialog' for a question that interrupts (the budget prompt): read out as an alert. */
  role?: 'alertdialog';
  /** Id of the text that explains the dialog (an alertdialog's question). */
  describedBy?: string;
  /** Where focus goes on open; by default the first control (the Close button). */
  initialFocus?: () => HTMLElement | null;
}

export function Dialog({ title, onClose, children, className = '', hideTitle, header = true, bare, onKeyDown, role, describedBy, initialFocus }: Props) {
  const onOpenAutoFocus =
    initialFocus &&
    ((e: Event) => {
      const el = initialFocus();
      if (el) {
        e.preventDefault();
        el.focus();
      }
    });
  const content = (
    <D.Content
      className={bare ? className : `dialog ${className}`}
      {...{ [MODAL_ATTR]: '' }}
      role={role ?? 'dialog'}
      aria-describedby={describedBy}
      onKeyDown={onKeyDown}
      onOpenAutoFocus={onOpenAutoFocus}
    >
      {header ? (
        <div className="dialog-head">
          <D.Title className={hideTitle ? 'visually-hidden' : undefined}>{title}</D.Title>
          <D.Close className="btn icon dialog-close" aria-label="Close">
            ×
          </D.Close>
        </div>
      ) : (
        <D.Title className="visually-hidden">{title}</D.Title>
      )}
      {bare ? children : <div className="dialog-body">{children}</div>}
    </D.Content>
  );
  return (
    <D.Root
      open
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
    >
      <D.Portal>{bare ? content : <D.Overlay className="backdrop">{content}</D.Overlay>}</D.Portal>
    </D.Root>
  );
}

/** The Close button of the enclosing dialog, for layouts that draw their own header. */
export function DialogClose({ className = 'btn icon', label = 'Close', children = '×' }: { className?: string; label?: string; children?: ReactNode }) {
  return (
    <D.Close className={className} aria-label={label}>
      {children}
    </D.Close>
  );
}
