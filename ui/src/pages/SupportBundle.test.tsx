import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { render } from "../test-render";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi } from "../test-api";
import { SupportBundle } from "./SupportBundle";

vi.mock("../api", () => import("../test-api").then((m) => m.apiModule));

afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

const ENTRIES = [
  { name: "runs.json", what: "The most recent sync runs with their counts and errors.", bytes: 2048 },
  { name: "log.txt", what: "The last lines of the app's log (contacts masked).", bytes: 300 },
];

describe("SupportBundle", () => {
  it("shows every file before saving, then saves where the user chose", async () => {
    fakeApi.supportBundleContents.mockResolvedValue(ENTRIES);
    fakeApi.pickBundlePath.mockResolvedValue("/tmp/support.zip");
    fakeApi.saveSupportBundle.mockResolvedValue(ENTRIES);
    const onToast = vi.fn();
    render(<SupportBundle onToast={onToast} />);
    fireEvent.click(screen.getByRole("button", { name: "Create support bundle" }));
    expect(await screen.findByText("runs.json")).toBeTruthy();
    expect(screen.getByText("2.0 KB")).toBeTruthy();
    expect(fakeApi.saveSupportBundle).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole("button", { name: "Save support bundle…" }));
    await waitFor(() => { expect(onToast).toHaveBeenCalledWith("Support bundle saved to /tmp/support.zip."); });
    expect(fakeApi.saveSupportBundle).toHaveBeenCalledWith("/tmp/support.zip");
  });

  it("saves nothing when the user cancels the file dialog, and shows a failure", async () => {
    fakeApi.supportBundleContents.mockResolvedValue(ENTRIES);
    fakeApi.pickBundlePath.mockResolvedValueOnce(null);
    render(<SupportBundle onToast={vi.fn()} />);
    fireEvent.click(screen.getByRole("button", { name: "Create support bundle" }));
    fireEvent.click(await screen.findByRole("button", { name: "Save support bundle…" }));
    await waitFor(() => { expect(fakeApi.pickBundlePath).toHaveBeenCalled(); });
    expect(fakeApi.saveSupportBundle).not.toHaveBeenCalled();
    fakeApi.pickBundlePath.mockResolvedValueOnce("/readonly/support.zip");
    fakeApi.saveSupportBundle.mockRejectedValueOnce({ code: "internal", message: "Could not save the support bundle: permission denied" });
    fireEvent.click(screen.getByRole("button", { name: "Save support bundle…" }));
    expect(await screen.findByText("Could not save the support bundle: permission denied")).toBeTruthy();
  });
});
