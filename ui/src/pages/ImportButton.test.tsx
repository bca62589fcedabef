import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { render } from "../test-render";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi } from "../test-api";
import { ImportButton, describeImport } from "./ImportButton";

vi.mock("../api", () => import("../test-api").then((m) => m.apiModule));

afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

describe("ImportButton", () => {
  it("words an import in one sentence", () => {
    expect(describeImport("a.csv", { rows: 3, created: 2, merged: 1, rejected: 0, errors: [] })).toBe("Imported a.csv: 2 new, 1 merged.");
  });

  it("imports the picked file and lists the skipped lines", async () => {
    fakeApi.pickOpenPath.mockResolvedValue("/home/me/shoppers.csv");
    fakeApi.importPersonas.mockResolvedValue({
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
    expect(fakeApi.importPersonas.mock.calls[0]?.[0]).toBe("/home/me/shoppers.csv");
    expect(await screen.findByText("Line 4: the phone is not a US phone number")).toBeTruthy();
    expect(screen.getByText("Only the first 1 are listed.")).toBeTruthy();
  });

  it("does nothing when the user cancels the file dialog", async () => {
    fakeApi.pickOpenPath.mockResolvedValue(null);
    render(<ImportButton onImported={vi.fn()} />);
    fireEvent.click(screen.getByRole("button", { name: "Import CSV" }));
    await waitFor(() => { expect(fakeApi.pickOpenPath).toHaveBeenCalled(); });
    expect(fakeApi.importPersonas).not.toHaveBeenCalled();
  });
});
