import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { render } from "../test-render";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Credential } from "../bindings";
import { TestConnectionButton, describeTest } from "./TestConnectionButton";

const testConnection = vi.fn();
const logInGreenbitsAgain = vi.fn();
vi.mock("../api", () => ({
  api: {
    testConnection: (...args: unknown[]) => testConnection(...args) as unknown,
    logInGreenbitsAgain: (...args: unknown[]) => logInGreenbitsAgain(...args) as unknown,
  },
}));

afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

const credential = { id: "c1", store_name: "Capitol Hill" } as unknown as Credential;

describe("TestConnectionButton", () => {
  it("words the result: nothing changed, or each change", () => {
    expect(describeTest("Capitol Hill", [])).toBe("“Capitol Hill”: the connection works and nothing changed.");
    expect(describeTest("Ballard", ["Menu Feed Access is now granted."])).toBe("“Ballard”: Menu Feed Access is now granted.");
  });

  it("runs the test, toasts what it found and refreshes the card; a refusal shows its error", async () => {
    testConnection.mockResolvedValueOnce({ credential, changes: ["Venue Data Access is no longer granted."] });
    const onToast = vi.fn();
    const onChanged = vi.fn();
    render(<TestConnectionButton credential={credential} onToast={onToast} onChanged={onChanged} />);
    fireEvent.click(screen.getByRole("button", { name: "Test connection" }));
    await waitFor(() => { expect(onToast).toHaveBeenCalledWith("“Capitol Hill”: Venue Data Access is no longer granted."); });
    expect(testConnection).toHaveBeenCalledWith("c1");
    expect(onChanged).toHaveBeenCalled();
    testConnection.mockRejectedValueOnce({ code: "pos_auth_failed", message: "POSaBIT refused this key." });
    fireEvent.click(screen.getByRole("button", { name: "Test connection" }));
    expect(await screen.findByText("POSaBIT refused this key.")).toBeTruthy();
  });

  it("asks a refused Greenbits credential for the password again and never keeps it", async () => {
    const greenbits = { id: "g1", store_name: "manager", integration: "greenbits" } as unknown as Credential;
    testConnection.mockRejectedValueOnce({ code: "pos_auth_failed", message: "Greenbits refused the token." });
    logInGreenbitsAgain.mockResolvedValueOnce(greenbits);
    const onToast = vi.fn();
    render(<TestConnectionButton credential={greenbits} onToast={onToast} onChanged={vi.fn()} />);
    fireEvent.click(screen.getByRole("button", { name: "Test connection" }));
    const password = await screen.findByLabelText("Greenbits password");
    fireEvent.change(password, { target: { value: "s3cret" } });
    fireEvent.click(screen.getByRole("button", { name: "Log in again" }));
    await waitFor(() => { expect(onToast).toHaveBeenCalledWith("“manager” logged in again; its token was replaced."); });
    expect(logInGreenbitsAgain).toHaveBeenCalledWith("g1", "s3cret");
    expect(screen.queryByLabelText("Greenbits password")).toBeNull();
  });
});
