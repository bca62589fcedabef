// Testing Library's render with what the app's root provides: a fresh query client per test (no
// retries, nothing cached between tests).
import { QueryClientProvider } from "@tanstack/react-query";
import { render as renderBare, type RenderResult } from "@testing-library/react";
import type { ReactElement } from "react";
import { createQueryClient } from "./queries";

/** Renders `ui` under its own query client. */
export function render(ui: ReactElement): RenderResult {
  return renderBare(<QueryClientProvider client={createQueryClient()}>{ui}</QueryClientProvider>);
}
