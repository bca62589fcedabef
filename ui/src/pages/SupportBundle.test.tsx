import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { render } from "../test-render";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SupportBundle } from "./SupportBundle";

const supportBundleContents = vi.fn();
const saveSupportBundle = vi.fn();
const pickBundlePath = vi.fn();
vi.mock("../api", async (original) => ({
  ...(await original<typeof import("../api")>()),
  api: {
    supportBundleContents: () => supportBundleContents() as unknown,
    saveSupportBundle: (...args: unknown[]) => saveSupportBundle(...args) as unknown,
    pickBundlePath: (...args: unknown[]) => pickBundlePath(...args) as unknown,
  },
}));

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
    supportBundleContents.mockResolvedValue(ENTRIES);
    pickBundlePath.mockResolvedValue("/tmp/support.zip");
    saveSupportBundle.mockResolvedValue(ENTRIES);
    const onToast = vi.fn();
    render(<SupportBundle onToast={onToast} />);
    fireEvent.click(screen.getByRole("button", { name: "Create support bundle" }));
    expect(await screen.findByText("runs.json")).toBeTruthy();
    expect(screen.getByText("2.0 KB")).toBeTruthy();
    expect(saveSupportBundle).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole("button", { name: "Save support bundle…" }));
    await waitFor(() => { expect(onToast).toHaveBeenCalledWith("Support bundle saved to /tmp/support.zip."); });
    expect(saveSupportBundle).toHaveBeenCalledWith("/tmp/support.zip");
  });

  it("saves nothing when the user cancels the file dialog, and shows a failure", async () => {
    supportBundleContents.mockResolvedValue(ENTRIES);
    pickBundlePath.mockResolvedValueOnce(null);
    render(<SupportBundle onToast={vi.fn()} />);
    fireEvent.click(screen.getByRole("button", { name: "Create support bundle" }));
    fireEvent.click(await screen.findByRole("button", { name: "Save support bundle…" }));
    await waitFor(() => { expect(pickBundlePath).toHaveBeenCalled(); });
    expect(saveSupportBundle).not.toHaveBeenCalled();
    pickBundlePath.mockResolvedValueOnce("/readonly/support.zip");
    saveSupportBundle.mockRejectedValueOnce({ code: "internal", message: "Could not save the support bundle: permission denied" });
    fireEvent.click(screen.getByRole("button", { name: "Save support bundle…" }));
    expect(await screen.findByText("Could not save the support bundle: permission denied")).toBeTruthy();
  });
});
