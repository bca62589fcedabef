import { useState, type SyntheticEvent } from "react";
import { api } from "../api";
import type { AppError, AppStatus, Credential, SyncSummary } from "../bindings";
import { ErrorNotice } from "../components/ErrorNotice";
import { formatDateTime, plural } from "../format";

/** The seeds' standing warning, word for word. */
export const STANDING_WARNING =
  "Do not touch any other settings in this integration card without consulting an Onboarding Specialist or Customer Success Manager as they can affect your data and the shopper's opt-in status!";

interface Props {
  status: AppStatus | null;
  credentials: Credential[];
  onChanged: () => void;
  onToast: (message: string) => void;
  onClose: () => void;
  onShowPersonas: () => void;
}

/** The POSaBIT integration card, in the seeds' order: header, warning, credentials, sync. */
export function PosabitCard({ status, credentials, onChanged, onToast, onClose, onShowPersonas }: Props) {
  const [syncing, setSyncing] = useState(false);
  const [syncError, setSyncError] = useState<AppError | null>(null);
  const [results, setResults] = useState<SyncSummary[] | null>(null);
  const [keyForForm, setKeyForForm] = useState<{ store: string; key: string } | null>(null);

  const syncNow = async () => {
    setSyncing(true);
    setSyncError(null);
    try {
      const summaries = await api.syncPosabit();
      setResults(summaries);
      if (summaries.every((s) => !s.error)) {
        const fresh = summaries.reduce((n, s) => n + s.new, 0);
        onToast(`Sync finished: ${plural(fresh, "new record")}.`);
      }
    } catch (error) {
      setSyncError(error as AppError);
    } finally {
      setSyncing(false);
    }
  };

  return (
    <article className="card" aria-labelledby="posabit-title">
      <header className="card-header">
        <button type="button" className="link" onClick={onClose}>
          ← All integrations
        </button>
        <div className="card-title">
          <span className="logo logo-posabit" aria-hidden="true">P</span>
          <h2 id="posabit-title">POSaBIT</h2>
          <span className={credentials.length > 0 ? "chip chip-ok" : "chip"}>
            {credentials.length > 0 ? "Credentials added" : "Not connected"}
          </span>
        </div>
      </header>

      <div className="notice notice-warning" role="note">
        <strong><span aria-hidden="true">⚠</span> Warning:</strong> {STANDING_WARNING}
      </div>

      <section className="card-section" aria-labelledby="credentials-heading">
        <h3 id="credentials-heading">Credentials</h3>
        <CredentialTable credentials={credentials} />
        <AddCredentialForm
          prefill={keyForForm}
          onAdded={(message) => {
            onChanged();
            onToast(message);
          }}
        />
        {status?.sandbox && status.sandbox_keys.length > 0 && (
          <details className="sandbox-keys">
            <summary>Sandbox stores and their keys (simulated data)</summary>
            <p className="muted">The built-in sandbox simulates these POSaBIT venues. Their keys are test values, not secrets.</p>
            <ul>
              {status.sandbox_keys.map((k) => (
                <li key={k.key}>
                  <span>
                    <strong>{k.venue_name}</strong> ({k.state}) — {k.note}
                  </span>
                  <button
                    type="button"
                    className="secondary small"
                    onClick={() => {
                      setKeyForForm({ store: k.venue_name.replace(/^Greenleaf /, "").replace(/ \(.*\)$/, ""), key: k.key });
                    }}
                  >
                    Use this key
                  </button>
                </li>
              ))}
            </ul>
          </details>
        )}
      </section>

      <footer className="card-footer">
        <div className="sync-results" aria-live="polite">
          {syncError && <ErrorNotice error={syncError} title="Sync did not run" />}
          {results?.map((r) => (
            <div key={r.credential_id} className="sync-result">
              {r.error ? (
                <ErrorNotice error={r.error} title={`${r.store_name}: sync stopped`} />
              ) : (
                <p>
                  <strong>{r.store_name}</strong>: {plural(r.seen, "record")} received, {r.new} new, {r.changed} changed
                  {r.rejected > 0 ? `, ${r.rejected} skipped` : ""}.
                </p>
              )}
            </div>
          ))}
          {results && (
            <button type="button" className="link" onClick={onShowPersonas}>
              See personas sourced from posabit →
            </button>
          )}
        </div>
        <button
          type="button"
          className="primary"
          disabled={syncing || credentials.length === 0}
          title={credentials.length === 0 ? "Add a credential first" : undefined}
          onClick={() => void syncNow()}
        >
          {syncing ? (
            <>
              <span className="spinner" aria-hidden="true" /> Syncing…
            </>
          ) : (
            "Sync now"
          )}
        </button>
      </footer>
    </article>
  );
}

function CredentialTable({ credentials }: { credentials: Credential[] }) {
  if (credentials.length === 0) {
    return <p className="empty">No credentials yet — add one per store with the Key from POSaBIT.</p>;
  }
  return (
    <table className="table" data-testid="credentials">
      <thead>
        <tr>
          <th scope="col">Store Name</th>
          <th scope="col">Key</th>
          <th scope="col">Market</th>
          <th scope="col">POSaBIT venue</th>
          <th scope="col">Permissions</th>
        </tr>
      </thead>
      <tbody>
        {credentials.map((c) => (
          <tr key={c.id}>
            <td>{c.store_name}</td>
            <td>
              <span className="masked" aria-label="Key, stored in the system keychain">
                ••••••••
              </span>
            </td>
            <td>{c.market ?? "—"}</td>
            <td>
              {c.venue_name ?? "—"}
              {c.venue_state ? ` (${c.venue_state})` : ""}
              {c.verified_at && <div className="muted small">Verified {formatDateTime(c.verified_at)}</div>}
            </td>
            <td>
              <ul className="checklist">
                {c.permissions.map((p) => (
                  <li key={p.key} className={p.granted ? "granted" : "missing"}>
                    <span aria-hidden="true">{p.granted ? "✓" : "✗"}</span> {p.label}
                    <span className="visually-hidden">{p.granted ? " granted" : " missing"}</span>
                    {p.remedy && <div className="remedy">{p.remedy}</div>}
                  </li>
                ))}
              </ul>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Add Credential: Store Name, Key, Relevant market of credential (optional). */
export function AddCredentialForm({
  prefill,
  onAdded,
}: {
  prefill: { store: string; key: string } | null;
  onAdded: (message: string) => void;
}) {
  const [storeName, setStoreName] = useState("");
  const [key, setKey] = useState("");
  const [market, setMarket] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const [prefilled, setPrefilled] = useState(prefill);

  if (prefill !== prefilled) {
    setPrefilled(prefill);
    if (prefill) {
      setStoreName(prefill.store);
      setKey(prefill.key);
    }
  }

  const submit = async (event: SyntheticEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const added = await api.addPosabitCredential({ store_name: storeName, key, market: market.trim() === "" ? null : market });
      setStoreName("");
      setKey("");
      setMarket("");
      const trimmed = added.key_was_trimmed ? " Spaces around the key were removed." : "";
      onAdded(`Credential “${added.credential.store_name}” added and verified.${trimmed}`);
    } catch (e) {
      setError(e as AppError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form" onSubmit={(e) => void submit(e)} aria-label="Add Credential">
      <div className="form-row">
        <label>
          Store Name
          <input name="store_name" value={storeName} required autoComplete="off" onChange={(e) => { setStoreName(e.target.value); }} />
          <span className="help">Name of the store</span>
        </label>
        <label>
          Key
          <input
            name="key"
            type="password"
            value={key}
            required
            autoComplete="off"
            spellCheck={false}
            onChange={(e) => {
              setKey(e.target.value);
            }}
          />
          <span className="help">Obtained from POSaBIT; kept only in the system keychain</span>
        </label>
        <label>
          Relevant market of credential (optional)
          <input name="market" value={market} maxLength={2} placeholder="e.g. WA" autoComplete="off" onChange={(e) => { setMarket(e.target.value); }} />
          <span className="help">A US state</span>
        </label>
      </div>
      {error && <ErrorNotice error={error} title="The credential was not added" />}
      <button type="submit" className="primary" disabled={busy}>
        {busy ? "Checking the key with POSaBIT…" : "Add Credential"}
      </button>
    </form>
  );
}
