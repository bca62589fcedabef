import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { render } from "../test-render";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PersonaDetail, PersonaPage, PersonaRow } from "../bindings";
import { PresenterContext } from "../presenter";
import { PersonasPage } from "./PersonasPage";

const listPersonas = vi.fn();
const getPersona = vi.fn();
const splitSourceRecord = vi.fn();
const signUp = vi.fn();
const exportPersonas = vi.fn();
vi.mock("../api", () => ({
  api: {
    listPersonas: (...args: unknown[]) => listPersonas(...args) as unknown,
    listStores: () => Promise.resolve([{ id: 3, name: "Capitol Hill", state: "WA" }]),
    getPersona: (...args: unknown[]) => getPersona(...args) as unknown,
    splitSourceRecord: (...args: unknown[]) => splitSourceRecord(...args) as unknown,
    signUp: (...args: unknown[]) => signUp(...args) as unknown,
    signupConsentWording: () => Promise.resolve({ version: "2026-12-04", text: "By signing, I agree to receive marketing texts." }),
    pickSavePath: () => Promise.resolve("/tmp/personas.csv"),
    exportPersonas: (...args: unknown[]) => exportPersonas(...args) as unknown,
  },
}));

const zoe: PersonaRow = {
  id: 7,
  first_name: "Zoë",
  last_name: "García",
  phone: "+15552312222",
  email: "zoe@example.com",
  loyalty_member: true,
  points: 75,
  email_opt_in: false,
  sms_consent: "requested",
  sourced_from: ["greenbits", "posabit"],
  favorite_store: "Capitol Hill",
  last_purchase_at: "2026-11-20T12:00:00Z",
  created_at: "2026-01-01T00:00:00Z",
};

function page(rows: PersonaRow[]): PersonaPage {
  return { total: rows.length, total_capped: false, rows };
}

beforeEach(() => {
  listPersonas.mockResolvedValue(page([zoe]));
});

afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

describe("PersonasPage", () => {
  it("lists personas with their formatted phone, points and a chip per source", async () => {
    render(<PersonasPage />);
    const row = await screen.findByTestId("persona-row");
    expect(within(row).getByText("Zoë García")).toBeTruthy();
    expect(within(row).getByText("(555) 231-2222")).toBeTruthy();
    expect(within(row).getByText("75")).toBeTruthy();
    expect(within(row).getByText("Capitol Hill")).toBeTruthy();
    expect(within(row).getByTestId("sourced-from").textContent).toBe("greenbitsposabit");
    expect(screen.getByTestId("persona-count").textContent).toBe("1 persona");
  });

  it("sends search, filters and sort to the backend, which pages and sorts", async () => {
    render(<PersonasPage />);
    await screen.findByTestId("persona-row");
    fireEvent.change(screen.getByPlaceholderText("Search by phone, email, name or POS id"), { target: { value: "zoe gar" } });
    fireEvent.change(screen.getByLabelText("Loyalty member"), { target: { value: "yes" } });
    fireEvent.click(screen.getByRole("button", { name: "Points" }));
    await waitFor(() => {
      expect(listPersonas).toHaveBeenLastCalledWith(
        expect.objectContaining({ search: "zoe gar", member: true, sort: "points", descending: true, offset: 0, limit: 100 }),
      );
    });
  });

  it("says what to do next when there are no personas", async () => {
    listPersonas.mockResolvedValue(page([]));
    render(<PersonasPage />);
    expect(await screen.findByText("No personas yet — connect an integration and press Sync now.")).toBeTruthy();
  });

  it("opens a persona, explains its merge and splits a record off after confirming", async () => {
    const detail: PersonaDetail = {
      persona: zoe,
      birth_date: "1990-02-03",
      sources: [
        { id: 1, integration: "posabit", store_label: "Capitol Hill", pos_id: "1001", match_reason: "new", first_seen_at: "2026-01-01T00:00:00Z", last_seen_at: "2026-11-01T00:00:00Z", pos_points: 10, payload: "{}" },
        { id: 2, integration: "greenbits", store_label: "Ballard", pos_id: "gb-1", match_reason: "phone", first_seen_at: "2026-02-01T00:00:00Z", last_seen_at: "2026-11-01T00:00:00Z", pos_points: null, payload: "{}" },
      ],
      signups: [],
      imports: [{ file_name: "spring-event.csv", line: 12, match_reason: "email", created_at: "2026-03-01T10:00:00Z" }],
      purchases: [{ integration: "greenbits", pos_id: "o-1", purchased_at: "2026-11-20T12:00:00Z", total_cents: 7500, voided: false }],
      ledger: [{ kind: "earn", points: 75, reason: "Purchase", transaction_id: "o-1", created_at: "2026-11-20T12:00:00Z", expires_at: "2027-02-18T12:00:00Z", balance: 75 }],
      consent: [
        { channel: "sms", event: "requested", source: "sms_opt_in:posabit", detail: "Double opt-in request sent", evidence: null, created_at: "2026-11-21T17:00:00Z" },
        { channel: "sms", event: "opted_out", source: "sms_reply", detail: "Replied STOP (“STOP”)", evidence: "{\"text\":\"STOP\"}", created_at: "2026-11-21T18:00:00Z" },
      ],
      held_for_review: false,
      pushes: [],
      redemptions: [],
    };
    getPersona.mockResolvedValue(detail);
    splitSourceRecord.mockResolvedValue(8);
    render(<PersonasPage onToast={vi.fn()} />);
    fireEvent.click(await screen.findByTestId("persona-row"));
    const panel = await screen.findByTestId("persona-detail");
    expect(await within(panel).findByText("Merged: same phone")).toBeTruthy();
    expect(within(panel).getByText("$75.00")).toBeTruthy();
    expect(within(panel).getByText("spring-event.csv")).toBeTruthy();
    expect(within(panel).getByText("line 12")).toBeTruthy();
    expect(within(panel).getByText(/^Expires /)).toBeTruthy();
    const consent = within(panel).getByTestId("persona-consent");
    expect(consent.textContent).toContain("SMS opt-in requested");
    expect(consent.textContent).toContain("by the POSaBIT SMS double opt-in setting");
    expect(consent.textContent).toContain("SMS opted out");
    expect(consent.textContent).toContain("by the shopper's text reply");
    fireEvent.click(within(panel).getAllByRole("button", { name: "Split off" })[1] as HTMLElement);
    expect(screen.getByRole("alertdialog").textContent).toContain("Its sales and the points they earned move with it");
    fireEvent.click(within(screen.getByRole("alertdialog")).getByRole("button", { name: "Split off" }));
    await waitFor(() => {
      expect(splitSourceRecord).toHaveBeenCalledWith(2);
    });
  });

  it("saves a signup with its store, consent, the wording signed and the signature", async () => {
    signUp.mockResolvedValue(9);
    getPersona.mockReturnValue(new Promise(() => undefined));
    render(<PersonasPage onToast={vi.fn()} />);
    fireEvent.click(await screen.findByRole("button", { name: "Add signup" }));
    fireEvent.change(screen.getByLabelText("First name"), { target: { value: "Robin" } });
    fireEvent.change(screen.getByLabelText("Phone"), { target: { value: "(206) 555-0142" } });
    await screen.findByRole("option", { name: "Capitol Hill (WA)" });
    fireEvent.change(screen.getByLabelText("Store of signup"), { target: { value: "3" } });
    fireEvent.change(screen.getByLabelText("Birth date"), { target: { value: "1990-04-20" } });
    const consent = screen.getByLabelText("The shopper agrees to receive marketing messages");
    await waitFor(() => { expect((consent as HTMLInputElement).disabled).toBe(false); });
    fireEvent.click(consent);
    expect((await screen.findByTestId("consent-wording")).textContent).toContain("By signing");
    fireEvent.change(screen.getByLabelText("Signature"), { target: { value: "Robin R" } });
    fireEvent.click(screen.getByRole("button", { name: "Save signup" }));
    await waitFor(() => {
      expect(signUp).toHaveBeenCalledWith(
        expect.objectContaining({
          first_name: "Robin", phone: "(206) 555-0142", email: null, birth_date: "1990-04-20",
          consent: true, signature: "Robin R", consent_version: "2026-12-04", store_id: 3,
        }),
      );
    });
  });

  it("masks phones and e-mails in presenter mode", async () => {
    render(
      <PresenterContext.Provider value={true}>
        <PersonasPage />
      </PresenterContext.Provider>,
    );
    const row = await screen.findByTestId("persona-row");
    expect(row.textContent).not.toContain("231-2222");
    expect(row.textContent).not.toContain("zoe@example.com");
    expect(row.textContent).toContain("(•••) •••-••••");
    expect(within(row).getByText("Zoë García")).toBeTruthy();
  });

  it("exports the current filters to the picked file and says how many rows", async () => {
    exportPersonas.mockImplementation((_q: unknown, _path: string, onProgress: (p: { done: number; total: number }) => void) => {
      onProgress({ done: 1000, total: 2500 });
      return Promise.resolve(2500);
    });
    const onToast = vi.fn();
    render(<PersonasPage onToast={onToast} />);
    await screen.findByTestId("persona-row");
    fireEvent.change(screen.getByLabelText("Source"), { target: { value: "loyalty" } });
    fireEvent.click(screen.getByRole("button", { name: "Export CSV" }));
    await waitFor(() => {
      expect(onToast).toHaveBeenCalledWith("Exported 2,500 personas to /tmp/personas.csv.");
    });
    expect(exportPersonas).toHaveBeenCalledWith(expect.objectContaining({ source: "loyalty" }), "/tmp/personas.csv", expect.any(Function));
  });
});
