import { describe, expect, it } from "vitest";
import { isAppError, toAppError } from "./api";

describe("toAppError", () => {
  it("keeps a backend error as it is", () => {
    const error = { code: "pos_auth_failed", message: "POSaBIT did not accept this key.", hint: "Copy the key again." };
    expect(isAppError(error)).toBe(true);
    expect(toAppError(error)).toBe(error);
  });
  it("wraps anything else as an internal error with a hint", () => {
    const wrapped = toAppError("IPC went away");
    expect(wrapped.code).toBe("internal");
    expect(wrapped.message).toBe("IPC went away");
    expect(wrapped.hint).toBeTruthy();
    expect(isAppError({ code: 3 })).toBe(false);
  });
});
