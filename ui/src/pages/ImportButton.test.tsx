import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { render } from "../test-render";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ImportButton, describeImport } from "./ImportButton";

const pickOpenPath = vi.fn();
const importPersonas = vi.fn();
vi.mock("../api", () => ({
  api: {
    pickOpenPath: () => pickOpenPath() as unknown,
    importPersonas: (...args: unknown[]) => importPersonas(...args) as unknown,
  },
}));

afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

describe("ImportButton", () => {
  it("words an import in one sentence", () => {
    expect(describeImport("a.csv", { rows: 3, created: 2, merged: 1, rejected: 0, errors: [] })).toBe("Imported a.csv: 2 new, 1 merged.");
  });

  it("imports the picked file and lists the skipped lines", async () => {
    pickOpenPath.mockResolvedValue("/home/me/shoppers.csv");
    importPersonas.mockResolvedValue({
      rows: 6,
      created: 2,
      merged: 1,
      rejected: 3,
      errors: [{ line: 4, reason: "the phone is not a US phone number" }],
    });
    const onImported = vi.fn();
    render(<ImportButton onImported={onImported} />);
    fireEvent.click(screen.getByRole("button", { name: "Import CSV" }));
    await waitFor(() => { expect(onImported).toHaveBeenCalledWith("Imported shoppers.csv: 2 new, 1 merged, 3 skipped."); });
    expect(importPersonas.mock.calls[0]?.[0]).toBe("/home/me/shoppers.csv");
    expect(await screen.findByText("Line 4: the phone is not a US phone number")).toBeTruthy();
    expect(screen.getByText("Only the first 1 are listed.")).toBeTruthy();
  });

  it("does nothing when the user cancels the file dialog", async () => {
    pickOpenPath.mockResolvedValue(null);
    render(<ImportButton onImported={vi.fn()} />);
    fireEvent.click(screen.getByRole("button", { name: "Import CSV" }));
    await waitFor(() => { expect(pickOpenPath).toHaveBeenCalled(); });
    expect(importPersonas).not.toHaveBeenCalled();
  });
});
