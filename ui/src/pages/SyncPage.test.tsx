import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { IntegrationHealth, SyncRunRow } from "../bindings";
import { formatDuration, SyncPage } from "./SyncPage";

const syncIntegration = vi.fn();
const health: IntegrationHealth[] = [
  {
    integration: "posabit",
    active: false,
    verdict: "Needs attention: the last sync of “Capitol Hill” failed — POSaBIT did not accept this key.",
    personas: 290,
    stores: [
      {
        credential_id: "c1",
        store_key: "c1",
        label: "Capitol Hill",
        mapped_store: null,
        last_success_at: "2026-11-29T10:00:00Z",
        current_as_of: "2026-11-29T09:59:00Z",
        last_error: "POSaBIT did not accept this key.",
        personas: 290,
        purchases: 600,
      },
    ],
  },
];
const runs: SyncRunRow[] = [
  {
    id: 2, integration: "posabit", store_name: "Capitol Hill", store_label: "Capitol Hill", stream: "sales",
    trigger: "schedule", started_at: "2026-11-29T10:15:00Z", duration_ms: 2500, pages: 2, seen: 601, new: 0,
    changed: 0, rejected: 1, retries: 3, error_code: "pos_auth_failed", error_message: "POSaBIT did not accept this key.",
  },
];
vi.mock("../api", () => ({
  api: {
    syncHealth: () => Promise.resolve(health),
    syncHistory: () => Promise.resolve(runs),
    syncInterval: () => Promise.resolve(15),
    setSyncInterval: (m: number) => Promise.resolve(m),
    syncIntegration: (...args: unknown[]) => syncIntegration(...args) as unknown,
  },
}));

afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

describe("SyncPage", () => {
  it("answers whether the integration is active, per store, and lists each run with its result", async () => {
    render(<SyncPage onToast={vi.fn()} changed={0} />);
    expect(await screen.findByText(/Needs attention: the last sync of “Capitol Hill” failed/)).toBeTruthy();
    expect(screen.getByText("Not active")).toBeTruthy();
    expect(screen.getByText("Unmapped")).toBeTruthy();
    const history = screen.getByTestId("sync-history");
    expect(history.textContent).toContain("schedule");
    expect(history.textContent).toContain("2.5 s");
    expect(history.textContent).toContain("POS auth failed");
  });

  it("syncs one credential from its health row and says how it went", async () => {
    syncIntegration.mockResolvedValue([]);
    const onToast = vi.fn();
    render(<SyncPage onToast={onToast} changed={0} />);
    fireEvent.click(await screen.findByRole("button", { name: "Sync Capitol Hill now" }));
    await waitFor(() => {
      expect(onToast).toHaveBeenCalledWith("Capitol Hill synced.");
    });
    expect(syncIntegration).toHaveBeenCalledWith("posabit", "c1", expect.any(Function));
  });

  it("formats durations for people", () => {
    expect(formatDuration(null)).toBe("—");
    expect(formatDuration(1234)).toBe("1.2 s");
    expect(formatDuration(125_000)).toBe("2 min 5 s");
  });
});
