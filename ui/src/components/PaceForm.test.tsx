import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { render } from "../test-render";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi } from "../test-api";
import { PaceForm } from "./PaceForm";

vi.mock("../api", () => import("../test-api").then((m) => m.apiModule));

afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

describe("PaceForm", () => {
  it("shows the POS's ceiling, saves a new one and shows a refusal", async () => {
    fakeApi.paceCeiling.mockResolvedValue(10);
    fakeApi.setPaceCeiling.mockResolvedValueOnce(4);
    const onToast = vi.fn();
    render(<PaceForm integration="greenbits" onToast={onToast} />);
    const input = await screen.findByLabelText<HTMLInputElement>("Greenbits: at most (requests a second)");
    await waitFor(() => { expect(input.value).toBe("10"); });
    fireEvent.change(input, { target: { value: "4" } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => { expect(onToast).toHaveBeenCalledWith("Canopy sends each Greenbits credential at most 4 requests a second."); });
    expect(fakeApi.setPaceCeiling).toHaveBeenCalledWith("greenbits", 4);
    fakeApi.setPaceCeiling.mockRejectedValueOnce({ code: "internal", message: "The local database failed." });
    fireEvent.change(input, { target: { value: "7" } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("The local database failed.")).toBeTruthy();
  });
});
