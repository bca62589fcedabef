import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { render } from "../test-render";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi } from "../test-api";
import { ApiTracking } from "./ApiTracking";

vi.mock("../api", () => import("../test-api").then((m) => m.apiModule));

afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

describe("ApiTracking", () => {
  it("masks the API key until revealed and asks the backend for it only then", async () => {
    fakeApi.apiTracking.mockResolvedValue({ uid: "cnpy_uid_1", stores: [{ name: "Capitol Hill", store_number: "12" }] });
    fakeApi.revealApiKey.mockResolvedValue("cnpy_key_secret");
    render(<ApiTracking />);
    expect(await screen.findByText("cnpy_uid_1")).toBeTruthy();
    expect(screen.getByTestId("api-key").textContent).not.toContain("cnpy_key");
    expect(fakeApi.revealApiKey).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole("button", { name: "Reveal" }));
    await waitFor(() => {
      expect(screen.getByTestId("api-key").textContent).toBe("cnpy_key_secret");
    });
    fireEvent.click(screen.getByRole("button", { name: "Hide" }));
    expect(screen.getByTestId("api-key").textContent).not.toContain("cnpy_key");
    expect(screen.getByText("12")).toBeTruthy();
  });
});
