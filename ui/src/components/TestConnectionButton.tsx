import { useState } from "react";
import { api } from "../api";
import type { AppError, Credential } from "../bindings";
import { ErrorNotice } from "./ErrorNotice";

/** What a Test connection found, in one sentence for the toast. */
export function describeTest(storeName: string, changes: string[]): string {
  return changes.length === 0
    ? `“${storeName}”: the connection works and nothing changed.`
    : `“${storeName}”: ${changes.join(" ")}`;
}

/** Test connection on a credential row: the pre-flight run again, with what changed. */
export function TestConnectionButton({ credential, onToast, onChanged }: {
  credential: Credential;
  onToast: (message: string) => void;
  onChanged: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const test = () => {
    setBusy(true);
    setError(null);
    api
      .testConnection(credential.id)
      .then(
        (result) => { onToast(describeTest(credential.store_name, result.changes)); onChanged(); },
        (caught: unknown) => { setError(caught as AppError); },
      )
      .finally(() => { setBusy(false); });
  };
  return (
    <>
      <button type="button" className="secondary small" disabled={busy} onClick={test}>
        {busy ? "Testing…" : "Test connection"}
      </button>
      {error && <ErrorNotice error={error} title={`“${credential.store_name}”: the test failed`} />}
    </>
  );
}
