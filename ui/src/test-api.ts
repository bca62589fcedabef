// The one fake of the backend that the UI's unit tests install in place of `./api`: every entry
// of `api` is a typed mock (its answers and arguments checked against the generated command
// surface) that rejects with an AppError naming it until the test gives it an answer. A test file
// installs it with
//   vi.mock("../api", () => import("../test-api").then((m) => m.apiModule));
// and answers with `fakeApi.listPersonas.mockResolvedValue(...)`.
import { vi, type Mocked } from "vitest";
import type { api } from "./api";
import type { AppError } from "./bindings";
import { isAppError, toAppError } from "./ipc";

/** The backend as the screens call it. */
export type Api = typeof api;

/** What an entry a test did not fake answers: a rejection the screen shows as an internal error. */
function notFaked(name: string) {
  const error: AppError = { code: "internal", message: `${name} is not faked in this test` };
  // Rejected as the backend's commands reject: with the plain {code, message} object.
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
  return () => Promise.reject(error);
}

/** Entries that answer harmlessly unless a test says otherwise (subscriptions every screen makes). */
const DEFAULTS: Partial<Record<keyof Api, () => unknown>> = {
  onConsoleEvent: () => Promise.resolve(() => undefined),
};

const mocks = new Map<string | symbol, unknown>();

/** The fake `api`: each entry made on first use, kept for the test file (`vi.resetAllMocks()`
 * between tests restores the not-faked answer). */
export const fakeApi = new Proxy({} as Mocked<Api>, {
  get(_target, name) {
    if (!mocks.has(name)) {
      const key = String(name) as keyof Api;
      mocks.set(name, vi.fn(DEFAULTS[key] ?? notFaked(key)));
    }
    return mocks.get(name);
  },
});

/** The module `./api` becomes in a test. */
export const apiModule = { api: fakeApi, isAppError, toAppError };
