import { useEffect, useRef, type KeyboardEvent, type ReactNode } from "react";

interface Props {
  /** The consequence, first and plainly. */
  title: string;
  children?: ReactNode;
  /** What the dangerous button does, e.g. "Remove credential" — never "OK". */
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  /** Keeps the dangerous button disabled, e.g. until "I understand" is ticked. */
  confirmDisabled?: boolean;
}

/**
 * A warning dialog as the UI guide asks: announced as an alert dialog, focus trapped inside, Escape
 * cancels, the safe button is focused first and sits left of the dangerous one.
 */
export function ConfirmDialog({ title, children, confirmLabel, onConfirm, onCancel, confirmDisabled = false }: Props) {
  const dialog = useRef<HTMLDivElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    cancel.current?.focus();
    return () => previous?.focus();
  }, []);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Escape") {
      event.preventDefault();
      onCancel();
      return;
    }
    if (event.key !== "Tab" || !dialog.current) return;
    const focusable = Array.from(dialog.current.querySelectorAll<HTMLElement>("button, input, [href], [tabindex]:not([tabindex='-1'])"));
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last?.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first?.focus();
    }
  };

  return (
    <div className="dialog-backdrop">
      <div
        ref={dialog}
        className="dialog"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="dialog-title"
        aria-describedby="dialog-body"
        onKeyDown={onKeyDown}
      >
        <h2 id="dialog-title">{title}</h2>
        <div id="dialog-body">{children}</div>
        <div className="dialog-actions">
          <button ref={cancel} type="button" className="secondary" onClick={onCancel}>
            Cancel
          </button>
          <button type="button" className="danger" disabled={confirmDisabled} onClick={onConfirm}>
            {confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}
