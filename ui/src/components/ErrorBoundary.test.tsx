import { cleanup, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ErrorBoundary } from "./ErrorBoundary";

const logUiError = vi.fn<(message: string, stack: string) => Promise<null>>(() => Promise.resolve(null));
vi.mock("../commands", () => ({
  commands: { logUiError: (message: string, stack: string) => logUiError(message, stack) },
}));

afterEach(cleanup);

function Broken(): never {
  throw new Error("a card could not draw");
}

describe("ErrorBoundary", () => {
  it("shows a recoverable screen with the error's code and writes the error and its component stack to the log", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    render(
      <ErrorBoundary>
        <Broken />
      </ErrorBoundary>,
    );
    expect(screen.getByRole("heading", { name: "Something went wrong" })).toBeTruthy();
    expect(screen.getByText("Error code: internal")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Reload" })).toBeTruthy();
    await waitFor(() => { expect(logUiError).toHaveBeenCalledOnce(); });
    expect(logUiError).toHaveBeenCalledWith("a card could not draw", expect.stringContaining("Broken"));
  });
});
