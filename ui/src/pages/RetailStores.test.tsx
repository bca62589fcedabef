import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { render } from "../test-render";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fakeApi } from "../test-api";
import type { MappableKey, RetailStore } from "../bindings";
import { RetailStores } from "./RetailStores";

vi.mock("../api", () => import("../test-api").then((m) => m.apiModule));

beforeEach(() => {
  fakeApi.listStoreTimezones.mockImplementation(() => Promise.resolve(["America/Los_Angeles", "America/Denver"]));
});

afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

const capitol: RetailStore = { id: 1, name: "Capitol Hill", store_number: "12", state: "WA", timezone: "America/Los_Angeles", address: null, license: null };
const pearl: RetailStore = { id: 2, name: "Pearl", store_number: "14", state: "OR", timezone: "America/Los_Angeles", address: null, license: null };
const keys: MappableKey[] = [
  { key_id: "a", integration: "posabit", label: "Capitol Hill key", store_id: null, suggested_store_id: 1 },
  { key_id: "b", integration: "posabit", label: "Pearl key", store_id: 2, suggested_store_id: null },
];

describe("RetailStores", () => {
  it("maps a key from the dropdown, which marks suggestions and refuses keys taken by another store", async () => {
    fakeApi.listStores.mockResolvedValue([capitol, pearl]);
    fakeApi.listMappableKeys.mockResolvedValue(keys);
    fakeApi.updateStore.mockResolvedValue(capitol);
    fakeApi.saveStoreMapping.mockResolvedValue(null);
    const onToast = vi.fn();
    render(<RetailStores onToast={onToast} />);
    const table = await screen.findByTestId("stores");
    expect(within(table).getByText("POSaBIT: Pearl key")).toBeTruthy();
    fireEvent.click(within(table).getAllByRole("button", { name: "Edit" })[0] as HTMLElement);

    const select = screen.getByRole<HTMLSelectElement>("combobox", { name: "POSaBIT key" });
    const options = within(select).getAllByRole<HTMLOptionElement>("option");
    expect(options.map((o) => o.textContent)).toEqual(["— Not mapped —", "Capitol Hill key (suggested)", "Pearl key (mapped to Pearl)"]);
    expect(options[2]?.disabled).toBe(true);

    fireEvent.change(select, { target: { value: "a" } });
    fireEvent.click(screen.getByRole("button", { name: "Save settings" }));
    await waitFor(() => {
      expect(fakeApi.saveStoreMapping).toHaveBeenCalledWith(1, "posabit", "a");
    });
    expect(onToast).toHaveBeenCalledWith("Store “Capitol Hill” saved.");
  });
});
