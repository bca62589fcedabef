import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfirmDialog } from "./ConfirmDialog";

afterEach(cleanup);

describe("ConfirmDialog", () => {
  it("keeps Tab inside, skipping the disabled confirm button, and returns focus to its opener", () => {
    const opener = document.createElement("button");
    document.body.append(opener);
    opener.focus();
    const onCancel = vi.fn();
    const { unmount } = render(
      <ConfirmDialog title="Removing it drops members" confirmLabel="Remove" confirmDisabled onConfirm={vi.fn()} onCancel={onCancel}>
        <label>
          <input type="checkbox" /> I understand
        </label>
      </ConfirmDialog>,
    );
    const cancel = screen.getByRole("button", { name: "Cancel" });
    expect(document.activeElement).toBe(cancel);
    // Cancel is the last enabled stop: Tab wraps to the checkbox instead of leaving the dialog.
    fireEvent.keyDown(cancel, { key: "Tab" });
    expect(document.activeElement).toBe(screen.getByRole("checkbox"));
    fireEvent.keyDown(screen.getByRole("checkbox"), { key: "Tab", shiftKey: true });
    expect(document.activeElement).toBe(cancel);
    fireEvent.keyDown(cancel, { key: "Escape" });
    expect(onCancel).toHaveBeenCalledOnce();
    unmount();
    expect(document.activeElement).toBe(opener);
    opener.remove();
  });
});
