// The one door to the backend: `call` invokes a command and rejects only with an AppError, so the
// generated command surface (commands.ts) and every caller see one typed error shape.
import { invoke } from "@tauri-apps/api/core";
import type { AppError } from "./bindings";

/** True when `value` has the `{code, message, hint?}` shape every backend error has. */
export function isAppError(value: unknown): value is AppError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { code?: unknown }).code === "string" &&
    typeof (value as { message?: unknown }).message === "string"
  );
}

/** Turns anything a command rejected with (or a thrown Error) into an AppError the UI can show. */
export function toAppError(value: unknown): AppError {
  if (isAppError(value)) return value;
  return {
    code: "internal",
    message: value instanceof Error ? value.message : String(value),
    hint: "Try again; if it keeps failing, restart Canopy.",
  };
}

/** Invokes `command` with `args`; rejects with an AppError. */
export async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    // Commands reject with the backend's plain {code, message, hint} object, never an Error.
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    throw toAppError(error);
  }
}
