import { QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render as renderBare, screen, waitFor, within } from "@testing-library/react";
import { render } from "../test-render";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fakeApi } from "../test-api";
import { CAPITOL_HILL } from "../test-fixtures";
import type { MirrorReport, Reward, RewardMirror } from "../bindings";
import { MirroredRewards } from "../cards/MirroredRewards";
import { MIRROR_STEPS } from "../labels";
import { createQueryClient, invalidationsFor } from "../queries";
import { MirrorPanel, RewardsPage } from "./RewardsPage";

vi.mock("../api", () => import("../test-api").then((m) => m.apiModule));

beforeEach(() => {
  fakeApi.listStores.mockResolvedValue([{ ...CAPITOL_HILL, id: 7 }]);
});

afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

const spring: Reward = {
  id: 1,
  name: "Spring Sale",
  points: 70,
  kind: "percent_off",
  value: 25,
  item: null,
  store_ids: [],
  starts_on: null,
  ends_on: null,
  retired_at: null,
};

function mirror(state: RewardMirror["state"], overrides: Partial<RewardMirror> = {}): RewardMirror {
  return {
    reward_id: 1,
    reward_name: "Spring Sale",
    integration: "posabit",
    store_key: `key-${state}`,
    store_label: "Capitol Hill",
    state,
    pos_name: null,
    pos_value: null,
    ...overrides,
  };
}

function report(rows: RewardMirror[]): MirrorReport {
  const mirrored = rows.every((r) => r.state === "mirrored") ? 1 : 0;
  return { rows, summaries: rows.length ? [{ integration: "posabit", mirrored, rewards: 1 }] : [] };
}

function backend(rewards: Reward[], rows: RewardMirror[]) {
  fakeApi.listRewards.mockResolvedValue(rewards);
  fakeApi.checkRewardMirrors.mockResolvedValue(report(rows));
  fakeApi.redemptionCounts.mockResolvedValue([{ reward_id: 1, store_name: "Capitol Hill", redemptions: 3, points: 210 }]);
  fakeApi.overdrawnPersonas.mockResolvedValue([]);
}

describe("RewardsPage", () => {
  it("lists each reward with what it gives, its mirror count and its redemptions in the period", async () => {
    backend([spring], [mirror("mirrored"), mirror("missing", { store_label: "Fremont" })]);
    render(<RewardsPage onToast={vi.fn()} />);
    const row = (await screen.findByRole("button", { name: "Spring Sale" })).closest("tr");
    if (!row) throw new Error("no row");
    expect(within(row).getByText("25% off")).toBeTruthy();
    expect(within(row).getByText("1 of 2 mirrored")).toBeTruthy();
    expect(within(row).getByText("3")).toBeTruthy();
    expect(fakeApi.redemptionCounts).toHaveBeenCalledWith(expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/));
  });

  it("creates a reward from the form, $ typed as dollars and sent as cents", async () => {
    backend([], []);
    fakeApi.saveReward.mockResolvedValue({ ...spring, id: 2, name: "$5 Loyalty Reward", kind: "amount_off", value: 500 });
    const onToast = vi.fn();
    render(<RewardsPage onToast={onToast} />);
    expect(await screen.findByText("No rewards yet — create one, then mirror it in your POS.")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "New reward" }));
    const form = screen.getByRole("form", { name: "New reward" });
    fireEvent.change(within(form).getByLabelText(/^Name/), { target: { value: "$5 Loyalty Reward" } });
    fireEvent.change(within(form).getByLabelText("Points"), { target: { value: "50" } });
    fireEvent.change(within(form).getByLabelText("Amount off ($)"), { target: { value: "5" } });
    fireEvent.click(within(form).getByLabelText("Capitol Hill"));
    fireEvent.click(within(form).getByRole("button", { name: "Save reward" }));
    await waitFor(() => { expect(onToast).toHaveBeenCalledWith("Reward “$5 Loyalty Reward” saved."); });
    expect(fakeApi.saveReward).toHaveBeenCalledWith(null, expect.objectContaining({ name: "$5 Loyalty Reward", points: 50, kind: "amount_off", value: 500, store_ids: [7] }));
  });

  it("keeps the form and shows the backend's reason when a name is taken", async () => {
    backend([spring], []);
    fakeApi.saveReward.mockRejectedValue({ code: "conflict", message: "A reward named “Spring Sale” already exists.", hint: "Pick another name." });
    render(<RewardsPage onToast={vi.fn()} />);
    fireEvent.click(await screen.findByRole("button", { name: "New reward" }));
    const form = screen.getByRole("form", { name: "New reward" });
    fireEvent.change(within(form).getByLabelText(/^Name/), { target: { value: " spring sale " } });
    fireEvent.click(within(form).getByRole("button", { name: "Save reward" }));
    expect(await within(form).findByText("A reward named “Spring Sale” already exists.")).toBeTruthy();
    expect(within(form).getByLabelText<HTMLInputElement>(/^Name/).value).toBe(" spring sale ");
  });

  it("retires a reward only after the dialog", async () => {
    backend([spring], []);
    fakeApi.retireReward.mockResolvedValue({ ...spring, retired_at: "2026-12-07T00:00:00Z" });
    render(<RewardsPage onToast={vi.fn()} />);
    fireEvent.click(await screen.findByRole("button", { name: "Retire" }));
    expect(fakeApi.retireReward).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole("button", { name: "Retire “Spring Sale”" }));
    await waitFor(() => { expect(fakeApi.retireReward).toHaveBeenCalledWith(1); });
  });
});

describe("MirrorPanel", () => {
  it("names each state, shows both spellings and the POS's value, and the seeds' steps while one is not mirrored", () => {
    render(
      <MirrorPanel
        reward={spring}
        mirrors={[
          mirror("mirrored"),
          mirror("name_differs", { pos_name: "spring  SALE", store_label: "Fremont" }),
          mirror("value_differs", { pos_value: "20% off", store_label: "Ballard", integration: "greenbits" }),
          mirror("inactive", { store_label: "Georgetown" }),
          mirror("missing", { store_label: "Tacoma" }),
        ]}
      />,
    );
    for (const label of ["Mirrored", "Name differs only in case or spacing", "Value differs", "Inactive in the POS", "Missing in POS"]) {
      expect(screen.getByText(label)).toBeTruthy();
    }
    // Both spellings exactly, spaces kept (the names are shown pre-formatted).
    const spellings = [...document.querySelectorAll("code.exact-name")].map((c) => c.textContent);
    expect(spellings).toEqual(["spring  SALE", "Spring Sale"]);
    expect(screen.getByText(/The POS gives 20% off; the reward gives 25% off/)).toBeTruthy();
    expect(screen.getByText(MIRROR_STEPS.posabit)).toBeTruthy();
    expect(screen.getByText(MIRROR_STEPS.greenbits)).toBeTruthy();
  });

  it("shows no steps once every store mirrors the reward", () => {
    render(<MirrorPanel reward={spring} mirrors={[mirror("mirrored")]} />);
    expect(screen.queryByText(MIRROR_STEPS.posabit)).toBeNull();
  });
});

describe("MirroredRewards (the card's section)", () => {
  it("counts the rewards mirrored in this POS and lists the others", async () => {
    fakeApi.checkRewardMirrors.mockResolvedValue(report([mirror("mirrored", { store_key: "a" }), mirror("missing", { store_label: "Fremont" })]));
    const client = createQueryClient();
    renderBare(
      <QueryClientProvider client={client}>
        <MirroredRewards integration="posabit" />
      </QueryClientProvider>,
    );
    expect(await screen.findByText("0 of 1 rewards mirrored")).toBeTruthy();
    expect(screen.getByText(/“Spring Sale” at Fremont/)).toBeTruthy();
    // A finished sync's event makes the check stale, and it runs again.
    fakeApi.checkRewardMirrors.mockResolvedValue(report([mirror("mirrored", { store_key: "a" })]));
    for (const queryKey of invalidationsFor({ type: "sync_finished", integration: "posabit", trigger: "manual", failed: false })) {
      void client.invalidateQueries({ queryKey });
    }
    expect(await screen.findByText("1 of 1 rewards mirrored")).toBeTruthy();
  });
});
