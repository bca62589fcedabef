// Testing Library's render with what the app's root provides: a fresh query client per test (no
// retries, nothing cached between tests).
import { QueryClientProvider, type QueryClient } from "@tanstack/react-query";
import { render as renderBare, type RenderResult } from "@testing-library/react";
import type { ReactElement } from "react";
import { createQueryClient } from "./queries";

/** Renders `ui` under its own query client (or `client`, for a test that watches the cache). */
export function render(ui: ReactElement, client: QueryClient = createQueryClient()): RenderResult {
  return renderBare(<QueryClientProvider client={client}>{ui}</QueryClientProvider>);
}
