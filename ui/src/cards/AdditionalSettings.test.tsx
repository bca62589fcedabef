import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { render } from "../test-render";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fakeApi } from "../test-api";
import { LOYALTY_DEFAULTS, SETTINGS_OFF } from "../test-fixtures";
import { AdditionalSettings } from "./AdditionalSettings";

const off = SETTINGS_OFF;
const loyalty = LOYALTY_DEFAULTS;
vi.mock("../api", () => import("../test-api").then((m) => m.apiModule));

beforeEach(() => {
  fakeApi.integrationSettings.mockResolvedValue(off);
  fakeApi.smsStatus.mockResolvedValue({ sent: 4, awaiting_reply: 4, opted_in: 0, opted_out: 0, failed: 0, last_sent_at: null });
  fakeApi.loyaltySettings.mockResolvedValue(loyalty);
});

afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

describe("AdditionalSettings", () => {
  it("lists the card's own settings with the seeds' help texts", async () => {
    render(<AdditionalSettings integration="posabit" pos="POSaBIT" onSaved={vi.fn()} />);
    expect(await screen.findByText("Sync to relevant market / Sync to state")).toBeTruthy();
    expect(screen.queryByText("Pulling patient lists is optional")).toBeNull();
    expect(screen.getByText(/stops Canopy from hitting the POSaBIT API/)).toBeTruthy();
  });

  it("asks before a dangerous setting: Escape cancels and leaves it off", async () => {
    render(<AdditionalSettings integration="greenbits" pos="Greenbits" onSaved={vi.fn()} />);
    fireEvent.click(await screen.findByLabelText(/Use last backup/));
    const dialog = screen.getByRole("alertdialog");
    expect(dialog.textContent).toContain("Do not turn this on unless you are switching POS systems");
    expect(within(dialog).getByRole("button", { name: "Cancel" })).toBe(document.activeElement);
    fireEvent.keyDown(dialog, { key: "Escape" });
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(fakeApi.changeSetting).not.toHaveBeenCalled();
    expect(screen.getByLabelText<HTMLInputElement>(/Use last backup/).checked).toBe(false);
  });

  it("turns a dangerous setting on only once the warning is acknowledged", async () => {
    fakeApi.changeSetting.mockResolvedValue({ ...off, sync_personas_since: "2026-11-29T00:00:00Z" });
    const onSaved = vi.fn();
    render(<AdditionalSettings integration="posabit" pos="POSaBIT" onSaved={onSaved} />);
    fireEvent.click(await screen.findByLabelText(/Sync Personas/));
    const confirm = screen.getByRole<HTMLButtonElement>("button", { name: "Turn on Sync Personas / Sync Contacts" });
    expect(confirm.disabled).toBe(true);
    fireEvent.click(screen.getByLabelText("I understand"));
    fireEvent.click(confirm);
    await waitFor(() => {
      expect(fakeApi.changeSetting).toHaveBeenCalledWith("posabit", { setting: "sync_personas", on: true, warning_acknowledged: true });
    });
    expect(onSaved).toHaveBeenCalledWith("Sync Personas / Sync Contacts: on.");
  });

  it("shows who enrolment by date would reach per store before saving it", async () => {
    fakeApi.dryRunSetting.mockResolvedValue({
      setting: "enroll_after",
      date: "2026-06-01",
      stores: [{ store: "Capitol Hill", personas: 9 }, { store: "Not mapped to a store", personas: 4 }],
      total: 12,
    });
    fakeApi.changeSetting.mockResolvedValue({ ...off, enroll_after: "2026-06-01" });
    render(<AdditionalSettings integration="posabit" pos="POSaBIT" onSaved={vi.fn()} />);
    fireEvent.change(await screen.findByLabelText(/Enroll Personas in loyalty program who purchased after/), { target: { value: "2026-06-01" } });
    fireEvent.click(screen.getAllByRole("button", { name: "Preview and save" })[0] as HTMLElement);
    const dialog = await screen.findByRole("alertdialog");
    expect(within(dialog).getByText("Enroll 12 personas in the loyalty program?")).toBeTruthy();
    expect(dialog.textContent).toContain("Capitol Hill9");
    expect(dialog.textContent).toContain("In all12");
    expect(fakeApi.dryRunSetting).toHaveBeenCalledWith("posabit", "enroll_after", "2026-06-01");
    expect(fakeApi.changeSetting).not.toHaveBeenCalled();
    fireEvent.click(within(dialog).getByRole("button", { name: "Save and enroll" }));
    await waitFor(() => {
      expect(fakeApi.changeSetting).toHaveBeenCalledWith("posabit", { setting: "enroll_after", on: true, date: "2026-06-01", warning_acknowledged: false });
    });
    expect(await screen.findByText("On since 2026-06-01")).toBeTruthy();
  });

  it("warns before removing the SMS opt-in date, with the members it would lose", async () => {
    fakeApi.integrationSettings.mockResolvedValue({ ...off, sms_opt_in_after: "2026-01-01" });
    fakeApi.smsOnlyMembers.mockResolvedValue(3);
    fakeApi.changeSetting.mockResolvedValue(off);
    render(<AdditionalSettings integration="greenbits" pos="Greenbits" onSaved={vi.fn()} />);
    fireEvent.click(await screen.findByRole("button", { name: "Remove" }));
    const dialog = await screen.findByRole("alertdialog");
    expect(dialog.textContent).toContain("can cause loyalty Personas to be lost");
    expect(dialog.textContent).toContain("3 loyalty members joined only through this setting and will stop being members.");
    const confirm = within(dialog).getByRole<HTMLButtonElement>("button", { name: "Remove the setting" });
    expect(confirm.disabled).toBe(true);
    fireEvent.click(within(dialog).getByLabelText("I understand"));
    fireEvent.click(confirm);
    await waitFor(() => {
      expect(fakeApi.changeSetting).toHaveBeenCalledWith("greenbits", { setting: "sms_opt_in_after", on: false, date: undefined, warning_acknowledged: true });
    });
  });

  it("confirms the one-time points import, then offers the accrual start date the day after", async () => {
    fakeApi.changeSetting.mockResolvedValue({ ...off, points_imported_on: "2026-03-31" });
    fakeApi.saveLoyaltySettings.mockResolvedValue(loyalty);
    const onSaved = vi.fn();
    render(<AdditionalSettings integration="posabit" pos="POSaBIT" onSaved={onSaved} />);
    fireEvent.change(await screen.findByLabelText(/Loyalty points imported on/), { target: { value: "2026-03-31" } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    const first = await screen.findByRole("alertdialog");
    expect(first.textContent).toContain("This is a one-time sync.");
    fireEvent.click(within(first).getByRole("button", { name: "Save the import date" }));
    const offer = await screen.findByRole("alertdialog", { name: "Set the points accrual start date to 2026-04-01?" });
    fireEvent.click(within(offer).getByRole("button", { name: "Start accrual on 2026-04-01" }));
    await waitFor(() => {
      expect(fakeApi.saveLoyaltySettings).toHaveBeenCalledWith({ ...loyalty, accrual_start: "2026-04-01" });
    });
    expect(onSaved).toHaveBeenCalledWith("Points accrual start date: 2026-04-01.");
  });

  it("locks the points import once it has run", async () => {
    fakeApi.integrationSettings.mockResolvedValue({ ...off, points_imported_on: "2026-03-31", points_import_done_at: "2026-04-01T09:00:00Z" });
    render(<AdditionalSettings integration="posabit" pos="POSaBIT" onSaved={vi.fn()} />);
    expect(await screen.findByText("Imported · 2026-03-31")).toBeTruthy();
    expect(screen.getByLabelText<HTMLInputElement>(/Loyalty points imported on/).disabled).toBe(true);
  });

  it("shows mirroring's warning and its FIFO note on the Greenbits card only", async () => {
    render(<AdditionalSettings integration="greenbits" pos="Greenbits" onSaved={vi.fn()} />);
    fireEvent.click(await screen.findByLabelText(/Mirror integration loyalty point values/));
    const dialog = screen.getByRole("alertdialog");
    expect(dialog.textContent).toContain("continuously overrides loyalty balances with values coming from Greenbits");
    expect(dialog.textContent).toContain("not supported by First In, First Out (FIFO) Point Expiration");
    cleanup();
    render(<AdditionalSettings integration="posabit" pos="POSaBIT" onSaved={vi.fn()} />);
    await screen.findByText("Sync to relevant market / Sync to state");
    expect(screen.queryByText("Mirror integration loyalty point values?")).toBeNull();
  });
});
