import { act, cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { render } from "../test-render";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fakeApi } from "../test-api";
import { CAPITOL_HILL } from "../test-fixtures";
import type { PersonaDetail, PersonaPage, PersonaRow } from "../bindings";
import { PresenterContext } from "../presenter";
import { blocksFor, PersonasPage } from "./PersonasPage";

vi.mock("../api", () => import("../test-api").then((m) => m.apiModule));

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
  return { total: rows.length, total_capped: false, rows, next: null };
}

beforeEach(() => {
  fakeApi.listPersonas.mockResolvedValue(page([zoe]));
  fakeApi.listStores.mockResolvedValue([CAPITOL_HILL]);
  fakeApi.signupConsentWording.mockResolvedValue({ version: "2026-12-04", text: "By signing, I agree to receive marketing texts." });
  fakeApi.pickSavePath.mockResolvedValue("/tmp/personas.csv");
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
      expect(fakeApi.listPersonas).toHaveBeenLastCalledWith(
        expect.objectContaining({ search: "zoe gar", member: true, sort: "points", descending: true, offset: 0, limit: 100 }),
      );
    });
  });

  it("shows the newest search's answer even when an older search answers after it", async () => {
    render(<PersonasPage />);
    await screen.findByTestId("persona-row");
    let answerSlowly: (page: PersonaPage) => void = () => undefined;
    fakeApi.listPersonas.mockImplementation((query) =>
      query.search === "zo"
        ? new Promise((resolve) => { answerSlowly = resolve; })
        : Promise.resolve(page([{ ...zoe, id: 8, first_name: "Zora" }])),
    );
    const search = screen.getByPlaceholderText("Search by phone, email, name or POS id");
    fireEvent.change(search, { target: { value: "zo" } });
    fireEvent.change(search, { target: { value: "zora" } });
    await screen.findByText("Zora García");
    await act(async () => {
      answerSlowly(page([zoe, { ...zoe, id: 9 }]));
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
    expect(screen.getByTestId("persona-count").textContent).toBe("1 persona");
    expect(screen.getByText("Zora García")).toBeTruthy();
    expect(screen.queryByText("Zoë García")).toBeNull();
  });

  it("scrolls on from a block it has read by that block's cursor, not by skipping rows", async () => {
    const block = (offset: number): PersonaPage => ({
      total: 1000,
      total_capped: false,
      rows: Array.from({ length: 100 }, (_, i) => ({ ...zoe, id: offset + i + 1, first_name: `Row${offset + i}` })),
      next: `after-${offset + 99}`,
    });
    fakeApi.listPersonas.mockImplementation((query) => Promise.resolve(block(query.offset)));
    render(<PersonasPage />);
    await screen.findByText("Row0 García");
    const viewport = screen.getByTestId("personas").parentElement as HTMLElement;
    viewport.scrollTop = 120 * 37;
    fireEvent.scroll(viewport);
    await waitFor(() => {
      expect(fakeApi.listPersonas).toHaveBeenCalledWith(expect.objectContaining({ offset: 100, after: "after-99" }));
    });
  });

  it("reads only the blocks the viewport shows", () => {
    expect(blocksFor(0, 0)).toEqual([0]);
    expect(blocksFor(0, 140)).toEqual([0, 1]);
    expect(blocksFor(250, 320)).toEqual([2, 3]);
  });

  it("says what to do next when there are no personas", async () => {
    fakeApi.listPersonas.mockResolvedValue(page([]));
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
    fakeApi.getPersona.mockResolvedValue(detail);
    fakeApi.splitSourceRecord.mockResolvedValue(8);
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
      expect(fakeApi.splitSourceRecord).toHaveBeenCalledWith(2);
    });
  });

  it("saves a signup with its store, consent, the wording signed and the signature", async () => {
    fakeApi.signUp.mockResolvedValue(9);
    fakeApi.getPersona.mockReturnValue(new Promise(() => undefined));
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
      expect(fakeApi.signUp).toHaveBeenCalledWith(
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
    fakeApi.exportPersonas.mockImplementation((_q: unknown, _path: string, onProgress: (p: { done: number; total: number }) => void) => {
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
    expect(fakeApi.exportPersonas).toHaveBeenCalledWith(expect.objectContaining({ source: "loyalty" }), "/tmp/personas.csv", expect.any(Function));
  });
});
