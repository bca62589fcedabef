import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { render } from "../test-render";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi } from "../test-api";
import { createQueryClient, queryKeys } from "../queries";
import { credentialFixture } from "../test-fixtures";
import { TestConnectionButton, describeTest } from "./TestConnectionButton";

vi.mock("../api", () => import("../test-api").then((m) => m.apiModule));

afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

const credential = credentialFixture();

describe("TestConnectionButton", () => {
  it("words the result: nothing changed, or each change", () => {
    expect(describeTest("Capitol Hill", [])).toBe("“Capitol Hill”: the connection works and nothing changed.");
    expect(describeTest("Ballard", ["Menu Feed Access is now granted."])).toBe("“Ballard”: Menu Feed Access is now granted.");
  });

  it("runs the test, toasts what it found and refreshes the card; a refusal shows its error", async () => {
    fakeApi.testConnection.mockResolvedValueOnce({ credential, changes: ["Venue Data Access is no longer granted."] });
    const onToast = vi.fn();
    const client = createQueryClient();
    const invalidate = vi.spyOn(client, "invalidateQueries");
    render(<TestConnectionButton credential={credential} onToast={onToast} />, client);
    fireEvent.click(screen.getByRole("button", { name: "Test connection" }));
    await waitFor(() => { expect(onToast).toHaveBeenCalledWith("“Capitol Hill”: Venue Data Access is no longer granted."); });
    expect(fakeApi.testConnection).toHaveBeenCalledWith("c1");
    expect(invalidate).toHaveBeenCalledWith({ queryKey: queryKeys.credentials("posabit") });
    expect(invalidate).toHaveBeenCalledWith({ queryKey: queryKeys.integrationStatus("posabit") });
    fakeApi.testConnection.mockRejectedValueOnce({ code: "pos_auth_failed", message: "POSaBIT refused this key." });
    fireEvent.click(screen.getByRole("button", { name: "Test connection" }));
    expect(await screen.findByText("POSaBIT refused this key.")).toBeTruthy();
  });

  it("asks a refused Greenbits credential for the password again and never keeps it", async () => {
    const greenbits = credentialFixture({ id: "g1", store_name: "manager", integration: "greenbits" });
    fakeApi.testConnection.mockRejectedValueOnce({ code: "pos_auth_failed", message: "Greenbits refused the token." });
    fakeApi.logInGreenbitsAgain.mockResolvedValueOnce(greenbits);
    const onToast = vi.fn();
    render(<TestConnectionButton credential={greenbits} onToast={onToast} />);
    fireEvent.click(screen.getByRole("button", { name: "Test connection" }));
    const password = await screen.findByLabelText("Greenbits password");
    fireEvent.change(password, { target: { value: "s3cret" } });
    fireEvent.click(screen.getByRole("button", { name: "Log in again" }));
    await waitFor(() => { expect(onToast).toHaveBeenCalledWith("“manager” logged in again; its token was replaced."); });
    expect(fakeApi.logInGreenbitsAgain).toHaveBeenCalledWith("g1", "s3cret");
    expect(screen.queryByLabelText("Greenbits password")).toBeNull();
  });
});
