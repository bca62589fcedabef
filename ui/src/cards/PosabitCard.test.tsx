import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { render } from "../test-render";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fakeApi } from "../test-api";
import type { AddedCredential, Credential, IntegrationStatus } from "../bindings";
import { AGE_GATE_SENTENCE, STANDING_WARNING } from "./IntegrationFrame";
import { SETTINGS_OFF, credentialFixture } from "../test-fixtures";
import { AddCredentialForm, PosabitCard } from "./PosabitCard";

vi.mock("../api", () => import("../test-api").then((m) => m.apiModule));

beforeEach(() => {
  fakeApi.cancelSync.mockImplementation(vi.fn());
  fakeApi.integrationSettings.mockImplementation(() =>
      Promise.resolve(SETTINGS_OFF));
  fakeApi.checkRewardMirrors.mockImplementation(() =>
      Promise.resolve({ rows: [], summaries: [] }));
  fakeApi.onConsoleEvent.mockImplementation(() => Promise.resolve(() => undefined));
});

function connection(overrides: Partial<IntegrationStatus>): IntegrationStatus {
  return {
    integration: "posabit",
    state: "not_connected",
    age_gate_attested: false,
    connected_at: null,
    checklist: [
      { label: "Add at least one credential and let Canopy verify it", done: true },
      { label: "Tick the age gate", done: false },
    ],
    ...overrides,
  };
}

afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

const credential: Credential = credentialFixture({
  permissions: [
    { key: "menu_feed", label: "Menu Feed Access", granted: true },
    {
      key: "enhanced_customer_data",
      label: "Enhanced Customer Data Access",
      granted: false,
      remedy: "Ask your POSaBIT account rep.",
    },
  ],
});

function fillForm(store: string, key: string) {
  fireEvent.change(screen.getByLabelText(/Store Name/), { target: { value: store } });
  fireEvent.change(screen.getByLabelText(/^Key/), { target: { value: key } });
  fireEvent.click(screen.getByRole("button", { name: "Add Credential" }));
}

describe("AddCredentialForm", () => {
  it("shows the backend's message and hint when the key is refused, and keeps what was typed", async () => {
    fakeApi.addPosabitCredential.mockRejectedValue({
      code: "pos_auth_failed",
      message: "POSaBIT did not accept this key.",
      hint: "Copy the key again from POSaBIT.",
    });
    const onAdded = vi.fn();
    render(<AddCredentialForm onAdded={onAdded} />);
    fillForm("Capitol Hill", "wrong");
    expect(await screen.findByText("POSaBIT did not accept this key.")).toBeTruthy();
    expect(screen.getByText("Copy the key again from POSaBIT.")).toBeTruthy();
    expect(screen.getByLabelText<HTMLInputElement>(/Store Name/).value).toBe("Capitol Hill");
    expect(onAdded).not.toHaveBeenCalled();
    // The error is tied to the key field: a screen reader reads it with the field.
    const key = screen.getByLabelText(/^Key/);
    expect(key.getAttribute("aria-invalid")).toBe("true");
    const described = document.getElementById(key.getAttribute("aria-describedby") ?? "");
    expect(described?.getAttribute("role")).toBe("alert");
    expect(described?.textContent).toContain("POSaBIT did not accept this key.");
  });

  it("sends the form and says when spaces were trimmed from the key", async () => {
    const added: AddedCredential = { credential, key_was_trimmed: true };
    fakeApi.addPosabitCredential.mockResolvedValue(added);
    const onAdded = vi.fn();
    render(<AddCredentialForm onAdded={onAdded} />);
    fillForm("Capitol Hill", " key ");
    await waitFor(() => {
      expect(onAdded).toHaveBeenCalledWith("Credential “Capitol Hill” added and verified. Spaces around the key were removed.");
    });
    expect(fakeApi.addPosabitCredential).toHaveBeenCalledWith({ store_name: "Capitol Hill", key: " key ", market: null });
    expect(screen.getByLabelText<HTMLInputElement>(/^Key/).value).toBe("");
  });
});

describe("PosabitCard", () => {
  const props = {
    status: null,
    connection: connection({}),
    onToast: vi.fn(),
    onClose: vi.fn(),
    onShowPersonas: vi.fn(),
  };

  it("shows the seeds' standing warning and each permission with the remedy for a missing one", () => {
    render(<PosabitCard {...props} credentials={[credential]} />);
    expect(screen.getByText(STANDING_WARNING)).toBeTruthy();
    expect(screen.getByText("Ask your POSaBIT account rep.")).toBeTruthy();
    expect(screen.queryByText("c1")).toBeNull();
  });

  it("cannot fakeApi.connect or sync until the minimum settings hold, and lists what is missing", () => {
    render(<PosabitCard {...props} credentials={[]} />);
    expect(screen.getByRole<HTMLButtonElement>("button", { name: "Sync now" }).disabled).toBe(true);
    const connectButton = screen.getByRole<HTMLButtonElement>("button", { name: "Connect" });
    expect(connectButton.disabled).toBe(true);
    expect(connectButton.title).toContain("Tick the age gate");
    expect(screen.getByText("Tick the age gate")).toBeTruthy();
  });

  it("ticks the age gate and connects once everything holds", async () => {
    fakeApi.setAgeGate.mockResolvedValue(connection({ age_gate_attested: true }));
    fakeApi.connect.mockResolvedValue(connection({ state: "connected" }));
    const ready = connection({ checklist: [{ label: "x", done: true }], age_gate_attested: true });
    render(<PosabitCard {...props} connection={ready} credentials={[credential]} />);
    fireEvent.click(screen.getByRole("checkbox", { name: new RegExp(AGE_GATE_SENTENCE) }));
    expect(fakeApi.setAgeGate).toHaveBeenCalledWith("posabit", false);
    fireEvent.click(screen.getByRole("button", { name: "Connect" }));
    await waitFor(() => {
      expect(props.onToast).toHaveBeenCalledWith("POSaBIT is connected.");
    });
    expect(fakeApi.connect).toHaveBeenCalledWith("posabit");
  });

  it("renames a credential and sets its market in place", async () => {
    fakeApi.editPosabitCredential.mockResolvedValue({ ...credential, store_name: "Pike Street" });
    render(<PosabitCard {...props} credentials={[credential]} />);
    fireEvent.click(screen.getByRole("button", { name: "Edit" }));
    fireEvent.change(screen.getByLabelText("Store Name", { selector: "input[name='edit_store_name']" }), { target: { value: "Pike Street" } });
    fireEvent.change(screen.getByLabelText("Relevant market"), { target: { value: "" } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => {
      expect(props.onToast).toHaveBeenCalledWith("Credential “Pike Street” saved.");
    });
    expect(fakeApi.editPosabitCredential).toHaveBeenCalledWith("c1", "Pike Street", null);
  });

  it("asks before removing a credential; Escape cancels and the safe button has focus", async () => {
    fakeApi.removeCredential.mockResolvedValue(null);
    render(<PosabitCard {...props} credentials={[credential]} />);
    fireEvent.click(screen.getByRole("button", { name: "Remove" }));
    const dialog = screen.getByRole("alertdialog");
    expect(document.activeElement?.textContent).toBe("Cancel");
    fireEvent.keyDown(dialog, { key: "Escape" });
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(fakeApi.removeCredential).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole("button", { name: "Remove" }));
    fireEvent.click(screen.getByRole("button", { name: "Remove credential" }));
    await waitFor(() => {
      expect(fakeApi.removeCredential).toHaveBeenCalledWith("c1");
    });
  });

  it("reports a stopped sync with what to fix", async () => {
    fakeApi.syncIntegration.mockImplementation((_integration, _credential, onProgress) => {
      onProgress({ credential_id: "c1", store_name: "Capitol Hill", store_label: "Capitol Hill", stream: "customers", done: 0, total: null, state: "failed" });
      return Promise.resolve([
      {
        credential_id: "c1",
        store_name: "Capitol Hill",
        store_key: "c1",
        store_label: "Capitol Hill",
        stream: "customers",
        retries: 0,
        pages: 0,
        seen: 0,
        new: 0,
        changed: 0,
        rejected: 0,
        error: { code: "pos_permission_missing", message: "This POSaBIT key is missing Enhanced Customer Data Access.", hint: "Ask the rep." },
      },
      ]);
    });
    render(<PosabitCard {...props} connection={connection({ state: "connected", connected_at: "2026-01-01T00:00:00Z" })} credentials={[credential]} />);
    fireEvent.click(screen.getByRole("button", { name: "Sync now" }));
    expect(await screen.findByText("Capitol Hill: sync stopped")).toBeTruthy();
    expect(screen.getByText("This POSaBIT key is missing Enhanced Customer Data Access.")).toBeTruthy();
    expect(screen.getByRole("progressbar", { name: "Capitol Hill · customers" })).toBeTruthy();
    expect(fakeApi.syncIntegration).toHaveBeenCalledWith("posabit", null, expect.any(Function));
    expect(props.onToast).not.toHaveBeenCalled();
  });
});
