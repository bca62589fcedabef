import { useRef, type ReactNode } from "react";
import { modalKeyDown, useModalFocus } from "./modal";

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
 * A warning dialog as the UI guide asks: announced as an alert dialog, focus trapped inside (a
 * disabled button is no stop), Escape cancels, the safe button is focused first and sits left of
 * the dangerous one, and focus returns to the opener.
 */
export function ConfirmDialog({ title, children, confirmLabel, onConfirm, onCancel, confirmDisabled = false }: Props) {
  const dialog = useRef<HTMLDivElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);

  useModalFocus(dialog, cancel);

  return (
    <div className="dialog-backdrop">
      <div
        ref={dialog}
        className="dialog"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="dialog-title"
        aria-describedby="dialog-body"
        onKeyDown={(event) => { modalKeyDown(dialog.current, onCancel)(event); }}
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
