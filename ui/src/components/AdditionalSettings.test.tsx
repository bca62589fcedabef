import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { IntegrationSettings } from "../bindings";
import { AdditionalSettings } from "./AdditionalSettings";

const off: IntegrationSettings = { sync_personas_since: null, frozen_since: null, patient_lists_optional: false, sync_to_relevant_market: false };
const changeSetting = vi.fn();
vi.mock("../api", () => ({
  api: {
    integrationSettings: () => Promise.resolve(off),
    changeSetting: (...args: unknown[]) => changeSetting(...args) as unknown,
  },
}));

afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

describe("AdditionalSettings", () => {
  it("lists the card's own settings with the seeds' help texts", async () => {
    render(<AdditionalSettings integration="posabit" pos="POSaBIT" onChanged={vi.fn()} />);
    expect(await screen.findByText("Sync to relevant market / Sync to state")).toBeTruthy();
    expect(screen.queryByText("Pulling patient lists is optional")).toBeNull();
    expect(screen.getByText(/stops Canopy from hitting the POSaBIT API/)).toBeTruthy();
  });

  it("asks before a dangerous setting: Escape cancels and leaves it off", async () => {
    render(<AdditionalSettings integration="greenbits" pos="Greenbits" onChanged={vi.fn()} />);
    fireEvent.click(await screen.findByLabelText(/Use last backup/));
    const dialog = screen.getByRole("alertdialog");
    expect(dialog.textContent).toContain("Do not turn this on unless you are switching POS systems");
    expect(within(dialog).getByRole("button", { name: "Cancel" })).toBe(document.activeElement);
    fireEvent.keyDown(dialog, { key: "Escape" });
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(changeSetting).not.toHaveBeenCalled();
    expect(screen.getByLabelText<HTMLInputElement>(/Use last backup/).checked).toBe(false);
  });

  it("turns a dangerous setting on only once the warning is acknowledged", async () => {
    changeSetting.mockResolvedValue({ ...off, sync_personas_since: "2026-11-29T00:00:00Z" });
    const onChanged = vi.fn();
    render(<AdditionalSettings integration="posabit" pos="POSaBIT" onChanged={onChanged} />);
    fireEvent.click(await screen.findByLabelText(/Sync Personas/));
    const confirm = screen.getByRole<HTMLButtonElement>("button", { name: "Turn on Sync Personas / Sync Contacts" });
    expect(confirm.disabled).toBe(true);
    fireEvent.click(screen.getByLabelText("I understand"));
    fireEvent.click(confirm);
    await waitFor(() => {
      expect(changeSetting).toHaveBeenCalledWith("posabit", { setting: "sync_personas", on: true, warning_acknowledged: true });
    });
    expect(onChanged).toHaveBeenCalledWith("Sync Personas / Sync Contacts: on.");
  });
});
