import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { render } from "../test-render";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi } from "../test-api";
import { SANDBOX_STATUS } from "../test-fixtures";
import type { RealPosSettings } from "../bindings";
import { FirstStart } from "./FirstStart";

vi.mock("../api", () => import("../test-api").then((m) => m.apiModule));
const reload = vi.fn();
Object.defineProperty(window, "location", { value: { reload }, writable: true });

const SAVED: RealPosSettings = {
  addresses: { posabit_url: "https://app.posabit.com/api", greenbits_url: "https://api.greenbits.com/api", sms_url: null },
  posabit_token_saved: false,
  sms_token_saved: false,
  environment_overrides: [],
};

afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

describe("FirstStart", () => {
  it("puts Canopy on the sandbox and reloads", async () => {
    fakeApi.realPosSettings.mockResolvedValue(SAVED);
    fakeApi.chooseMode.mockResolvedValue(SANDBOX_STATUS);
    render(<FirstStart />);
    fireEvent.click(screen.getByRole("button", { name: /Explore with the sandbox/ }));
    await waitFor(() => { expect(reload).toHaveBeenCalled(); });
    expect(fakeApi.chooseMode).toHaveBeenCalledWith("sandbox", null);
  });

  it("connects the real POS with what was entered, and shows a refusal without reloading", async () => {
    fakeApi.realPosSettings.mockResolvedValue(SAVED);
    render(<FirstStart />);
    fireEvent.click(screen.getByRole("button", { name: /Connect my POS/ }));
    fireEvent.change(await screen.findByLabelText("POSaBIT API address"), { target: { value: "pos.example" } });
    fireEvent.change(screen.getByLabelText(/POSaBIT integrator token/), { target: { value: "tok" } });
    fakeApi.chooseMode.mockRejectedValueOnce({ code: "validation", message: "The POSaBIT API address must be a web address." });
    fireEvent.submit(screen.getByRole("form", { name: "Your POS" }));
    expect(await screen.findByText("The POSaBIT API address must be a web address.")).toBeTruthy();
    expect(reload).not.toHaveBeenCalled();
    expect(fakeApi.chooseMode).toHaveBeenCalledWith("real", {
      addresses: { posabit_url: "pos.example", greenbits_url: "https://api.greenbits.com/api", sms_url: null },
      posabit_token: "tok",
      sms_token: "",
    });
  });

  it("says a kept token stays when its field is left blank", async () => {
    fakeApi.realPosSettings.mockResolvedValue({ ...SAVED, posabit_token_saved: true });
    render(<FirstStart />);
    fireEvent.click(screen.getByRole("button", { name: /Connect my POS/ }));
    expect(await screen.findByText(/Saved in the keychain — leave blank to keep it/)).toBeTruthy();
  });
});
