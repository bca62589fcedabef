import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { render } from "../test-render";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fakeApi } from "../test-api";
import { LOYALTY_DEFAULTS } from "../test-fixtures";
import { LoyaltySettings } from "./LoyaltySettings";

vi.mock("../api", () => import("../test-api").then((m) => m.apiModule));

beforeEach(() => {
  fakeApi.loyaltySettings.mockResolvedValue(LOYALTY_DEFAULTS);
});

afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

describe("LoyaltySettings", () => {
  it("saves points per dollar, the accrual start date and the expiration", async () => {
    fakeApi.saveLoyaltySettings.mockResolvedValue(LOYALTY_DEFAULTS);
    const onToast = vi.fn();
    render(<LoyaltySettings onToast={onToast} />);
    await waitFor(() => { expect(screen.getByLabelText<HTMLInputElement>("Points per dollar").value).toBe("1"); });
    fireEvent.change(screen.getByLabelText("Points per dollar"), { target: { value: "2" } });
    fireEvent.change(screen.getByLabelText(/Points accrual start date/), { target: { value: "2026-02-01" } });
    expect(screen.getByLabelText<HTMLInputElement>("Expire after (days)").disabled).toBe(true);
    fireEvent.change(screen.getByLabelText(/Points expiration/), { target: { value: "fifo" } });
    fireEvent.change(screen.getByLabelText("Expire after (days)"), { target: { value: "90" } });
    fireEvent.click(screen.getByRole("button", { name: "Save loyalty settings" }));
    await waitFor(() => {
      expect(fakeApi.saveLoyaltySettings).toHaveBeenCalledWith({
        points_per_dollar: 2,
        accrual_start: "2026-02-01",
        expiration: "fifo",
        expiration_days: 90,
        sms_max_requests: 2,
      });
    });
    expect(onToast).toHaveBeenCalledWith("Loyalty settings saved: they apply to sales synced from now on.");
  });

  it("shows why a value is refused", async () => {
    fakeApi.saveLoyaltySettings.mockRejectedValue({ code: "validation", message: "Points per dollar must be between 0 and 100." });
    render(<LoyaltySettings onToast={vi.fn()} />);
    fireEvent.click(await screen.findByRole("button", { name: "Save loyalty settings" }));
    expect(await screen.findByText("Points per dollar must be between 0 and 100.")).toBeTruthy();
  });
});
