import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { render } from "../test-render";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi } from "../test-api";
import { credentialFixture } from "../test-fixtures";
import type { GreenbitsLogin } from "../bindings";
import { GreenbitsCredentialForm } from "./GreenbitsCard";

vi.mock("../api", () => import("../test-api").then((m) => m.apiModule));

afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

const found: GreenbitsLogin = {
  login_id: "l1",
  username: "clerk",
  email: "clerk@example.com",
  permissions: [
    { key: "view_customer", label: "View Customer", granted: true },
    { key: "update_customer", label: "Update Customer", granted: false, remedy: "Give this user Update Customer." },
  ],
  locations: [
    { id: 5001, name: "Evergreen Ballard", state: "WA" },
    { id: 5002, name: "Evergreen Eugene", state: "OR" },
  ],
};

describe("GreenbitsCredentialForm", () => {
  it("logs in, shows the pre-flight and locations, forgets the password and adds the picked locations", async () => {
    fakeApi.greenbitsLogin.mockResolvedValue(found);
    fakeApi.addGreenbitsCredential.mockResolvedValue({ credential: credentialFixture({ integration: "greenbits", store_name: "clerk" }), key_was_trimmed: false });
    const onAdded = vi.fn();
    render(<GreenbitsCredentialForm onAdded={onAdded} />);
    fireEvent.change(screen.getByLabelText("Username"), { target: { value: "clerk" } });
    fireEvent.change(screen.getByLabelText(/^Password/), { target: { value: "secret-pw" } });
    fireEvent.change(screen.getByLabelText("Associated Email"), { target: { value: "clerk@example.com" } });
    fireEvent.click(screen.getByRole("button", { name: "Log in" }));

    expect(await screen.findByTestId("greenbits-preflight")).toBeTruthy();
    expect(fakeApi.greenbitsLogin).toHaveBeenCalledWith({ username: "clerk", password: "secret-pw" });
    expect(screen.getByText("Give this user Update Customer.")).toBeTruthy();
    expect(document.body.innerHTML).not.toContain("secret-pw");
    fireEvent.click(screen.getByRole("checkbox", { name: /Evergreen Eugene/ }));
    fireEvent.click(screen.getByRole("checkbox", { name: /medical patients/ }));
    fireEvent.click(screen.getByRole("button", { name: "Add Credential" }));
    await waitFor(() => {
      expect(onAdded).toHaveBeenCalled();
    });
    expect(fakeApi.addGreenbitsCredential).toHaveBeenCalledWith({ login_id: "l1", associated_email: "clerk@example.com", location_ids: [5001], medical_patients: true });
  });

  it("says why a log-in failed and keeps the form", async () => {
    fakeApi.greenbitsLogin.mockRejectedValue({ code: "pos_auth_failed", message: "Greenbits did not accept this username and password.", hint: "Check them." });
    render(<GreenbitsCredentialForm onAdded={vi.fn()} />);
    fireEvent.change(screen.getByLabelText("Username"), { target: { value: "clerk" } });
    fireEvent.change(screen.getByLabelText(/^Password/), { target: { value: "bad" } });
    fireEvent.change(screen.getByLabelText("Associated Email"), { target: { value: "c@example.com" } });
    fireEvent.click(screen.getByRole("button", { name: "Log in" }));
    expect(await screen.findByText("Greenbits did not accept this username and password.")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Log in" })).toBeTruthy();
  });
});
