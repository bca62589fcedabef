import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { render } from "../test-render";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi } from "../test-api";
import { describeWholeLists, WholeListsButton } from "./WholeListsButton";

vi.mock("../api", () => import("../test-api").then((m) => m.apiModule));

afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

describe("WholeListsButton", () => {
  it("words what the next sync does", () => {
    expect(describeWholeLists("greenbits", 2)).toBe("The next sync reads every Greenbits list whole (2 lists).");
    expect(describeWholeLists("greenbits", 1)).toBe("The next sync reads every Greenbits list whole (1 list).");
    expect(describeWholeLists("greenbits", 0)).toBe("Nothing to read whole yet: the first sync of Greenbits reads every list.");
  });

  it("asks the backend and says so; a refusal shows its error", async () => {
    fakeApi.readWholeListsNextSync.mockResolvedValueOnce(3);
    const onToast = vi.fn();
    render(<WholeListsButton integration="greenbits" onToast={onToast} />);
    fireEvent.click(screen.getByRole("button", { name: "Read every list on the next sync" }));
    await waitFor(() => { expect(onToast).toHaveBeenCalledWith("The next sync reads every Greenbits list whole (3 lists)."); });
    expect(fakeApi.readWholeListsNextSync).toHaveBeenCalledWith("greenbits");
    fakeApi.readWholeListsNextSync.mockRejectedValueOnce({ code: "internal", message: "The local database failed." });
    fireEvent.click(screen.getByRole("button", { name: "Read every list on the next sync" }));
    expect(await screen.findByText("The local database failed.")).toBeTruthy();
  });
});
