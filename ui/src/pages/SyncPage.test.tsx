import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { render } from "../test-render";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fakeApi } from "../test-api";
import type { IntegrationHealth, SyncRunRow } from "../bindings";
import { PresenterContext } from "../presenter";
import { formatDuration, SyncPage } from "./SyncPage";

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
    warning: null,
  },
  {
    id: 1, integration: "posabit", store_name: "Capitol Hill", store_label: "Capitol Hill", stream: "customers",
    trigger: "manual", started_at: "2026-11-29T10:00:00Z", duration_ms: 900, pages: 1, seen: 300, new: 300,
    changed: 0, rejected: 0, retries: 0, error_code: null, error_message: null, warning: null,
  },
];
vi.mock("../api", () => import("../test-api").then((m) => m.apiModule));

beforeEach(() => {
  fakeApi.syncHealth.mockImplementation(() => Promise.resolve(health));
  fakeApi.syncInterval.mockImplementation(() => Promise.resolve(15));
  fakeApi.setSyncInterval.mockImplementation((m: number) => Promise.resolve(m));
});

afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});
beforeEach(() => {
  fakeApi.syncHistory.mockResolvedValue(runs);
});

describe("SyncPage", () => {
  it("shows what a run skipped and why, masked while presenting; filters runs with problems", async () => {
    fakeApi.syncHistory.mockImplementation((_limit, onlyProblems) =>
      Promise.resolve(onlyProblems === true ? runs.filter((r) => r.rejected > 0) : runs),
    );
    fakeApi.rejectedRecords.mockResolvedValue([{ pos_id: "C-17", field: "telephone", reason: "“206-555-0100” is not on file" }]);
    render(
      <PresenterContext.Provider value={true}>
        <SyncPage onToast={vi.fn()} />
      </PresenterContext.Provider>,
    );
    expect(await screen.findAllByRole("button", { name: /What went wrong in Capitol Hill/ })).toHaveLength(1);
    fireEvent.click(screen.getByRole("button", { name: /What went wrong in Capitol Hill/ }));
    const detail = await screen.findByTestId("run-detail");
    await waitFor(() => { expect(detail.textContent).toContain("C-17"); });
    expect(fakeApi.rejectedRecords).toHaveBeenCalledWith(2);
    expect(detail.textContent).toContain("telephone");
    expect(detail.textContent).not.toContain("555-0100");
    expect(detail.textContent).toContain("Stopped:");
    fireEvent.click(screen.getByRole("checkbox", { name: /Only runs with problems/ }));
    await waitFor(() => { expect(fakeApi.syncHistory).toHaveBeenLastCalledWith(200, true); });
    await waitFor(() => { expect(screen.getByTestId("sync-history").querySelectorAll(":scope > tbody > tr:not(.run-detail-row)").length).toBe(1); });
  });

  it("answers whether the integration is active, per store, and lists each run with its result", async () => {
    render(<SyncPage onToast={vi.fn()} />);
    expect(await screen.findByText(/Needs attention: the last sync of “Capitol Hill” failed/)).toBeTruthy();
    expect(screen.getByText("Not active")).toBeTruthy();
    expect(screen.getByText("Unmapped")).toBeTruthy();
    const history = screen.getByTestId("sync-history");
    expect(history.textContent).toContain("schedule");
    expect(history.textContent).toContain("2.5 s");
    expect(history.textContent).toContain("POS auth failed");
  });

  it("syncs one credential from its health row and says how it went", async () => {
    fakeApi.syncIntegration.mockResolvedValue([]);
    const onToast = vi.fn();
    render(<SyncPage onToast={onToast} />);
    fireEvent.click(await screen.findByRole("button", { name: "Sync now Capitol Hill" }));
    await waitFor(() => {
      expect(onToast).toHaveBeenCalledWith("Capitol Hill synced.");
    });
    expect(fakeApi.syncIntegration).toHaveBeenCalledWith("posabit", "c1", expect.any(Function));
  });

  it("formats durations for people", () => {
    expect(formatDuration(null)).toBe("—");
    expect(formatDuration(1234)).toBe("1.2 s");
    expect(formatDuration(125_000)).toBe("2 min 5 s");
  });
});
