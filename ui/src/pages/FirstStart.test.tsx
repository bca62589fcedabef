import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { render } from "../test-render";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { RealPosSettings } from "../bindings";
import { FirstStart } from "./FirstStart";

const chooseMode = vi.fn();
const realPosSettings = vi.fn();
vi.mock("../api", async (original) => ({
  ...(await original<typeof import("../api")>()),
  api: {
    chooseMode: (...args: unknown[]) => chooseMode(...args) as unknown,
    realPosSettings: () => realPosSettings() as unknown,
  },
}));
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
    realPosSettings.mockResolvedValue(SAVED);
    chooseMode.mockResolvedValue({});
    render(<FirstStart />);
    fireEvent.click(screen.getByRole("button", { name: /Explore with the sandbox/ }));
    await waitFor(() => { expect(reload).toHaveBeenCalled(); });
    expect(chooseMode).toHaveBeenCalledWith("sandbox", null);
  });

  it("connects the real POS with what was entered, and shows a refusal without reloading", async () => {
    realPosSettings.mockResolvedValue(SAVED);
    render(<FirstStart />);
    fireEvent.click(screen.getByRole("button", { name: /Connect my POS/ }));
    fireEvent.change(await screen.findByLabelText("POSaBIT API address"), { target: { value: "pos.example" } });
    fireEvent.change(screen.getByLabelText(/POSaBIT integrator token/), { target: { value: "tok" } });
    chooseMode.mockRejectedValueOnce({ code: "validation", message: "The POSaBIT API address must be a web address." });
    fireEvent.submit(screen.getByRole("form", { name: "Your POS" }));
    expect(await screen.findByText("The POSaBIT API address must be a web address.")).toBeTruthy();
    expect(reload).not.toHaveBeenCalled();
    expect(chooseMode).toHaveBeenCalledWith("real", {
      addresses: { posabit_url: "pos.example", greenbits_url: "https://api.greenbits.com/api", sms_url: null },
      posabit_token: "tok",
      sms_token: "",
    });
  });

  it("says a kept token stays when its field is left blank", async () => {
    realPosSettings.mockResolvedValue({ ...SAVED, posabit_token_saved: true });
    render(<FirstStart />);
    fireEvent.click(screen.getByRole("button", { name: /Connect my POS/ }));
    expect(await screen.findByText(/Saved in the keychain — leave blank to keep it/)).toBeTruthy();
  });
});
