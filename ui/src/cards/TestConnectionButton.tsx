import { useState, type SyntheticEvent } from "react";
import { api } from "../api";
import { useIntegrationRefresh } from "../queries";
import { toAppError } from "../ipc";
import type { AppError, Credential } from "../bindings";
import { ErrorNotice } from "../components/ErrorNotice";

/** What a Test connection found, in one sentence for the toast. */
export function describeTest(storeName: string, changes: string[]): string {
  return changes.length === 0
    ? `“${storeName}”: the connection works and nothing changed.`
    : `“${storeName}”: ${changes.join(" ")}`;
}

/** After Greenbits refused a credential's token: the user's password earns a new one (never kept). */
function LogInAgain({ credential, onDone }: { credential: Credential; onDone: (message: string) => void }) {
  const [password, setPassword] = useState("");
  const [error, setError] = useState<AppError | null>(null);
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    setError(null);
    api.logInGreenbitsAgain(credential.id, password).then(
      () => { setPassword(""); onDone(`“${credential.store_name}” logged in again; its token was replaced.`); },
      (caught: unknown) => { setError(toAppError(caught)); },
    );
  };
  return (
    <form onSubmit={submit} aria-label={`Log ${credential.store_name} in again`}>
      <input
        type="password"
        name="relogin_password"
        aria-label="Greenbits password"
        autoComplete="off"
        required
        value={password}
        onChange={(e) => { setPassword(e.target.value); }}
      />
      <button type="submit" className="secondary small">Log in again</button>
      {error && <ErrorNotice error={error} />}
    </form>
  );
}

/** Test connection on a credential row: the pre-flight run again, with what changed. */
export function TestConnectionButton({ credential, onToast }: {
  credential: Credential;
  onToast: (message: string) => void;
}) {
  const refresh = useIntegrationRefresh(credential.integration);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const test = () => {
    setBusy(true);
    setError(null);
    api
      .testConnection(credential.id)
      .then(
        (result) => { onToast(describeTest(credential.store_name, result.changes)); refresh(); },
        (caught: unknown) => { setError(toAppError(caught)); },
      )
      .finally(() => { setBusy(false); });
  };
  return (
    <>
      <button type="button" className="secondary small" disabled={busy} onClick={test}>
        {busy ? "Testing…" : "Test connection"}
      </button>
      {error && <ErrorNotice error={error} title={`“${credential.store_name}”: the test failed`} />}
      {error?.code === "pos_auth_failed" && credential.integration === "greenbits" && (
        <LogInAgain credential={credential} onDone={(message) => { setError(null); onToast(message); refresh(); }} />
      )}
    </>
  );
}
