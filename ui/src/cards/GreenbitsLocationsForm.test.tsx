import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { render } from "../test-render";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi } from "../test-api";
import type { Credential } from "../bindings";
import { GreenbitsLocationsForm } from "./GreenbitsLocationsForm";

vi.mock("../api", () => import("../test-api").then((m) => m.apiModule));

afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

const credential = {
  id: "g1",
  store_name: "canopy",
  locations: [{ id: 1, name: "Ballard", state: "WA" }],
  medical_patients: false,
} as unknown as Credential;

describe("GreenbitsLocationsForm", () => {
  it("offers the locations the login reaches and saves the picked ones with the medical flag", async () => {
    fakeApi.greenbitsReachableLocations.mockResolvedValue([
      { id: 1, name: "Ballard", state: "WA" },
      { id: 2, name: "Fremont", state: "WA" },
    ]);
    fakeApi.editGreenbitsCredential.mockResolvedValue({ ...credential, medical_patients: true });
    const onSaved = vi.fn();
    render(<GreenbitsLocationsForm credential={credential} onSaved={onSaved} onCancel={vi.fn()} />);
    const fremont = await screen.findByLabelText("Fremont (WA)");
    expect(screen.getByLabelText<HTMLInputElement>("Ballard (WA)").checked).toBe(true);
    fireEvent.click(fremont);
    fireEvent.click(screen.getByLabelText("These locations serve medical patients"));
    fireEvent.click(screen.getByRole("button", { name: "Save locations" }));
    await waitFor(() => { expect(onSaved).toHaveBeenCalled(); });
    expect(fakeApi.editGreenbitsCredential).toHaveBeenCalledWith({ credential_id: "g1", location_ids: [1, 2], medical_patients: true });
  });
});
