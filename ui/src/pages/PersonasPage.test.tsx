import { cleanup, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { PersonaPage } from "../bindings";
import { PersonasPage } from "./PersonasPage";

const listPersonas = vi.fn();
vi.mock("../api", () => ({
  api: { listPersonas: (...args: unknown[]) => listPersonas(...args) as unknown },
}));

afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

describe("PersonasPage", () => {
  it("lists personas with their formatted phone and a chip per source", async () => {
    const page: PersonaPage = {
      total: 1,
      rows: [
        {
          id: 7,
          first_name: "Zoë",
          last_name: "García",
          phone: "+15552312222",
          email: "zoe@example.com",
          sourced_from: ["posabit", "greenbits"],
          favorite_store: "Capitol Hill",
          created_at: "2026-01-01T00:00:00Z",
        },
      ],
    };
    listPersonas.mockResolvedValue(page);
    render(<PersonasPage />);
    const table = await screen.findByTestId("personas");
    expect(within(table).getByText("Zoë García")).toBeTruthy();
    expect(within(table).getByText("(555) 231-2222")).toBeTruthy();
    expect(within(table).getByText("Capitol Hill")).toBeTruthy();
    expect(within(table).getByTestId("sourced-from").textContent).toBe("posabitgreenbits");
    expect(screen.getByTestId("persona-count").textContent).toBe("1–1 of 1 personas");
  });

  it("says what to do next when there are no personas", async () => {
    listPersonas.mockResolvedValue({ total: 0, rows: [] });
    render(<PersonasPage />);
    expect(await screen.findByText("No personas yet — connect an integration and press Sync now.")).toBeTruthy();
  });
});
