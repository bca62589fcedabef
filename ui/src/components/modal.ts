// One focus trap for every modal: Tab and Shift+Tab cycle through the enabled, focusable controls
// inside (a disabled button is no stop), Escape cancels, and focus goes back to the opener when
// the modal closes.
import { useEffect, type KeyboardEvent, type RefObject } from "react";

const FOCUSABLE = "button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [href], [tabindex]:not([tabindex='-1'])";

/** Focuses `initial` (else the first control) on open and the opener again on close. */
export function useModalFocus(container: RefObject<HTMLElement | null>, initial?: RefObject<HTMLElement | null>) {
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const first = initial?.current ?? container.current?.querySelector<HTMLElement>(FOCUSABLE);
    first?.focus();
    return () => opener?.focus();
  }, [container, initial]);
}

/** The modal's key handler: Escape calls `onCancel`; Tab wraps around the enabled controls. */
export function modalKeyDown(container: HTMLElement | null, onCancel: () => void) {
  return (event: KeyboardEvent) => {
    if (event.key === "Escape") {
      event.preventDefault();
      onCancel();
      return;
    }
    if (event.key !== "Tab" || !container) return;
    const focusable = Array.from(container.querySelectorAll<HTMLElement>(FOCUSABLE));
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (!first || !last) return;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };
}
